// Hostile clients against the real binary (docs/security.md). After each attack a normal client
// still chats and the server's resident memory stayed bounded. Every wait is for an event with
// a generous bound; nothing asserts on timing. Loopback only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>

#include <cstring>
#include <random>

#include "harness.hpp"

namespace message::test {
namespace {

namespace http = boost::beast::http;
using tcp = net::ip::tcp;

/// Growth of the server's RSS an attack may cause (sanitizer builds included).
constexpr long rss_growth_limit_kib = 256 * 1024;

// --- a raw TCP connection (POSIX, every read bounded) ------------------------------------

class raw_conn {
 public:
  explicit raw_conn(unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("connect failed");
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~raw_conn() {
    if (fd_ >= 0) ::close(fd_);
  }
  raw_conn(const raw_conn&) = delete;
  raw_conn& operator=(const raw_conn&) = delete;

  /// Writes everything unless the peer is gone; false then.
  bool write(std::string_view bytes) {
    while (!bytes.empty()) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 10000) <= 0) return false;
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// Reads what is there within `limit`: appends to in_; false on EOF/error or timeout with nothing.
  bool read_some(std::chrono::milliseconds limit) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return false;
    char buf[65536];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    in_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  /// Reads until the peer closes (true) or `limit` passes (false).
  bool read_until_closed(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!eof_) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      read_some(left);
    }
    return true;
  }
  std::string& input() { return in_; }
  bool eof() const { return eof_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string in_;
  bool eof_ = false;
};

/// A client WebSocket frame (always masked; the zero mask keeps the payload readable).
std::string client_frame(int opcode, std::string_view payload, bool fin = true) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
  const auto n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n < 65536) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xff));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i)
      f.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xff));
  }
  f.append(4, '\0');
  f.append(payload);
  return f;
}

struct server_frame {
  int opcode = 0;
  std::string payload;
};

/// Takes the complete server frames off the front of `in`.
std::vector<server_frame> take_frames(std::string& in) {
  std::vector<server_frame> out;
  std::size_t pos = 0;
  for (;;) {
    if (in.size() - pos < 2) break;
    const auto b0 = static_cast<unsigned char>(in[pos]);
    const auto b1 = static_cast<unsigned char>(in[pos + 1]);
    std::uint64_t len = b1 & 0x7f;
    std::size_t head = 2;
    if (len == 126) {
      if (in.size() - pos < 4) break;
      len = (std::uint64_t{static_cast<unsigned char>(in[pos + 2])} << 8) |
            static_cast<unsigned char>(in[pos + 3]);
      head = 4;
    } else if (len == 127) {
      if (in.size() - pos < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i)
        len = (len << 8) | static_cast<unsigned char>(in[pos + 2 + static_cast<std::size_t>(i)]);
      head = 10;
    }
    if (in.size() - pos < head + len) break;
    out.push_back({b0 & 0x0f, in.substr(pos + head, static_cast<std::size_t>(len))});
    pos += head + static_cast<std::size_t>(len);
  }
  in.erase(0, pos);
  return out;
}

int close_code_of(const server_frame& f) {
  if (f.opcode != 8 || f.payload.size() < 2) return 0;
  return (static_cast<unsigned char>(f.payload[0]) << 8) | static_cast<unsigned char>(f.payload[1]);
}

/// A WebSocket upgrade over a raw connection; returns the connection after the 101.
std::unique_ptr<raw_conn> raw_upgrade(unsigned short port, const std::string& extra_headers = {}) {
  auto c = std::make_unique<raw_conn>(port);
  c->write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
           extra_headers + "\r\n");
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (c->input().find("\r\n\r\n") == std::string::npos && std::chrono::steady_clock::now() < deadline &&
         c->read_some(1000ms)) {
  }
  const auto end = c->input().find("\r\n\r\n");
  if (end == std::string::npos || c->input().rfind("HTTP/1.1 101", 0) != 0)
    throw std::runtime_error("upgrade refused: " + c->input().substr(0, 200));
  c->input().erase(0, end + 4);
  return c;
}

/// The JSON objects in the text frames of `frames`.
std::vector<json::object> objects_of(const std::vector<server_frame>& frames) {
  std::vector<json::object> out;
  for (const auto& f : frames) {
    if (f.opcode != 1) continue;
    std::size_t start = 0;
    while (start < f.payload.size()) {
      auto end = f.payload.find('\n', start);
      if (end == std::string::npos) end = f.payload.size();
      boost::system::error_code ec;
      auto v = json::parse(std::string_view(f.payload).substr(start, end - start), ec);
      if (!ec && v.is_object()) out.push_back(v.as_object());
      start = end + 1;
    }
  }
  return out;
}

