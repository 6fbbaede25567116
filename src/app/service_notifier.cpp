#include "app/service_notifier.hpp"

#include <systemd/sd-daemon.h>

#include <cstdlib>

#include <fmt/format.h>

namespace message::app {

namespace {
/// With no watchdog, STATUS= is still refreshed this often (systemctl status shows it).
constexpr auto status_period = std::chrono::seconds(5);

void notify(const std::string& state) { sd_notify(0, state.c_str()); }
}  // namespace

service_notifier::service_notifier(const std::vector<transport::asio_event_loop*>& loops,
                                   std::function<std::string()> status, std::chrono::milliseconds stall_once)
    : status_(std::move(status)), stall_once_(stall_once) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && *socket != '\0';
  if (!active_) return;
  std::uint64_t usec = 0;
  watchdog_ = sd_watchdog_enabled(0, &usec) > 0 && usec > 0;
  // sd_watchdog_enabled(3) asks for a ping every half of WatchdogSec; the beats come twice as
  // often as the looks, so a turning loop has always moved between two of them.
  period_ = watchdog_ ? std::chrono::microseconds(usec / 2)
                      : std::chrono::duration_cast<std::chrono::microseconds>(status_period);
  for (auto* loop : loops) beats_.push_back(std::make_unique<loop_beat>(*loop));
}

service_notifier::~service_notifier() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void service_notifier::start() {
  if (!active_) return;
  for (auto& beat : beats_) arm(*beat);
  thread_ = std::thread([this] { watch(); });
}

void service_notifier::arm(loop_beat& beat) {
  beat.timer.expires_after(period_ / 2);
  beat.timer.async_wait([this, &beat](boost::system::error_code ec) {
    if (ec) return;
    beat.count.fetch_add(1, std::memory_order_relaxed);
    arm(beat);
  });
}

void service_notifier::ready() {
  if (active_) notify("READY=1\nSTATUS=" + status_());
}

void service_notifier::stopping() {
  if (active_) notify("STOPPING=1\nSTATUS=stopping");
}

void service_notifier::watch() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return done_; })) {
    lock.unlock();
    check();
    lock.lock();
  }
}

void service_notifier::check() {
  const auto now = std::chrono::steady_clock::now();
  std::string stuck;
  for (std::size_t i = 0; i < beats_.size(); ++i) {
    auto& beat = *beats_[i];
    const auto count = beat.count.load(std::memory_order_relaxed);
    if (count != beat.seen || beat.seen_at == std::chrono::steady_clock::time_point{}) {
      beat.seen = count;
      beat.seen_at = now;
    } else if (stuck.empty()) {
      stuck = fmt::format("I/O loop {} of {} has not turned for {} ms", i + 1, beats_.size(),
                          std::chrono::duration_cast<std::chrono::milliseconds>(now - beat.seen_at).count());
    }
  }
  if (!stuck.empty()) {
    notify("STATUS=" + stuck + "; " + status_());
    return;
  }
  if (!watchdog_) {
    notify("STATUS=" + status_());
    return;
  }
  notify("WATCHDOG=1\nSTATUS=" + status_());
  if (++pings_ == 3 && stall_once_.count() > 0) {
    beats_.back()->loop.post([stall = stall_once_] { std::this_thread::sleep_for(stall); });
  }
}

}  // namespace message::app
