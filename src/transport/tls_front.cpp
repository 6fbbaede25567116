#include "transport/tls_front.hpp"

#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include <array>

#include "transport/http_session.hpp"

namespace message::transport {

namespace {

/// Time one direction may stay stuck (a TLS peer that stopped reading). Sessions ping every
/// idle_ping, so a live connection always moves within it.
constexpr auto stuck_limit = std::chrono::seconds(60);

class tls_pump final : public std::enable_shared_from_this<tls_pump> {
 public:
  tls_pump(tcp::socket&& socket, transport_context& ctx, std::size_t loop, connection_slot slot)
      : tls_(std::move(socket), *ctx.tls),
        inner_(tls_.get_executor()),
        sniff_timer_(tls_.get_executor()),
        ctx_(ctx),
        loop_(loop),
        slot_(std::move(slot)) {}

  void run() {
    net::dispatch(tls_.get_executor(), [self = shared_from_this()] {
      // The first byte tells a TLS ClientHello (a handshake record, 0x16) from plain HTTP (a
      // method's first letter): peeked, not read, so whichever side takes over sees it.
      self->sniff_timer_.expires_after(self->ctx_.limits.handshake_timeout);
      self->sniff_timer_.async_wait([self](beast::error_code ec) {
        if (ec) return;
        beast::error_code ignored;
        beast::get_lowest_layer(self->tls_).socket().close(ignored);  // Said nothing in time.
      });
      beast::get_lowest_layer(self->tls_)
          .socket()
          .async_receive(net::buffer(self->first_byte_), tcp::socket::message_peek,
                         [self](beast::error_code ec, std::size_t n) { self->on_first_byte(ec, n); });
    });
  }

 private:
  static constexpr unsigned char tls_handshake_record = 0x16;

  void on_first_byte(beast::error_code ec, std::size_t n) {
    sniff_timer_.cancel();
    if (ec || n == 0) return;
    if (static_cast<unsigned char>(first_byte_[0]) != tls_handshake_record) {
      // Plain HTTP on the TLS port: the ordinary session answers, on the same socket.
      std::make_shared<http_session>(beast::get_lowest_layer(tls_).release_socket(), ctx_, loop_,
                                     std::move(slot_))
          ->run();
      return;
    }
    beast::get_lowest_layer(tls_).expires_after(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(ctx_.limits.handshake_timeout));
    tls_.async_handshake(net::ssl::stream_base::server,
                         [self = shared_from_this()](beast::error_code hec) { self->on_handshake(hec); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return;  // Not TLS, or gave up: nothing to answer in a language it speaks.
    net::local::stream_protocol::socket outer(tls_.get_executor());
    net::local::connect_pair(inner_, outer, ec);
    if (ec) return;
    // The session reads and writes a stream socket; it never asks a TCP-only question of it.
    tcp::socket plain(tls_.get_executor());
    const auto protocol = tcp::v4();
    plain.assign(protocol, outer.release(), ec);
    if (ec) return;
    std::make_shared<http_session>(std::move(plain), ctx_, loop_, std::move(slot_), true)->run();
    do_read_tls();
    do_read_inner();
  }

  void do_read_tls() {
    beast::get_lowest_layer(tls_).expires_after(stuck_limit);
    tls_.async_read_some(net::buffer(from_tls_),
                         [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                           if (ec) return self->tls_ended();
                           net::async_write(self->inner_, net::buffer(self->from_tls_.data(), n),
                                            [self](beast::error_code wec, std::size_t) {
                                              if (wec) return self->stop();
                                              self->do_read_tls();
                                            });
                         });
  }

  void do_read_inner() {
    inner_.async_read_some(net::buffer(from_inner_),
                           [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                             if (ec) return self->inner_ended();
                             beast::get_lowest_layer(self->tls_).expires_after(stuck_limit);
                             net::async_write(self->tls_, net::buffer(self->from_inner_.data(), n),
                                              [self](beast::error_code wec, std::size_t) {
                                                if (wec) return self->stop();
                                                self->do_read_inner();
                                              });
                           });
  }

  /// The client closed: let the session see end-of-stream.
  void tls_ended() {
    beast::error_code ignored;
    inner_.shutdown(net::socket_base::shutdown_send, ignored);
  }

  /// The session is done and everything it wrote has been relayed: close. (No TLS
  /// close_notify: it would race the pending read, and the WebSocket/HTTP framing already
  /// tells the client where the data ends.)
  void inner_ended() { stop(); }

  void stop() {
    beast::error_code ignored;
    inner_.close(ignored);
    auto& socket = beast::get_lowest_layer(tls_).socket();
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
  }

  beast::ssl_stream<beast::tcp_stream> tls_;
  net::local::stream_protocol::socket inner_;
  net::steady_timer sniff_timer_;
  std::array<char, 1> first_byte_{};
  transport_context& ctx_;
  std::size_t loop_;
  connection_slot slot_;
  std::array<char, 16 * 1024> from_tls_{};
  std::array<char, 16 * 1024> from_inner_{};
};

}  // namespace

void serve_tls(tcp::socket&& socket, transport_context& ctx, std::size_t loop_index, connection_slot slot) {
  std::make_shared<tls_pump>(std::move(socket), ctx, loop_index, std::move(slot))->run();
}

}  // namespace message::transport