// --- fixture --------------------------------------------------------------------------------

class Security : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--data", dir_.path().string(), "--store", "memory"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<server_process>(std::move(args));
    baseline_rss_ = server_->rss_kib();
  }
  unsigned short port() const { return server_->port(); }

  /// Two normal clients exchange a message, and the server's memory stayed bounded. With
  /// `refilling`, the address has just drained its own rate bucket (the attack came from
  /// 127.0.0.1 too): a 429 or rate_limited answer is then awaited out and retried.
  void expect_still_chats(const std::string& tag, bool refilling = false) {
    ASSERT_TRUE(server_->running()) << "the server died";
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    auto connect = [&](const std::string& target) {
      for (;;) {
        try {
          auto c = std::make_unique<ws_client>(port(), target);
          if (c->next_of("welcome")) return c;
          if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("no welcome");
        } catch (const std::exception&) {
          if (!refilling || std::chrono::steady_clock::now() > deadline) throw;
        }
      }
    };
    auto a = connect("/ws?room=after-" + tag);
    auto b = connect("/ws?room=after-" + tag);
    for (int attempt = 0;; ++attempt) {
      const std::string id = "after-" + tag + "-" + std::to_string(attempt);
      a->send_message(id, "alice", "still here");
      auto answer = a->next();
      while (answer && str((*answer)["type"]) != "ack" && str((*answer)["type"]) != "error")
        answer = a->next();
      ASSERT_TRUE(answer) << "no answer to a normal message after: " << tag;
      if (str((*answer)["type"]) == "ack") break;
      ASSERT_TRUE(refilling && str((*answer)["code"]) == "rate_limited" &&
                  std::chrono::steady_clock::now() < deadline)
          << json::serialize(*answer);
    }
    auto m = b->next_of("message");
    ASSERT_TRUE(m) << "a normal client no longer receives messages after: " << tag;
    EXPECT_EQ(str((*m)["message"]), "still here");
    const long rss = server_->rss_kib();
    EXPECT_LT(rss - baseline_rss_, rss_growth_limit_kib)
        << "RSS grew from " << baseline_rss_ << " to " << rss << " KiB";
  }

  temp_dir dir_;
  std::unique_ptr<server_process> server_;
  long baseline_rss_ = 0;
};

TEST_F(Security, GarbageInsteadOfAHandshakeGets400) {
  start();
  std::mt19937 rng(42);
  std::string garbage(8192, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  garbage[0] = '\x01';  // Not even a method name (nor a TLS record: 0x16 is below).
  const auto reply = raw_exchange(port(), garbage);
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply.substr(0, 100);
  // Garbage that starts like a TLS record goes to TLS (on by default), whose handshake fails:
  // no HTTP answer, and the server goes on.
  garbage[0] = '\x16';
  EXPECT_EQ(raw_exchange(port(), garbage).find("HTTP/1.1"), std::string::npos);
  // Plain text that only looks like HTTP, and an HTTP/0.9-style line.
  EXPECT_EQ(raw_exchange(port(), "HELLO\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  expect_still_chats("garbage");
}

TEST_F(Security, HugeHeadersGet431) {
  start();
  std::string req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 64; ++i)
    req += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'a') + "\r\n";
  req += "\r\n";
  const auto reply = raw_exchange(port(), req);
  EXPECT_EQ(reply.rfind("HTTP/1.1 431", 0), 0u) << reply.substr(0, 100);
  expect_still_chats("headers");
}

TEST_F(Security, ABigBodyGets413) {
  start();
  const auto reply = raw_exchange(
      port(), "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n" + std::string(70000, 'x'));
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply.substr(0, 100);
  expect_still_chats("body");
}

TEST_F(Security, SlowlorisIsDropped) {
  start({"--handshake-timeout", "2"});
  std::vector<std::unique_ptr<raw_conn>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<raw_conn>(port()));
    ASSERT_TRUE(slow.back()->write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  }
  // Dribbling a byte now and then does not extend the deadline; the server hangs up.
  for (auto& c : slow) {
    for (int i = 0; i < 3 && !c->eof(); ++i) {
      c->write("a");
      c->read_some(500ms);  // Waits for the close or half a second, whichever first.
    }
    EXPECT_TRUE(c->read_until_closed(30s)) << "a half-sent request was not dropped";
    EXPECT_EQ(c->input().find("200 OK"), std::string::npos);
  }
  expect_still_chats("slowloris");
}

