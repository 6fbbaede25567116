// Socket activation (message.socket, issue 32) with systemd's own tool: systemd-socket-activate
// binds the port, waits for the first connection, then starts the real binary with the socket
// as fd 3 and LISTEN_FDS/LISTEN_PID set, as systemd does for message.socket.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "client_process.hpp"
#include "harness.hpp"
#include "temp_dir.hpp"

namespace message::test {
namespace {

/// A loopback port nobody listens on right now (the kernel's pick, released at once).
unsigned short free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("no free port");
  ::close(fd);
  return ntohs(address.sin_port);
}

/// Connects to `port` once it listens (bounded: 100 tries, 50 ms apart), then hangs up: the
/// first connection is what makes systemd-socket-activate start the server.
void knock(unsigned short port) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (connected) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

TEST(SocketActivation, TheServerServesOnTheSocketSystemdBoundAndIgnoresItsOwnPort) {
  temp_dir data;
  const auto port = free_port();
  std::thread knocker(knock, port);
  // The harness adds `--port 0`: under activation the server must not bind a port of its own.
  server_process server({"--data", data.path().string(), "--no-tls"},
                        {"systemd-socket-activate", "-l", "127.0.0.1:" + std::to_string(port)});
  knocker.join();
  EXPECT_EQ(server.port(), port) << "the start line names the inherited socket's port";

  const auto health = http_get(port, "/healthz");
  EXPECT_EQ(health.first, 200);
  ws_client kim(port, "/ws?name=kim");
  ws_client lee(port, "/ws?name=lee");
  ASSERT_TRUE(kim.next_of("welcome"));
  ASSERT_TRUE(lee.next_of("welcome"));
  kim.send_message("a1", "kim", "hello through the socket systemd bound");
  const auto at_lee = lee.next_of("message");
  ASSERT_TRUE(at_lee);
  EXPECT_EQ(str(at_lee->at("message")), "hello through the socket systemd bound");
}

TEST(SocketActivation, TwoInheritedSocketsAreAClearErrorNotAGuess) {
  temp_dir data;
  const auto first = free_port();
  const auto second = free_port();
  std::thread knocker(knock, first);
  temp_dir home;
  const auto result = run_shell("exec systemd-socket-activate -l 127.0.0.1:" + std::to_string(first) +
                                    " -l 127.0.0.1:" + std::to_string(second) + " \"$MESSAGE\" --data '" +
                                    data.path().string() + "' --no-tls",
                                home.path());
  knocker.join();
  EXPECT_NE(result.code, 0);
  EXPECT_NE(result.err.find("one ListenStream="), std::string::npos) << result.out << result.err;
}

}  // namespace
}  // namespace message::test
