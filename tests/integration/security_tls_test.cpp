// TLS on the port (by default with a self-signed certificate kept in --data, or
// --tls-cert/--tls-key; --no-tls turns it off): https and wss work, the certificate is kept
// across restarts and its fingerprint printed; plain HTTP on the same port gets the page, and
// /auth tells it the fingerprint to offer https with.
#include <sys/socket.h>
#include <sys/time.h>

#include <gtest/gtest.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "harness.hpp"

namespace message::test {
namespace {

namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

/// The first "AB:CD:..." SHA-256 fingerprint (32 hex pairs) in the banner, or empty.
std::string fingerprint_in(const std::string& banner) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
  constexpr std::size_t length = 32 * 3 - 1;
  for (std::size_t i = 0; i + length <= banner.size(); ++i) {
    bool ok = true;
    for (std::size_t k = 0; k < length && ok; ++k)
      ok = k % 3 == 2 ? banner[i + k] == ':' : hex(banner[i + k]);
    if (ok) return banner.substr(i, length);
  }
  return {};
}

/// Runs `io` until the flag is set or 10 s pass.
void run_until(net::io_context& io, const bool& done) {
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    if (io.run_one_for(100ms) == 0 && io.stopped()) io.restart();
  }
}

/// One TLS connection (certificate not verified: a self-signed one is checked by fingerprint).
/// `ws` is the WebSocket over it; plain HTTP uses ws.next_layer().
struct tls_client {
  explicit tls_client(unsigned short port) : tls(ssl::context::tls_client), ws(io, tls) {
    tls.set_verify_mode(ssl::verify_none);
    bool done = false;
    beast::error_code result;
    auto& tcp_layer = beast::get_lowest_layer(ws);
    tcp_layer.expires_after(10s);
    tcp_layer.async_connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
          if (ec) {
            result = ec;
            done = true;
            return;
          }
          ws.next_layer().async_handshake(ssl::stream_base::client, [&](beast::error_code hec) {
            result = hec;
            done = true;
          });
        });
    run_until(io, done);
    if (!done || result) throw std::runtime_error("TLS handshake failed: " + result.message());
    tcp_layer.expires_never();
  }
  net::io_context io;
  ssl::context tls;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws;
};

TEST(SecurityTls, ByDefaultServesHttpsAndWssAndKeepsItsCertificateInData) {
  temp_dir dir;
  std::string first_fingerprint;
  {
    // No TLS flag: https is the default, even with messages in memory (the certificate is
    // still kept in --data, so the browser's exception and the pinned key survive restarts).
    server_process server({"--data", dir.path().string(), "--store", "memory"});
    first_fingerprint = fingerprint_in(server.banner());
    EXPECT_FALSE(first_fingerprint.empty()) << server.banner();
    const std::string first_line = server.banner().substr(0, server.banner().find('\n'));
    EXPECT_TRUE(first_line.ends_with(" Server start on port " + std::to_string(server.port())))
        << "the original's start line comes first:\n"
        << server.banner();
    EXPECT_NE(server.banner().find("open https://127.0.0.1:" + std::to_string(server.port()) + "/"),
              std::string::npos)
        << server.banner();
    EXPECT_NE(server.banner().find("kept in " + (dir.path() / "tls-cert.pem").string()), std::string::npos)
        << server.banner();

    // https: GET /healthz.
    {
      tls_client c(server.port());
      http::request<http::empty_body> req{http::verb::get, "/healthz", 11};
      req.set(http::field::host, "127.0.0.1");
      req.keep_alive(false);
      http::response<http::string_body> res;
      beast::flat_buffer buf;
      bool done = false;
      beast::error_code result;
      http::async_write(c.ws.next_layer(), req, [&](beast::error_code ec, std::size_t) {
        if (ec) {
          result = ec;
          done = true;
          return;
        }
        http::async_read(c.ws.next_layer(), buf, res, [&](beast::error_code rec, std::size_t) {
          result = rec;
          done = true;
        });
      });
      run_until(c.io, done);
      ASSERT_TRUE(done);
      EXPECT_FALSE(result) << result.message();
      EXPECT_EQ(res.result_int(), 200u);
    }
    // wss: welcome, then a message comes back as an ack.
    {
      tls_client c(server.port());
      auto& ws = c.ws;
      bool done = false;
      beast::error_code result;
      beast::flat_buffer buf;
      std::string got;
      ws.async_handshake("127.0.0.1", "/ws", [&](beast::error_code ec) {
        if (ec) {
          result = ec;
          done = true;
          return;
        }
        ws.async_read(buf, [&](beast::error_code rec, std::size_t) {
          result = rec;
          got = beast::buffers_to_string(buf.data());
          done = true;
        });
      });
      run_until(c.io, done);
      ASSERT_TRUE(done);
      EXPECT_FALSE(result) << result.message();
      EXPECT_NE(got.find(R"("type":"welcome")"), std::string::npos) << got;
    }
    // Plain HTTP on the TLS port: the first byte is not a ClientHello, so the page is served,
    // and /auth names the certificate the page offers https with.
    EXPECT_EQ(http_get(server.port(), "/").first, 200);
    const auto [auth_status, auth] = http_get(server.port(), "/auth");
    EXPECT_EQ(auth_status, 200);
    EXPECT_NE(auth.find(R"("tls_fingerprint":")" + first_fingerprint + "\""), std::string::npos) << auth;
    EXPECT_EQ(server.stop(), 0);
  }
  // --tls-self-signed, the default before, still starts and serves the same certificate.
  server_process again({"--data", dir.path().string(), "--store", "memory", "--tls-self-signed"});
  EXPECT_EQ(fingerprint_in(again.banner()), first_fingerprint) << "the certificate must be kept";
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "tls-key.pem"));
  EXPECT_EQ(std::filesystem::status(dir.path() / "tls-key.pem").permissions() &
                (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
}

TEST(SecurityTls, GivenCertificateFilesAreServed) {
  temp_dir dir;
  temp_dir made;
  {
    // Let the server make a pair, then serve it as ordinary --tls-cert/--tls-key files.
    server_process maker({"--data", made.path().string(), "--store", "memory", "--tls-self-signed"});
  }
  server_process server({"--data", dir.path().string(), "--store", "memory", "--tls-cert",
                         (made.path() / "tls-cert.pem").string(), "--tls-key",
                         (made.path() / "tls-key.pem").string()});
  EXPECT_FALSE(fingerprint_in(server.banner()).empty());
  tls_client c(server.port());  // Throws if the handshake fails.
}

TEST(SecurityTls, AConnectionThatSaysNothingIsClosedAfterTheHandshakeTimeout) {
  temp_dir dir;
  server_process server(
      {"--data", dir.path().string(), "--store", "memory", "--tls-self-signed", "--handshake-timeout", "1"});
  // Neither a ClientHello nor HTTP: the first byte never comes, and the server must not wait
  // for it forever (a slowloris on the port that sniffs it).
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  const timeval limit{10, 0};  // Far past the 1 s timeout: only a server that never closes hits it.
  ASSERT_EQ(::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit), 0);
  char byte = 0;
  EXPECT_EQ(::recv(socket.native_handle(), &byte, 1, 0), 0) << "closed by the server, not timed out here";
}