TEST_F(Security, FragmentedFramesWithAPingBetweenAreReassembled) {
  start();
  auto c = raw_upgrade(port());
  const std::string msg = R"({"type":"send","id":"frag-1","username":"frag","message":"in pieces"})";
  ASSERT_TRUE(c->write(client_frame(1, msg.substr(0, 10), false)));
  ASSERT_TRUE(c->write(client_frame(9, "are you there")));  // A control frame between fragments.
  ASSERT_TRUE(c->write(client_frame(0, msg.substr(10, 20), false)));
  ASSERT_TRUE(c->write(client_frame(0, msg.substr(30), true)));
  bool acked = false, ponged = false;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!(acked && ponged) && std::chrono::steady_clock::now() < deadline && c->read_some(2000ms)) {
    auto frames = take_frames(c->input());
    for (const auto& f : frames) ponged = ponged || (f.opcode == 10 && f.payload == "are you there");
    for (const auto& o : objects_of(frames))
      acked = acked || (str(o.at("type")) == "ack" && str(o.at("id")) == "frag-1");
  }
  EXPECT_TRUE(acked);
  EXPECT_TRUE(ponged);
  // A continuation with nothing to continue is a protocol error: the server closes (1002).
  auto d = raw_upgrade(port());
  ASSERT_TRUE(d->write(client_frame(0, "orphan")));
  EXPECT_TRUE(d->read_until_closed(15s));
  int code = 0;
  for (const auto& f : take_frames(d->input())) code = code ? code : close_code_of(f);
  EXPECT_EQ(code, 1002);
  expect_still_chats("fragments");
}

TEST_F(Security, InvalidUtf8ClosesWith1007) {
  start();
  ws_client c(port());
  ASSERT_TRUE(c.next_of("welcome"));
  c.send(std::string(R"({"type":"send","id":"u1","username":"x","message":")") + "\xc3\x28\xff" + "\"}");
  EXPECT_EQ(c.wait_closed(10s), 1007);
  expect_still_chats("utf8");
}

TEST_F(Security, APingFloodIsClosedWith4029) {
  start();
  auto c = raw_upgrade(port());
  int code = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  const std::string batch = [] {
    std::string b;
    for (int i = 0; i < 50; ++i) b += client_frame(9, "ping");
    return b;
  }();
  while (code == 0 && std::chrono::steady_clock::now() < deadline) {
    if (!c->write(batch)) break;
    while (c->read_some(0ms)) {
    }
    for (const auto& f : take_frames(c->input())) code = code ? code : close_code_of(f);
    if (c->eof()) break;
  }
  if (code == 0) {
    c->read_until_closed(10s);
    for (const auto& f : take_frames(c->input())) code = code ? code : close_code_of(f);
  }
  EXPECT_EQ(code, 4029);
  expect_still_chats("pings");
}

TEST_F(Security, AMessageFloodGetsRateLimitedThen4029WhileOthersChat) {
  start();
  ws_client bystander(port(), "/ws?room=flood");
  ws_client listener(port(), "/ws?room=flood");
  ASSERT_TRUE(bystander.next_of("welcome"));
  ASSERT_TRUE(listener.next_of("welcome"));

  auto c = raw_upgrade(port());
  int code = 0;
  std::size_t limited = 0, acked = 0, sent = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  bool bystander_checked = false;
  while (code == 0 && std::chrono::steady_clock::now() < deadline) {
    std::string batch;
    for (int i = 0; i < 20; ++i, ++sent)
      batch += client_frame(1, R"({"type":"send","id":"f)" + std::to_string(sent) +
                                   R"(","username":"flood","message":"spam","room":"other"})");
    if (!c->write(batch)) break;
    while (c->read_some(0ms)) {
    }
    auto frames = take_frames(c->input());
    for (const auto& f : frames) code = code ? code : close_code_of(f);
    for (const auto& o : objects_of(frames)) {
      const auto type = str(o.at("type"));
      if (type == "error" && str(o.at("code")) == "rate_limited") ++limited;
      if (type == "ack") ++acked;
    }
    if (limited > 0 && !bystander_checked) {
      // In the middle of the flood, from the same address, a normal client still gets through.
      bystander_checked = true;
      bystander.send_message("calm-1", "calm", "hello during the flood", "flood");
      auto m = listener.next_of("message");
      ASSERT_TRUE(m);
      EXPECT_EQ(str((*m)["id"]), "calm-1");
    }
    if (c->eof()) break;
  }
  if (code == 0) {
    c->read_until_closed(10s);
    for (const auto& f : take_frames(c->input())) code = code ? code : close_code_of(f);
  }
  EXPECT_GT(limited, 0u);
  EXPECT_GT(acked, 0u) << "the first messages of a burst are accepted";
  EXPECT_EQ(code, 4029);
  expect_still_chats("flood");
}

