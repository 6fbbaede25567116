#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/core/buffers_suffix.hpp>

#include "core/client.hpp"
#include "core/client_sink.hpp"
#include "core/connection_rate.hpp"
#include "protocol/ws_query.hpp"
#include "transport/address_table.hpp"
#include "transport/deadline_sweep.hpp"
#include "transport/net.hpp"
#include "transport/session_state.hpp"
#include "transport/transport_context.hpp"
#include "transport/websocket_frame.hpp"

namespace message::transport {

/// One WebSocket connection: the I/O half of a chat client, speaking RFC 6455 straight on the
/// socket (websocket_frame.hpp decodes; this class reads, writes, pings and closes).
///
/// Why not Beast's websocket::stream (docs/architecture.md, "The WebSocket layer"): an idle
/// connection there holds about 3 KB of stream and 1.5 KB of pending read buffer. Here an idle
/// connection holds no buffer at all: it waits for the socket to become readable, reads into
/// its loop's scratch buffer, and keeps bytes of its own only for a frame cut in two. Writes go
/// out with one non-blocking sendmsg of [control frames][header][payload][close], and only
/// what the kernel did not take waits for an asynchronous write.
///
/// Queued lines are joined by '\n' into one frame per write (NDJSON); a lone line is written
/// from the shared bytes without a copy. The send queue is bounded in bytes.
///
/// Lifetime: shared_from_this() is bound into every handler; the session lives exactly as long
/// as an operation is pending (a readability wait always is, until the end). Its deadline is
/// an entry in the loop's deadline_sweep, which holds no ownership and is left in the
/// destructor. Thread-safety: lives on one loop's io_context; all calls on it.
class websocket_session final : public std::enable_shared_from_this<websocket_session>,
                                public core::client_sink,
                                private deadline_sweep::member {
 public:
  websocket_session(tcp::socket&& socket, transport_context& ctx, std::size_t loop_index,
                    connection_slot slot);
  ~websocket_session() override;

  /// Accepts the upgrade `req`, which refuse_upgrade() passed. A query refusal (bad
  /// room/since) is sent as an error frame, then the connection closes with 1008.
  void run(const request& req, std::variant<protocol::connect_request, protocol::decode_error> query);

  // core::client_sink
  void deliver(core::shared_line line) override;
  void close(core::close_code code, std::string_view reason) override;
  void write_round_due() override { do_write(); }
  std::size_t queued_bytes() const override { return queued_bytes_; }
  std::vector<std::pair<std::string, std::uint64_t>> drop_room_messages(
      const std::function<bool(std::string_view room)>& may_drop) override;

 private:
  void on_handshake_written(boost::system::error_code ec, std::optional<protocol::decode_error> refusal);

  // Reading.
  void read();
  void wait_readable();
  void take(char* data, std::size_t size);
  /// Handles one decoded frame; false when reading must stop (a close, a failure).
  bool on_frame(const ws::read_result& frame);
  /// Decodes a text frame once, and hands the command to the chat core when the rate limits
  /// (docs/security.md) admit it; otherwise queues a rate_limited error naming its id, or
  /// closes with 4029 (a flood, not decoded at all).
  void on_text(std::string_view text);
  void on_ping(std::string_view payload);
  void on_peer_close(std::uint16_t code);
  void flood();
  /// The peer broke the protocol: no more reading or lines, a close frame with `code`, then
  /// what the peer still sends is read and dropped until it hangs up (or the close deadline).
  void fail(std::uint16_t code, std::string_view reason);
  /// Stops taking lines; the close frame goes out after what is queued (drop_queue() first to
  /// send it at once). A peer that does not read meanwhile is cut after slow_close_grace.
  void begin_close(std::uint16_t code, std::string_view reason);
  void drop_queue();

  // Writing.
  void send_control(ws::opcode op, std::string_view payload);
  void schedule_write();
  void do_write();
  /// Writes what the socket did not take at once (rest_), piece by piece.
  void write_rest();
  void on_written(boost::system::error_code ec);
  void after_close_sent();

  // Deadlines (kept by the loop's deadline_sweep, not a timer of our own) and the end.
  enum class deadline_role : std::uint8_t { idle, closing };
  void set_deadline(deadline_role role, std::chrono::steady_clock::duration after);
  void on_deadline() override;
  void finish(boost::system::error_code ec);

  tcp::socket socket_;
  transport_context& ctx_;
  std::size_t loop_;
  connection_slot slot_;
  core::connection_rate rate_;
  ws::frame_reader reader_;
  std::string partial_;  // The start of a frame the last read cut; usually empty (no memory).
  std::shared_ptr<core::client> client_;

  std::vector<core::shared_line> queue_;  // Waiting for the next write.
  core::shared_line lone_;                // A lone line, held alive while it is written,
  std::string joined_;                    // or several lines joined by '\n' (or the 101).
  std::uint8_t header_[ws::max_server_header]{};
  std::size_t header_size_ = 0;
  std::size_t in_flight_bytes_ = 0;  // What the write in flight counts in queued_bytes_.
  std::size_t queued_bytes_ = 0;     // queue_ + the write in flight.
  /// The part of the write in flight that the first write_some() left.
  std::optional<beast::buffers_suffix<std::array<net::const_buffer, 4>>> rest_;

  /// What a connection needs only now and then (pings, pongs, the close), allocated when
  /// first needed and freed when written: an idle connection does not carry 140 bytes of
  /// empty strings (docs/architecture.md, "Memory per idle connection").
  struct control_state {
    std::string waiting;           // Control frames (pongs, pings) waiting for the next write.
    std::string out;               // Control frames being written, first in the write.
    std::string close_out;         // The close frame, last in the write that carries it.
    bool close_due = false;        // A close frame is to follow the queue ahead of it:
    std::uint16_t close_code = 0;  // with this code (0: a bare close)
    std::string close_reason;      // and this reason.
    bool idle() const { return waiting.empty() && out.empty() && close_out.empty() && !close_due; }
  };
  control_state& control();
  std::unique_ptr<control_state> control_;

  deadline_sweep& sweep_;
  core::loop_counters& counters_;  // This loop's counters for /metrics (one writer: this loop).
  deadline_role deadline_role_ = deadline_role::idle;
  /// The last byte from the peer, or the last write it made room for (write_rest).
  std::chrono::steady_clock::time_point last_heard_;
  session_state state_;  // Open, closing, finished; decoding or not; writing, parked, pinged.
};

}  // namespace message::transport
