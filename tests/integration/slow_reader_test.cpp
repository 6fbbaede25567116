// Slow readers against the real binary: a reader that falls behind is caught up from the store
// (every message once, in order, no close) while the server's memory stays bounded; a client
// that sends as fast as it can while reading slowly is slowed down (its frames are read as its
// answers drain), not cut off. A reader that never reads is closed (chat_test).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "harness.hpp"

namespace message::test {
namespace {

class SlowReader : public ::testing::Test {
 protected:
  temp_dir data;
  std::unique_ptr<server_process> server;
  void start(std::vector<std::string> extra = {}) {
    // Without the search index: its rows waiting to be indexed are a bound of their own
    // (limits::search_queue_bytes), not memory a slow reader makes the server hold.
    std::vector<std::string> args{"--data", data.path().string(), "--no-rate-limit", "--no-search"};
    args.insert(args.end(), extra.begin(), extra.end());
    server = std::make_unique<server_process>(args);
  }
};

TEST_F(SlowReader, AReaderAtATenthOfTheRateGetsEveryMessageOnceInOrder) {
  // A small queue bound, so that catching up from the store starts early and often.
  start({"--max-queue-bytes", "65536"});
  auto reader = std::make_unique<ws_client>(server->port(), "/ws");
  // Small, but above the loopback MSS: a window this small still opens as the reader reads
  // (below one segment, the sender would wait for its persist timer instead).
  reader->shrink_receive_buffer(128 * 1024);
  ASSERT_TRUE(reader->next_of("welcome"));
  auto sender = std::make_unique<ws_client>(server->port(), "/ws");
  ASSERT_TRUE(sender->next_of("welcome"));
  const long rss_before = server->rss_kib();
  const std::string text(2000, 'w');
  constexpr int windows = 400, per_window = 10;  // 8 MB: past the kernel's buffers and the queue.
  constexpr int total = windows * per_window;
  std::vector<std::uint64_t> seqs;
  long rss_peak = rss_before;
  for (int w = 0; w < windows; ++w) {
    for (int i = 0; i < per_window; ++i)
      sender->send_message("s" + std::to_string(w * per_window + i), "kim", text);
    ASSERT_EQ(sender->collect("ack", per_window, 20s).size(), static_cast<std::size_t>(per_window));
    ASSERT_EQ(sender->collect("message", per_window, 20s).size(), static_cast<std::size_t>(per_window));
    // The reader takes one message for every ten sent.
    for (const auto& m : reader->collect("message", 1, 20s)) seqs.push_back(u64(m.at("seq")));
    ASSERT_FALSE(reader->closed()) << "the slow reader was closed (" << reader->close_code() << ") after "
                                   << seqs.size() << " messages";
    if (w % 50 == 0) rss_peak = std::max(rss_peak, server->rss_kib());
  }
  // Then at full speed: the rest, from the store, then live.
  for (const auto& m : reader->collect("message", total - seqs.size(), 60s)) seqs.push_back(u64(m.at("seq")));
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(total))
      << "closed: " << reader->closed() << " with " << reader->close_code() << ", last seq "
      << (seqs.empty() ? 0 : seqs.back());
  for (std::size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], i + 1) << "once each, in order";
  sender->send_message("live", "kim", "caught up");
  auto live = reader->next_of("message", 10s);
  ASSERT_TRUE(live);
  EXPECT_EQ(u64((*live)["seq"]), static_cast<std::uint64_t>(total + 1));
  EXPECT_FALSE(reader->closed());
  EXPECT_LT(rss_peak - rss_before, 64 * 1024) << "memory per slow reader stays bounded by its queue";
}

