// Issue 31, defect 2: after a server restart every open page comes back at about the same time.
// 1,000 real WebSocket clients are connected; the server stops and starts again on the same
// port with the same data; all 1,000 reconnect at once (from several threads), each resuming
// after the seq it had, and every one is welcomed and gets what was sent meanwhile.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "harness.hpp"

namespace message::test {
namespace {

constexpr int kClients = 1000;
constexpr int kThreads = 16;  // the clients come back together, this many connecting at a time

/// Each client holds a socket and its own io_context (an epoll and an event descriptor): the
/// default soft limit of 1,024 descriptors is too few, as for the load generator.
void raise_descriptor_limit(rlim_t wanted) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= wanted) return;
  lim.rlim_cur = std::min(wanted, lim.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &lim);
}

std::vector<std::string> server_args(const temp_dir& data, unsigned short port) {
  // One machine plays 1,000 pages: the per-address caps of a real LAN would refuse it.
  std::vector<std::string> args{"--data", data.path().string(), "--no-rate-limit",
                                "--max-connections-per-address", "5000"};
  if (port != 0) {
    args.emplace_back("--port");
    args.emplace_back(std::to_string(port));
  }
  return args;
}

/// Runs `job(i)` for i in [0, kClients) on kThreads threads; returns the failures' texts.
std::vector<std::string> on_threads(const std::function<void(int)>& job) {
  std::mutex mutex;
  std::vector<std::string> failures;
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < kClients; i = next++) {
        try {
          job(i);
        } catch (const std::exception& e) {
          const std::lock_guard lock(mutex);
          failures.push_back("client " + std::to_string(i) + ": " + e.what());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return failures;
}

TEST(ReconnectStorm, AThousandClientsReconnectAtOnceAfterARestart) {
  raise_descriptor_limit(8 * kClients);
  temp_dir data;
  auto server = std::make_unique<server_process>(server_args(data, 0));
  const unsigned short port = server->port();

  std::vector<std::unique_ptr<ws_client>> clients(kClients);
  auto failures = on_threads([&](int i) {
    clients[static_cast<std::size_t>(i)] = std::make_unique<ws_client>(port, "/ws?room=storm");
    if (!clients[static_cast<std::size_t>(i)]->next_of("welcome", 10s))
      throw std::runtime_error("no welcome");
  });
  ASSERT_TRUE(failures.empty()) << failures.size() << " failed to connect, first: " << failures.front();

  ASSERT_EQ(server->stop(), 0);
  for (auto& c : clients) EXPECT_NE(c->wait_closed(5s), -1) << "the stop closed every connection";
  clients.clear();

  // While it was down, nothing; once it is back, one message that every client must get.
  server = std::make_unique<server_process>(server_args(data, port));
  {
    ws_client poster(port, "/ws?room=storm");
    ASSERT_TRUE(poster.next_of("welcome"));
    poster.send_message("after-restart", "poster", "back again");
    ASSERT_TRUE(poster.next_of("ack"));
  }

  std::atomic<int> caught_up{0};
  std::vector<std::unique_ptr<ws_client>> back(kClients);
  failures = on_threads([&](int i) {
    auto& c = back[static_cast<std::size_t>(i)];
    c = std::make_unique<ws_client>(port, "/ws?room=storm&since=0");
    if (!c->next_of("welcome", 10s)) throw std::runtime_error("no welcome after the restart");
    auto m = c->next_of("message", 10s);
    if (!m || str((*m)["id"]) != "after-restart")
      throw std::runtime_error("the message sent meanwhile did not come");
    ++caught_up;
  });
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  EXPECT_EQ(caught_up.load(), kClients);
  EXPECT_TRUE(server->running());
}

}  // namespace
}  // namespace message::test
