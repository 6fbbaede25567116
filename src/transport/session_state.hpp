#pragma once

#include <cstdint>

namespace message::transport {

/// Where one WebSocket connection (websocket_session) is in its life, as one value with named
/// transitions instead of a set of flags whose impossible combinations nobody could see.
///
/// Two things only move forward:
///  - `life`: open -> closing (no more lines; our close frame is due after the queue) ->
///    close_sent (it is written, or in the write in flight) -> finished (the socket is
///    closed). finish() may come from any of them.
///  - `input`: decoding -> dropping (the peer broke the protocol: what it still sends is read
///    and dropped) or -> peer_closed (its close frame arrived: nothing may follow it).
/// Three are independent of those and of each other: a write is scheduled or in flight, reading
/// is parked for back-pressure, an idle ping waits for an answer.
///
/// Thread-safety: none; the session's loop only.
class session_state {
 public:
  enum class life : std::uint8_t { open, closing, close_sent, finished };
  enum class input : std::uint8_t { decoding, dropping, peer_closed };

  // Life.
  /// No more lines are taken (closing, or past it).
  bool closing() const { return life_ >= life::closing; }
  bool close_sent() const { return life_ >= life::close_sent; }
  bool finished() const { return life_ == life::finished; }
  /// open -> closing; false (and no change) when the session was closing already.
  bool begin_closing() {
    if (life_ >= life::closing) return false;
    life_ = life::closing;
    return true;
  }
  /// closing -> close_sent: the close frame goes into the next write.
  void close_written() {
    if (life_ < life::close_sent) life_ = life::close_sent;
  }
  /// Any -> finished; false when it was finished already.
  bool finish() {
    if (life_ == life::finished) return false;
    life_ = life::finished;
    return true;
  }

  // Input.
  /// Frames read are decoded and handled (neither a failure nor the peer's close came).
  bool decoding() const { return input_ == input::decoding; }
  bool peer_closed() const { return input_ == input::peer_closed; }
  /// The peer broke the protocol: its bytes are read and dropped from now on.
  void input_failed() {
    if (input_ == input::decoding) input_ = input::dropping;
  }
  /// The peer's close frame arrived.
  void close_received() { input_ = input::peer_closed; }

  // Independent flags.
  bool writing = false;         ///< A write is scheduled or in flight (one at a time).
  bool reading_parked = false;  ///< Reading waits for the send queue to drain (back-pressure).
  bool ping_out = false;        ///< The idle deadline sent a ping and waits to hear back.

 private:
  life life_ = life::open;
  input input_ = input::decoding;
};

}  // namespace message::transport