TEST(SecurityTls, NoTlsServesPlainHttpOnlyAndWritesNoCertificate) {
  temp_dir dir;
  ::setenv("MESSAGE_NO_TLS", "1", 1);  // The environment variable, as for every flag.
  server_process server({"--data", dir.path().string(), "--store", "memory"});
  ::unsetenv("MESSAGE_NO_TLS");
  EXPECT_NE(server.banner().find("open http://127.0.0.1:" + std::to_string(server.port()) + "/"),
            std::string::npos)
      << server.banner();
  EXPECT_TRUE(fingerprint_in(server.banner()).empty()) << server.banner();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tls-key.pem"));
  EXPECT_EQ(http_get(server.port(), "/").first, 200);
  EXPECT_EQ(http_get(server.port(), "/auth").second.find("tls_fingerprint"), std::string::npos);
  EXPECT_THROW(tls_client c(server.port()), std::runtime_error) << "no TLS on the port";
}

TEST(SecurityTls, NoTlsWithACertificateIsAClearError) {
  temp_dir made;
  { server_process maker({"--data", made.path().string(), "--store", "memory"}); }
  const auto [status, out] = run_to_exit({"--no-tls", "--tls-cert", (made.path() / "tls-cert.pem").string(),
                                          "--tls-key", (made.path() / "tls-key.pem").string()});
  EXPECT_EQ(status, 2);
  EXPECT_NE(out.find("--no-tls"), std::string::npos) << out;
}

TEST(SecurityTls, ADataDirectoryThatCannotKeepTheCertificateGetsOneInMemoryAndSaysSo) {
  temp_dir dir;
  // A directory where the key's temporary file goes: writing it fails as on a read-only or full
  // disk, even for root (who ignores a read-only mode).
  std::filesystem::create_directory(dir.path() / "tls-key.pem.tmp");
  server_process server({"--data", dir.path().string(), "--store", "memory"});
  EXPECT_NE(server.banner().find("in memory only"), std::string::npos) << server.banner();
  EXPECT_NE(server.banner().find("tls-key.pem.tmp"), std::string::npos) << "says why:\n" << server.banner();
  EXPECT_FALSE(fingerprint_in(server.banner()).empty()) << server.banner();
  tls_client c(server.port());  // Throws if the handshake fails.
}

TEST(SecurityTls, AMissingCertificateFileIsAClearError) {
  const auto [status, out] = run_to_exit({"--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.pem"});
  EXPECT_EQ(status, 2);
  EXPECT_NE(out.find("nonexistent"), std::string::npos);
}

}  // namespace
}  // namespace message::test
