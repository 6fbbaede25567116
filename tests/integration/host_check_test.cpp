// DNS rebinding, against the real binary with raw HTTP: a request whose Host is not one of the
// server's own names (a page of another site whose name now points here) gets 421 for the page
// and for /ws; no Host and Origins no browser sends are refused; the server's own names and
// --allow-host names are served.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <climits>

#include "harness.hpp"

namespace message::test {
namespace {

/// The status code of the answer to `request` sent raw to 127.0.0.1:port: read until the end of
/// the answer's header (an upgrade answered 101 stays open), at most 10 s; 0 without an answer.
int answer_status(unsigned short port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (reply.find("\r\n\r\n") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      reply.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  if (reply.size() < 12 || reply.rfind("HTTP/1.1 ", 0) != 0) return 0;
  return std::stoi(reply.substr(9, 3));
}

class HostCheck : public ::testing::Test {
 protected:
  temp_dir data;
  std::unique_ptr<server_process> server;
  void start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--data", data.path().string(), "--no-rate-limit"};
    args.insert(args.end(), extra.begin(), extra.end());
    server = std::make_unique<server_process>(args);
  }
  std::string port() const { return std::to_string(server->port()); }
  /// The status line's code of a raw request ("GET target" with these header lines).
  int status(const std::string& target, const std::string& headers) {
    return answer_status(server->port(),
                         "GET " + target + " HTTP/1.1\r\n" + headers + "Connection: close\r\n\r\n");
  }
  static std::string upgrade_headers(const std::string& host, const std::string& origin) {
    std::string h;
    if (!host.empty()) h += "Host: " + host + "\r\n";
    if (!origin.empty()) h += "Origin: " + origin + "\r\n";
    return h +
           "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  }
  int upgrade(const std::string& host, const std::string& origin) {
    return answer_status(server->port(), "GET /ws HTTP/1.1\r\n" + upgrade_headers(host, origin) + "\r\n");
  }
};

TEST_F(HostCheck, ARebindingPageGetsNeitherThePageNorTheSocket) {
  start();
  const std::string evil = "evil.example:" + port();
  EXPECT_EQ(upgrade(evil, "http://" + evil), 421) << "an upgrade from a rebound name";
  EXPECT_EQ(status("/", "Host: " + evil + "\r\n"), 421) << "the page under a rebound name";
  EXPECT_EQ(status("/app.js", "Host: " + evil + "\r\n"), 421);
  EXPECT_EQ(upgrade("", ""), 421) << "no Host at all";
  EXPECT_EQ(status("/healthz", "Host: " + evil + "\r\n"), 200) << "a monitor may use any name";
  // The server's own names answer.
  EXPECT_EQ(upgrade("127.0.0.1:" + port(), "http://127.0.0.1:" + port()), 101);
  EXPECT_EQ(upgrade("localhost:" + port(), "http://localhost:" + port()), 101);
  EXPECT_EQ(status("/", "Host: LOCALHOST:" + port() + "\r\n"), 200) << "names are compared without case";
  EXPECT_EQ(status("/", "Host: [::1]:" + port() + "\r\n"), 200);
  char name[HOST_NAME_MAX + 1] = {};
  ASSERT_EQ(::gethostname(name, sizeof name - 1), 0);
  std::string host(name);
  EXPECT_EQ(status("/", "Host: " + host + ":" + port() + "\r\n"), 200) << "the hostname";
  EXPECT_EQ(status("/", "Host: " + host.substr(0, host.find('.')) + ".local:" + port() + "\r\n"), 200)
      << "the mDNS name";
}

TEST_F(HostCheck, OriginsNoBrowserSendsAreRefused) {
  start();
  const std::string host = "127.0.0.1:" + port();
  EXPECT_EQ(upgrade(host, "http://" + host + ".evil.example"), 403) << "a port followed by more host";
  EXPECT_EQ(upgrade(host, "http://" + host + ":" + port()), 403) << "two ports";
  EXPECT_EQ(upgrade(host, "http://user@" + host), 403) << "a user part";
  EXPECT_EQ(upgrade(host, "null"), 403);
  EXPECT_EQ(upgrade(host + ":" + port(), ""), 421) << "a Host with two ports";
  EXPECT_EQ(upgrade(host, "http://" + host), 101);
}

TEST_F(HostCheck, AReverseProxysPublicNameIsAllowedWithAllowHost) {
  start({"--allow-host", "chat.example.com"});
  EXPECT_EQ(upgrade("chat.example.com", "https://chat.example.com"), 101) << "as nginx forwards $host";
  EXPECT_EQ(status("/", "Host: Chat.Example.Com\r\n"), 200);
  EXPECT_EQ(upgrade("other.example.com", "https://other.example.com"), 421);
}

}  // namespace
}  // namespace message::test
