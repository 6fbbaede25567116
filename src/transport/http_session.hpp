#pragma once

#include <memory>
#include <optional>

#include "transport/address_table.hpp"
#include "transport/net.hpp"
#include "transport/transport_context.hpp"

namespace message::transport {

/// One HTTP connection: reads requests with bounded header and body size and a deadline
/// (a half-sent request is dropped after limits::handshake_timeout), answers them through
/// route(), and hands a WebSocket upgrade of /ws to a websocket_session after checking Origin
/// and, with --key, the key (wrong guesses slowed down per address: 429 while blocked).
/// Lifetime: shared_from_this() in every handler. Thread-safety: one loop's io_context.
class http_session final : public std::enable_shared_from_this<http_session> {
 public:
  /// `over_tls`: the bytes come from tls_front's pipe (the session cookie is then `Secure`).
  http_session(tcp::socket&& socket, transport_context& ctx, std::size_t loop_index, connection_slot slot,
               bool over_tls = false);
  void run();

 private:
  void do_read();
  /// The header is in: an upload (/files/uploads) goes to an upload_session, which reads its
  /// body in pieces; anything else is read whole.
  void on_header(beast::error_code ec, std::size_t bytes);
  void on_read_body();
  void on_read(beast::error_code ec, std::size_t bytes);
  /// The address's request bucket, the Host and the key: nothing when `req` may go on, else
  /// the answer to send.
  std::optional<response> refuse_request(const request& req);
  void send(response&& res);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);
  void do_shutdown();
  /// After a final error answer: shut our side, then read and drop what the client still
  /// sends (for a second at most) so closing does not reset the answer away.
  void linger();
  void do_drain();
  /// With --key: nothing when `req` may go on, else the 401/429 answer to send.
  std::optional<response> check_key(const request& req);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<response> pending_;
  transport_context& ctx_;
  std::size_t loop_;
  connection_slot slot_;
  bool first_request_ = true;
  bool over_tls_ = false;
};

}  // namespace message::transport
