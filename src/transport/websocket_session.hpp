#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/client.hpp"
#include "core/client_sink.hpp"
#include "core/connection_rate.hpp"
#include "protocol/ws_query.hpp"
#include "transport/address_table.hpp"
#include "transport/net.hpp"
#include "transport/transport_context.hpp"

namespace message::transport {

/// One WebSocket connection: the I/O half of a chat client. Keeps one read outstanding (so
/// pings and the close handshake are processed), one write at a time, and a send queue
/// bounded in bytes. Every queued line is written in one frame, lines joined by '\n'
/// (NDJSON), without copying the shared bytes.
///
/// Lifetime: shared_from_this() is bound into every handler; the session lives exactly as long
/// as an operation is pending. Thread-safety: lives on one loop's io_context; all calls on it.
class websocket_session final : public std::enable_shared_from_this<websocket_session>,
                                public core::client_sink {
 public:
  websocket_session(tcp::socket&& socket, transport_context& ctx, std::size_t loop_index,
                    connection_slot slot);
  ~websocket_session() override;

  /// Accepts the upgrade `req`. A query refusal (bad room/since) is sent as an error frame,
  /// then the connection closes with 1008.
  void run(request req, std::variant<protocol::connect_request, protocol::decode_error> query);

  // core::client_sink
  void deliver(core::shared_line line) override;
  void close(core::close_code code, std::string_view reason) override;
  std::size_t queued_bytes() const override { return queued_bytes_; }

 private:
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  /// Rate limits (docs/security.md): true when the frame may reach the chat core; otherwise a
  /// rate_limited error was queued, or the connection is closing with 4029.
  bool admit_frame(std::string_view frame);
  void on_control(websocket::frame_type kind, std::string_view payload);
  void flood();
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void do_close();
  void on_close(beast::error_code ec);
  void finish(beast::error_code ec);

  // No permessage-deflate (the `false`): LAN chat lines are small, and the deflate state would
  // cost memory per connection and compile time (docs/architecture.md).
  websocket::stream<beast::tcp_stream, false> ws_;
  transport_context& ctx_;
  std::size_t loop_;
  connection_slot slot_;
  core::connection_rate rate_;
  beast::flat_buffer buffer_;
  std::shared_ptr<core::client> client_;
  std::optional<protocol::decode_error> refusal_;

  std::deque<core::shared_line> queue_;  // Waiting for the next write.
  core::shared_line lone_;               // A lone line, held alive while async_write runs,
  std::string joined_;                   // or several lines joined by '\n', being written.
  std::size_t in_flight_bytes_ = 0;      // What the write in flight counts in queued_bytes_.
  std::size_t queued_bytes_ = 0;         // queue_ + the write in flight.
  bool writing_ = false;
  bool closing_ = false;  // No more lines accepted.
  bool close_sent_ = false;
  std::optional<websocket::close_reason> pending_close_;
  net::steady_timer close_timer_;
  bool finished_ = false;
};

}  // namespace message::transport