TEST_F(Security, NoRateLimitLetsABurstThrough) {
  start({"--no-rate-limit"});
  ws_client c(port());
  ASSERT_TRUE(c.next_of("welcome"));
  for (int i = 0; i < 300; ++i) c.send_message("b" + std::to_string(i), "bench", "fast");
  const auto acks = c.collect("ack", 300, 30s);
  EXPECT_EQ(acks.size(), 300u);
  while (auto e = c.next_of("error", 200ms)) ADD_FAILURE() << json::serialize(*e);
}

TEST_F(Security, DeeplyNestedJsonIsBadJson) {
  start();
  ws_client c(port());
  ASSERT_TRUE(c.next_of("welcome"));
  c.send(std::string(30000, '[') + std::string(30000, ']'));
  auto e = c.next_of("error");
  ASSERT_TRUE(e);
  EXPECT_EQ(str((*e)["code"]), "bad_json");
  c.send(std::string(R"({"type":"send","id":"n","username":"x","message":"y","z":)") +
         std::string(20000, '{') + std::string(20000, '}') + "}");
  e = c.next_of("error");
  ASSERT_TRUE(e);
  EXPECT_EQ(str((*e)["code"]), "bad_json");
  expect_still_chats("nesting");
}

TEST_F(Security, HugeNumbersAreRefusedNotTrusted) {
  start();
  ws_client c(port());
  ASSERT_TRUE(c.next_of("welcome"));
  const char* frames[] = {
      R"({"type":"history","before":1e400})",
      R"({"type":"history","before":99999999999999999999999999999999})",
      R"({"type":"history","limit":-5})",
      R"({"type":"subscribe","room":"r","since":18446744073709551616})",
      R"({"type":"send","id":"h1","username":"x","message":1e308})",
  };
  for (const char* f : frames) {
    c.send(f);
    auto e = c.next_of("error");
    ASSERT_TRUE(e) << f;
    EXPECT_FALSE(str((*e)["code"]).empty());
  }
  expect_still_chats("numbers");
}

TEST_F(Security, A10000ConnectionBurstFromOneAddressIsCapped) {
  // A long handshake time keeps the 64 admitted (silent) connections open while we count.
  start({"--max-connections-per-address", "64", "--handshake-timeout", "300"});
  constexpr int burst = 10000;
  std::vector<int> fds;
  fds.reserve(burst);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port());
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < burst; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0) << "the test ran out of descriptors: " << std::strerror(errno);
    ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a);  // EINPROGRESS is fine.
    fds.push_back(fd);
  }
  // Wait until all but the admitted ones have an answer (503) or were closed.
  std::vector<std::string> replies(burst);
  std::vector<bool> done(burst, false);
  int finished = 0, refused = 0;
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  while (finished < burst - 64 && std::chrono::steady_clock::now() < deadline) {
    std::vector<pollfd> polls;
    std::vector<int> index;
    for (int i = 0; i < burst; ++i) {
      if (done[static_cast<std::size_t>(i)]) continue;
      polls.push_back({fds[static_cast<std::size_t>(i)], POLLIN, 0});
      index.push_back(i);
    }
    if (::poll(polls.data(), polls.size(), 1000) <= 0) continue;
    for (std::size_t k = 0; k < polls.size(); ++k) {
      if (!(polls[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const auto i = static_cast<std::size_t>(index[k]);
      char buf[1024];
      const auto n = ::recv(fds[i], buf, sizeof buf, 0);
      if (n > 0) {
        replies[i].append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINPROGRESS)) continue;
      done[i] = true;
      ++finished;
      if (replies[i].rfind("HTTP/1.1 503", 0) == 0) ++refused;
    }
  }
  EXPECT_GE(finished, burst - 64) << "more than 64 connections from one address were kept";
  EXPECT_GE(refused, burst - 64 - 100) << "refusals should carry a 503";
  // While the admitted 64 are still open, the address is full: a 65th gets 503 at once.
  const auto reply = raw_exchange(port(), "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 503", 0), 0u) << reply.substr(0, 80);
  for (const int fd : fds) ::close(fd);
  // Once they are gone, the address may connect again.
  const auto deadline2 = std::chrono::steady_clock::now() + 20s;
  int status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < deadline2)
    status = http_get(port(), "/healthz").first;
  EXPECT_EQ(status, 200);
  expect_still_chats("burst");
}

