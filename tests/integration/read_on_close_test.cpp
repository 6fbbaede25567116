// A read held back by the read interval (docs/protocol.md, "Read state": one stored position
// per room and connection per interval) is stored when its connection closes, not lost: a page
// that reads a room and then leaves it (the page reconnects to change rooms) within a second
// would otherwise leave its other devices one message behind.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace message::test {
namespace {

std::string read_frame(std::uint64_t s) {
  return R"({"type":"read","room":"lobby","seq":)" + std::to_string(s) + "}";
}

std::unique_ptr<ws_client> connect(unsigned short port, char t, json::object* hello = nullptr) {
  auto c = std::make_unique<ws_client>(port, "/ws?name=ann", "", "message.v1, id." + identity_token(t));
  auto w = c->next_of("welcome");
  EXPECT_TRUE(w) << "welcome first";
  if (w && hello) *hello = *w;
  return c;
}

/// The next `read` frame whose seq is `s` (lower ones skipped), or nothing.
bool await_read(ws_client& c, std::uint64_t s) {
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < end) {
    auto f = c.next_of("read", 10s);
    if (!f) return false;
    if (u64((*f)["seq"]) == s) return true;
  }
  return false;
}

TEST(ReadOnClose, AReadHeldByTheIntervalIsStoredWhenItsConnectionCloses) {
  temp_dir data;
  server_process server({"--data", data.path().string(), "--no-rate-limit"});
  auto phone = connect(server.port(), 'a');
  auto laptop = connect(server.port(), 'a');
  for (int i = 1; i <= 3; ++i) {
    laptop->send_message("m" + std::to_string(i), "lee", "hello " + std::to_string(i));
    ASSERT_TRUE(laptop->next_of("ack"));
  }
  laptop->send(read_frame(1));
  ASSERT_TRUE(await_read(*phone, 1)) << "the first read of the interval goes at once";
  laptop->send(read_frame(2));  // Within the interval: held.
  laptop->send(R"({"type":"ping"})");
  ASSERT_TRUE(laptop->next_of("pong")) << "the read was taken";
  laptop->close();

  EXPECT_TRUE(await_read(*phone, 2)) << "the held read is stored and told as the laptop closes";
  json::object hello;
  auto again = connect(server.port(), 'a', &hello);
  EXPECT_EQ(u64(hello["read"]), 2u) << "and kept";
}

}  // namespace
}  // namespace message::test
