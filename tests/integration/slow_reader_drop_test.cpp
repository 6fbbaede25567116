// A slow reader's queued room messages are dropped when it passes its queue bound (issue 25,
// "Beyond every peer": drop what is queued beyond what it has been sent), so the server's send
// queue falls back instead of staying at the bound; the reader still gets every message once,
// in order, when it reads again (they are read again from the store).
#include <gtest/gtest.h>

#include <regex>

#include "harness.hpp"

namespace message::test {
namespace {

/// message_send_queue_bytes from /metrics, or -1.
double send_queue_bytes(unsigned short port) {
  const auto [status, text] = http_get(port, "/metrics");
  std::smatch m;
  static const std::regex line(R"(\nmessage_send_queue_bytes ([0-9.e+]+))");
  if (status != 200 || !std::regex_search(text, m, line)) return -1;
  return std::stod(m[1].str());
}

TEST(SlowReaderDrop, AStalledReadersQueuedMessagesAreDroppedThenReadAgainOnceInOrder) {
  constexpr std::size_t bound = 65536;
  temp_dir data;
  server_process server(
      {"--data", data.path().string(), "--no-rate-limit", "--max-queue-bytes", std::to_string(bound)});
  ws_client reader(server.port(), "/ws");
  reader.shrink_receive_buffer(128 * 1024);
  ASSERT_TRUE(reader.next_of("welcome"));
  ws_client sender(server.port(), "/ws");
  ASSERT_TRUE(sender.next_of("welcome"));

  // 8 MB while the reader reads nothing: past the kernel's buffers (4 MB of send buffer at
  // most here, 256 KiB of receive buffer), and then past the queue's bound.
  const std::string text(2000, 'd');
  constexpr int windows = 400, per_window = 10;
  constexpr int total = windows * per_window;
  for (int w = 0; w < windows; ++w) {
    for (int i = 0; i < per_window; ++i)
      sender.send_message("d" + std::to_string(w * per_window + i), "kim", text);
    ASSERT_EQ(sender.collect("ack", per_window, 20s).size(), static_cast<std::size_t>(per_window));
    ASSERT_EQ(sender.collect("message", per_window, 20s).size(), static_cast<std::size_t>(per_window));
  }

  // What was queued beyond the write in flight is gone from memory: the queue is not at its
  // bound (the write in flight holds one commit's messages).
  double queued = send_queue_bytes(server.port());
  for (int i = 0; i < 50 && queued >= static_cast<double>(bound) / 2; ++i)
    queued = send_queue_bytes(server.port());
  EXPECT_GE(queued, 0) << "/metrics has message_send_queue_bytes";
  EXPECT_LT(queued, static_cast<double>(bound) / 2) << "the stalled reader's queue fell back";

  // Reading again: everything, once, in order, then live.
  std::vector<std::uint64_t> seqs;
  for (const auto& m : reader.collect("message", total, 60s)) seqs.push_back(u64(m.at("seq")));
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(total)) << "closed: " << reader.closed();
  for (std::size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], i + 1) << "once each, in order, no gap";
  sender.send_message("live", "kim", "caught up");
  auto live = reader.next_of("message", 10s);
  ASSERT_TRUE(live);
  EXPECT_EQ(u64((*live)["seq"]), static_cast<std::uint64_t>(total + 1));
  EXPECT_FALSE(reader.closed());
}

}  // namespace
}  // namespace message::test
