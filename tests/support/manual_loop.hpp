#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "core/event_loop.hpp"

namespace message::core {

/// An event loop whose tasks run only when the test says so, on the test's thread (the thread
/// that made it). post() is safe from any thread (the store thread posts its answers).
class manual_loop final : public event_loop {
 public:
  void post(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(fn));
    }
    wake_.notify_all();
  }
  void post_at(std::chrono::steady_clock::time_point when, std::function<void()> fn) override {
    timers_.emplace(when, std::move(fn));  // Loop thread only, as the interface says.
  }
  // The store thread asks too: `running_` is atomic, the owner never changes.
  bool runs_here() const override { return running_.load() && std::this_thread::get_id() == owner_; }

  /// Runs the oldest ready task, if any (not timers); true when one ran.
  bool run_one() {
    std::function<void()> task;
    {
      std::lock_guard lock(mutex_);
      if (tasks_.empty()) return false;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    run(task);
    return true;
  }
  /// Runs every task that is ready now (and timers that are due); returns how many ran.
  std::size_t run_ready() {
    std::size_t ran = 0;
    while (run_one()) ++ran;
    while (!timers_.empty() && timers_.begin()->first <= std::chrono::steady_clock::now()) {
      auto task = std::move(timers_.begin()->second);
      timers_.erase(timers_.begin());
      run(task);
      ++ran;
    }
    return ran;
  }
  /// Tasks posted and not run yet.
  std::size_t ready() {
    std::lock_guard lock(mutex_);
    return tasks_.size();
  }
  /// Waits (bounded) for a post from another thread.
  void wait_for_post(std::chrono::milliseconds at_most) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, at_most, [&] { return !tasks_.empty(); });
  }

 private:
  void run(const std::function<void()>& task) {
    running_ = true;
    task();
    running_ = false;
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> timers_;
  std::atomic<bool> running_{false};
  const std::thread::id owner_ = std::this_thread::get_id();
};

}  // namespace message::core
