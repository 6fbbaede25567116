#include "files/files_worker.hpp"

#include <algorithm>

namespace message::files {

namespace {
/// How often expired uploads are looked for at most: an hour late on a 24 h expiry is nothing,
/// and a short expiry (tests) is still met within a second.
std::chrono::milliseconds sweep_interval(std::chrono::seconds expiry) {
  return std::clamp<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(expiry) / 4, std::chrono::milliseconds(250),
      std::chrono::minutes(10));
}
}  // namespace

files_worker::files_worker(const std::filesystem::path& root, std::chrono::seconds expiry)
    : files_worker(root, root / "uploads", expiry) {}

files_worker::files_worker(const std::filesystem::path& root, const std::filesystem::path& uploads,
                           std::chrono::seconds expiry)
    : blobs_(root), uploads_(blobs_, uploads, now_ms()), expiry_(expiry), thread_([this] { run(); }) {}

files_worker::~files_worker() { stop(); }

std::int64_t files_worker::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void files_worker::post(job j) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    jobs_.push_back(std::move(j));
  }
  wake_.notify_one();
}

void files_worker::every(std::chrono::seconds every, std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    periodic_ = std::move(fn);
    periodic_every_ = every;
    periodic_due_ = true;
  }
  wake_.notify_one();
}

void files_worker::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void files_worker::run() {
  const auto interval = sweep_interval(expiry_);
  auto next_sweep = std::chrono::steady_clock::now();
  auto next_periodic = std::chrono::steady_clock::time_point::max();
  std::unique_lock lock(mutex_);
  for (;;) {
    if (periodic_due_ || std::chrono::steady_clock::now() >= next_periodic) {
      periodic_due_ = false;
      auto fn = periodic_;
      next_periodic = std::chrono::steady_clock::now() + periodic_every_;
      lock.unlock();
      try {
        if (fn) fn();
      } catch (const std::exception&) {
        // The next round tries again.
      }
      lock.lock();
    }
    if (std::chrono::steady_clock::now() >= next_sweep) {
      lock.unlock();
      try {
        uploads_.expire(now_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(expiry_).count());
      } catch (const std::exception&) {
        // The next sweep tries again; the uploads stay until then.
      }
      next_sweep = std::chrono::steady_clock::now() + interval;
      lock.lock();
    }
    wake_.wait_until(lock, std::min(next_sweep, next_periodic),
                     [this] { return stopping_ || periodic_due_ || !jobs_.empty(); });
    if (jobs_.empty()) {
      if (stopping_) return;
      continue;
    }
    auto j = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    try {
      j(state_);
    } catch (const std::exception&) {
      // A job answers its own failures; one that throws past them must not end the thread.
    }
    lock.lock();
  }
}

}  // namespace message::files