TEST_F(Security, AnHttpRequestFloodGets429) {
  start();
  // Keep-alive requests back to back on one connection, far past the address's frame rate.
  std::string burst;
  for (int i = 0; i < 1000; ++i) burst += "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
  raw_conn c(port());
  ASSERT_TRUE(c.write(burst));
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (c.input().find("HTTP/1.1 429") == std::string::npos && std::chrono::steady_clock::now() < deadline &&
         c.read_some(2000ms)) {
  }
  EXPECT_NE(c.input().find("HTTP/1.1 429"), std::string::npos);
  EXPECT_NE(c.input().find("HTTP/1.1 200"), std::string::npos) << "the first requests are served";
  expect_still_chats("http-flood", true);
}

// --- the access key ----------------------------------------------------------------------------

std::string base64url(std::string_view in) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned int acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 63]);
  return out;
}

/// A browser-like upgrade that offers the subprotocol and the key; returns the HTTP status
/// and, when 101, the first object from the server.
std::pair<int, std::optional<json::object>> keyed_upgrade(unsigned short port, const std::string& key) {
  raw_conn c(port);
  c.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://127.0.0.1:" +
          std::to_string(port) + "\r\nSec-WebSocket-Protocol: message.v1, key." + base64url(key) +
          "\r\n\r\n");
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (c.input().find("\r\n\r\n") == std::string::npos && std::chrono::steady_clock::now() < deadline &&
         c.read_some(1000ms)) {
  }
  const auto& in = c.input();
  const int status = in.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(in.substr(9, 3)) : 0;
  if (status != 101) return {status, std::nullopt};
  EXPECT_NE(in.find("Sec-WebSocket-Protocol: message.v1"), std::string::npos)
      << "the subprotocol must be named back";
  c.input().erase(0, in.find("\r\n\r\n") + 4);
  while (std::chrono::steady_clock::now() < deadline) {
    auto objects = objects_of(take_frames(c.input()));
    if (!objects.empty()) return {status, objects.front()};
    if (!c.read_some(1000ms)) break;
  }
  return {status, std::nullopt};
}

TEST_F(Security, TheKeyGuardsTheChatAndWrongGuessesSlowDown) {
  const std::string key = "correct horse battery staple ü";
  start({"--key", key});
  EXPECT_EQ(server_->banner().find(key), std::string::npos) << "the key must never be printed";
  // The page and /healthz need no key; /auth and /ws do.
  EXPECT_EQ(http_get(port(), "/").first, 200);
  EXPECT_EQ(http_get(port(), "/healthz").first, 200);
  const auto [no_key, body] = http_get(port(), "/auth");
  EXPECT_EQ(no_key, 401);
  EXPECT_EQ(body.find("lobby"), std::string::npos);
  EXPECT_EQ(http_get(port(), "/auth", {{"Authorization", "Bearer " + key}}).first, 200);
  EXPECT_THROW(ws_client{port()}, std::exception) << "an upgrade without the key must be refused";
  {
    auto [status, first] = keyed_upgrade(port(), key);
    EXPECT_EQ(status, 101);
    ASSERT_TRUE(first);
    EXPECT_EQ(str((*first)["type"]), "welcome");
  }
  // A keyed connection opened now keeps chatting through the guessing below.
  auto kept = raw_upgrade(port(), "Sec-WebSocket-Protocol: message.v1, key." + base64url(key) + "\r\n");
  // Five wrong guesses answer 401; then the address must wait (429 with Retry-After), even
  // with the right key, for a time that grows with each further failure.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(keyed_upgrade(port(), "guess" + std::to_string(i)).first, 401);
  EXPECT_EQ(http_get(port(), "/auth", {{"Authorization", "Bearer guess4"}}).first, 401);
  EXPECT_EQ(http_get(port(), "/auth", {{"Authorization", "Bearer guess5"}}).first, 429)
      << "exactly five wrong guesses, not six";
  const auto [blocked, reply] = http_get(port(), "/auth", {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(blocked, 429);
  EXPECT_NE(reply.find("Retry-After:"), std::string::npos);
  EXPECT_NE(reply.find("try again in "), std::string::npos)
      << "the refusal says when to come back: " << reply;
  EXPECT_EQ(keyed_upgrade(port(), key).first, 429);
  ASSERT_TRUE(
      kept->write(client_frame(1, R"({"type":"send","id":"k1","username":"kept","message":"still in"})")));
  bool acked = false;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!acked && std::chrono::steady_clock::now() < deadline && kept->read_some(2000ms)) {
    for (const auto& o : objects_of(take_frames(kept->input())))
      acked = acked || (str(o.at("type")) == "ack" && str(o.at("id")) == "k1");
  }
  EXPECT_TRUE(acked);
  EXPECT_LT(server_->rss_kib() - baseline_rss_, rss_growth_limit_kib);
}

}  // namespace
}  // namespace message::test