/// A raw WebSocket client whose writer and reader run on two threads, as python's `websockets`
/// does: the writer sends as fast as the socket takes frames, the reader reads slowly.
class raw_ws {
 public:
  explicit raw_ws(unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // A small receive window, as a busy script's: what it does not read waits on the server.
    const int window = 128 * 1024;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &window, sizeof window);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect");
    const std::string req = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                            "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    if (!write_all(req)) throw std::runtime_error("handshake write");
    while (in_.find("\r\n\r\n") == std::string::npos)
      if (!read_some()) throw std::runtime_error("handshake read");
    if (in_.rfind("HTTP/1.1 101", 0) != 0) throw std::runtime_error("no 101: " + in_.substr(0, 40));
    in_.erase(0, in_.find("\r\n\r\n") + 4);
  }
  ~raw_ws() { ::close(fd_); }
  bool write_all(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const auto n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  /// A masked text frame.
  static std::string frame(const std::string& payload) {
    std::string f;
    f.push_back(static_cast<char>(0x81));
    if (payload.size() < 126) {
      f.push_back(static_cast<char>(0x80 | payload.size()));
    } else {
      f.push_back(static_cast<char>(0x80 | 126));
      f.push_back(static_cast<char>(payload.size() >> 8));
      f.push_back(static_cast<char>(payload.size() & 0xff));
    }
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    f.append(mask, 4);
    for (std::size_t i = 0; i < payload.size(); ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
    return f;
  }
  /// Reads at most 2 KiB (waiting up to 1 s); false at the end of the stream.
  bool read_some() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) return true;
    char buf[2048];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    in_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  /// Takes whole server frames from what was read: their JSON lines to `on_line`; the close
  /// frame's code to close_code (and false).
  template <class Fn>
  bool take_frames(Fn&& on_line) {
    for (;;) {
      if (in_.size() < 2) return true;
      const auto op = static_cast<unsigned char>(in_[0]) & 0x0f;
      std::size_t len = static_cast<unsigned char>(in_[1]) & 0x7f;
      std::size_t at = 2;
      if (len == 126) {
        if (in_.size() < 4) return true;
        len = (static_cast<std::size_t>(static_cast<unsigned char>(in_[2])) << 8) |
              static_cast<unsigned char>(in_[3]);
        at = 4;
      } else if (len == 127) {
        if (in_.size() < 10) return true;
        len = 0;
        for (int i = 0; i < 8; ++i)
          len = (len << 8) | static_cast<unsigned char>(in_[2 + static_cast<std::size_t>(i)]);
        at = 10;
      }
      if (in_.size() < at + len) return true;
      const std::string payload = in_.substr(at, len);
      in_.erase(0, at + len);
      if (op == 0x8) {
        close_code = payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) |
                                               static_cast<unsigned char>(payload[1])
                                         : 1005;
        return false;
      }
      if (op != 0x1) continue;
      std::size_t start = 0;
      while (start <= payload.size()) {
        const auto nl = payload.find('\n', start);
        on_line(payload.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
    }
  }
  int close_code = 0;

 private:
  int fd_ = -1;
  std::string in_;
};

TEST_F(SlowReader, AFastSenderThatReadsSlowlyIsSlowedDownNotCutOff) {
  start();
  raw_ws c(server->port());
  constexpr int total = 20000;
  std::atomic<bool> write_failed{false};
  std::thread writer([&] {
    for (int i = 0; i < total; ++i) {
      const auto f = raw_ws::frame(R"({"type":"send","id":"f)" + std::to_string(i) +
                                   R"(","username":"fast","message":")" + std::string(300, 'f') +
                                   std::to_string(i) + "\"}");
      if (!c.write_all(f)) {
        write_failed = true;
        return;
      }
    }
  });
  int acks = 0;
  int messages = 0;
  bool open = true;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (open && acks < total && std::chrono::steady_clock::now() < deadline) {
    open = c.read_some();
    // Slower than the server writes: the answers pile up on its side.
    std::this_thread::sleep_for(1ms);
    if (open)
      open = c.take_frames([&](const std::string& line) {
        if (line.find(R"("type":"ack")") != std::string::npos) ++acks;
        if (line.find(R"("type":"message")") != std::string::npos) ++messages;
      });
  }
  writer.join();
  EXPECT_FALSE(write_failed) << "the server stopped taking frames";
  EXPECT_EQ(c.close_code, 0) << "closed with " << c.close_code;
  EXPECT_EQ(acks, total) << "every send is acknowledged";
  EXPECT_TRUE(server->running());
}

}  // namespace
}  // namespace message::test
