// systemd's notify protocol, against the real binary: the test holds the socket systemd would
// ($NOTIFY_SOCKET) and reads what the server says there (issue 32). No systemd runs here.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>

#include "harness.hpp"
#include "temp_dir.hpp"

namespace message::test {
namespace {

/// A datagram socket bound in a temporary directory, named in $NOTIFY_SOCKET (and
/// $WATCHDOG_USEC when asked) for the servers started while it lives.
class notify_socket {
 public:
  explicit notify_socket(const temp_dir& dir, std::chrono::microseconds watchdog = {}) {
    const auto path = (dir.path() / "notify").string();
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd_ < 0 || path.size() >= sizeof addr.sun_path) throw std::runtime_error("notify socket");
    path.copy(addr.sun_path, path.size());
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("bind notify socket");
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    if (watchdog.count() > 0) ::setenv("WATCHDOG_USEC", std::to_string(watchdog.count()).c_str(), 1);
  }
  ~notify_socket() {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::close(fd_);
  }
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;

  /// The next datagram, or nullopt after `limit`.
  std::optional<std::string> next(std::chrono::milliseconds limit = 10000ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return std::nullopt;
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }
  /// Reads datagrams until one contains `what` (bounded: 200 datagrams or `limit` each).
  std::optional<std::string> until(const std::string& what, std::chrono::milliseconds limit = 10000ms) {
    for (int i = 0; i < 200; ++i) {
      auto d = next(limit);
      if (!d) return std::nullopt;
      seen_.push_back(*d);
      if (d->find(what) != std::string::npos) return d;
    }
    return std::nullopt;
  }
  const std::vector<std::string>& seen() const { return seen_; }

 private:
  int fd_ = -1;
  std::vector<std::string> seen_;
};

bool has(const std::string& datagram, const std::string& what) {
  return datagram.find(what) != std::string::npos;
}

TEST(Notify, ReadyWithTheConnectionCountThenStoppingOnSigterm) {
  temp_dir data;
  notify_socket notify(data);
  server_process server({"--data", data.path().string()});
  const auto ready = notify.until("READY=1");
  ASSERT_TRUE(ready) << "no READY=1";
  EXPECT_TRUE(has(*ready, "STATUS=0 connections")) << *ready;
  // Without $WATCHDOG_USEC the server sends no pings.
  for (const auto& d : notify.seen()) EXPECT_FALSE(has(d, "WATCHDOG=1")) << d;
  server.stop(SIGTERM);
  EXPECT_TRUE(notify.until("STOPPING=1")) << "no STOPPING=1 after SIGTERM";
}

TEST(Notify, StatusCountsConnectionsAndPingsComeWithTheWatchdog) {
  temp_dir data;
  notify_socket notify(data, 200ms);
  server_process server({"--data", data.path().string(), "--threads", "2"});
  ASSERT_TRUE(notify.until("READY=1"));
  ASSERT_TRUE(notify.until("WATCHDOG=1")) << "no watchdog ping";
  ws_client a(server.port()), b(server.port());
  const auto status = notify.until("STATUS=2 connections");
  ASSERT_TRUE(status) << "the status never counted two connections";
}

// A loop that stops turning stops the pings, though the process and its other loop live on:
// systemd would restart it. The hidden test-only flag --test-stall-loop blocks the last of two
// loops for 3 s after the third ping.
TEST(Notify, AStuckLoopStopsTheWatchdogPings) {
  temp_dir data;
  notify_socket notify(data, 200ms);
  server_process server({"--data", data.path().string(), "--threads", "2", "--test-stall-loop", "3000"});
  ASSERT_TRUE(notify.until("READY=1"));
  for (int ping = 0; ping < 3; ++ping) ASSERT_TRUE(notify.until("WATCHDOG=1")) << "ping " << ping;
  const auto stuck = notify.until("I/O loop 2 of 2 has not turned");
  ASSERT_TRUE(stuck) << "the stall was never reported";
  EXPECT_FALSE(has(*stuck, "WATCHDOG=1")) << *stuck;
  // Until the loop turns again, every datagram reports it stuck and none pings.
  const auto resumed = notify.until("WATCHDOG=1");
  ASSERT_TRUE(resumed) << "the pings never resumed after the stall";
  std::size_t stuck_reports = 0;
  bool after_stall = false;
  for (const auto& d : notify.seen()) {
    if (d == *stuck) after_stall = true;
    if (!after_stall || &d == &notify.seen().back()) continue;
    EXPECT_FALSE(has(d, "WATCHDOG=1")) << "a ping while the loop was stuck: " << d;
    if (has(d, "has not turned")) ++stuck_reports;
  }
  // The pinging thread went on looking while the loop was stuck; it just did not ping.
  EXPECT_GE(stuck_reports, 2u);
}

}  // namespace
}  // namespace message::test
