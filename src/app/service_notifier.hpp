#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "transport/asio_event_loop.hpp"

namespace message::app {

/// Tells systemd how the service is (sd_notify, libsystemd): READY=1 once the store is open
/// and the port listens, STOPPING=1 on SIGTERM, STATUS= with the connection count, and the
/// watchdog. Without $NOTIFY_SOCKET (a server started by hand) nothing runs and every call
/// returns at once.
///
/// The watchdog proves every I/O loop still turns, not just that the process lives: each loop
/// runs a timer that bumps its own beat counter, and a thread of ours sends WATCHDOG=1 only when
/// every loop's beat moved since its last look. One stuck loop stops the pings, and systemd
/// (WatchdogSec=) restarts the service; meanwhile STATUS= names the stuck loop.
///
/// Thread-safety: construct, start(), ready(), stopping() and destroy on the server's thread
/// while the loops exist; the beat timers run on their loops; the pinging thread is our own.
/// Destroy it before the loops.
class service_notifier {
 public:
  /// `status` is called on the notifier's thread and must be safe there (it reads atomics).
  /// `stall_once`: test-only (hidden flag --test-stall-loop): after three pings, the last loop
  /// blocks this long once, to show the pings stop. Zero in normal use.
  service_notifier(const std::vector<transport::asio_event_loop*>& loops, std::function<std::string()> status,
                   std::chrono::milliseconds stall_once = {});
  ~service_notifier();
  service_notifier(const service_notifier&) = delete;
  service_notifier& operator=(const service_notifier&) = delete;

  /// Starts the beat timers and the pinging thread; call before the loops run.
  void start();
  /// READY=1 with the first STATUS=.
  void ready();
  /// STOPPING=1: the server closes its connections and commits what is queued.
  void stopping();

 private:
  struct loop_beat {
    explicit loop_beat(transport::asio_event_loop& l) : loop(l), timer(l.context()) {}
    transport::asio_event_loop& loop;
    transport::net::steady_timer timer;  // Loop thread only.
    std::atomic<std::uint64_t> count{0};
    std::uint64_t seen = 0;                           // Notifier thread only.
    std::chrono::steady_clock::time_point seen_at{};  // Notifier thread only.
  };
  void arm(loop_beat& beat);
  void watch();
  /// One look at the beats: WATCHDOG=1 and the status when all moved, else the stuck loop.
  void check();

  bool active_ = false;    // $NOTIFY_SOCKET is set.
  bool watchdog_ = false;  // $WATCHDOG_USEC is set for this process.
  std::chrono::microseconds period_{};
  std::vector<std::unique_ptr<loop_beat>> beats_;
  std::function<std::string()> status_;
  std::chrono::milliseconds stall_once_;
  std::uint64_t pings_ = 0;  // Notifier thread only.
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;  // Guarded by mutex_.
  std::thread thread_;
};

}  // namespace message::app
