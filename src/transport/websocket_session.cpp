#include "transport/websocket_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <memory>

#include <boost/asio/bind_allocator.hpp>
#include <boost/beast/core/buffers_suffix.hpp>

#include "protocol/codec.hpp"
#include "transport/access_key.hpp"
#include "transport/queued_message.hpp"
#include "transport/websocket_handshake.hpp"

namespace message::transport {

namespace {
/// Where every session of a loop reads: sessions of one loop run one at a time, so one buffer
/// per thread serves them all, and an idle session holds none. Large enough for a whole
/// frame of the largest message in one read.
constexpr std::size_t scratch_bytes = 64 * 1024 + ws::max_server_header + 4;
thread_local std::array<char, scratch_bytes> scratch;

/// Plain new/delete for a handler's operation. Asio gives handlers without an allocator of
/// their own (and std::allocator ones) blocks from a per-thread cache of freed operations, so a
/// wait that stays pending for hours can sit in a block as big as the largest recent operation
/// (an accept or an HTTP read: about 300 bytes, where the wait needs 144).
template <typename T>
struct exact_allocator {
  using value_type = T;
  exact_allocator() = default;
  template <typename U>
  exact_allocator(const exact_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }
  friend bool operator==(const exact_allocator&, const exact_allocator&) { return true; }
};

bool is_benign_end(boost::system::error_code ec) {
  return !ec || ec == net::error::operation_aborted || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::timed_out || ec == net::error::broken_pipe ||
         ec == net::error::bad_descriptor;
}
}  // namespace

websocket_session::websocket_session(tcp::socket&& socket, transport_context& ctx, std::size_t loop_index,
                                     connection_slot slot)
    : socket_(std::move(socket)),
      ctx_(ctx),
      loop_(loop_index),
      slot_(std::move(slot)),
      rate_(ctx.limits, core::connection_rate::clock::now()),
      reader_(ctx.limits.max_frame_bytes),
      sweep_(*ctx.sweeps.at(loop_index)),
      counters_(ctx.hub.registry(loop_index).counters()) {
  ++ctx_.websocket_sessions;
}

websocket_session::~websocket_session() {
  sweep_.remove(*this);
  core::loop_counters::add(counters_.queued_out, queued_bytes_);  // What never left.
  if (client_) client_->on_closed();
  --ctx_.websocket_sessions;
}

void websocket_session::run(const request& req,
                            std::variant<protocol::connect_request, protocol::decode_error> query) {
  std::optional<protocol::decode_error> refusal;
  if (auto* q = std::get_if<protocol::connect_request>(&query)) {
    client_ = std::make_shared<core::client>(ctx_.hub, loop_, *this, std::move(*q));
  } else {
    refusal = std::get<protocol::decode_error>(std::move(query));
  }
  boost::system::error_code error;
  socket_.non_blocking(true, error);
  if (error) return finish(error);
  // A browser that offers our subprotocol (it must, to carry the key) gets it named back, or
  // it would fail the connection.
  joined_ = switching_protocols(req, offers_subprotocol(req));
  state_.writing = true;  // Nothing else is written before the 101.
  // A peer that never reads the 101 is cut at the handshake deadline.
  set_deadline(deadline_role::closing, ctx_.limits.handshake_timeout);
  net::async_write(socket_, net::buffer(joined_),
                   [self = shared_from_this(), refusal = std::move(refusal)](boost::system::error_code ec,
                                                                             std::size_t) mutable {
                     self->on_handshake_written(ec, std::move(refusal));
                   });
}

void websocket_session::on_handshake_written(boost::system::error_code ec,
                                             std::optional<protocol::decode_error> refusal) {
  std::string().swap(joined_);
  state_.writing = false;
  if (ec) return finish(ec);
  last_heard_ = std::chrono::steady_clock::now();
  set_deadline(deadline_role::idle, ctx_.limits.idle_ping);
  if (refusal) {
    deliver(std::make_shared<const std::string>(protocol::encode_error(refusal->code, refusal->message)));
    close(core::close_code::policy, refusal->code);
  } else {
    client_->start();
  }
  read();
}

// ---------------------------------------------------------------------------------------------
// Reading

void websocket_session::read() {
  if (state_.finished()) return;
  if (queued_bytes_ > ctx_.limits.max_queue_bytes) {
    // Back-pressure: what this client asked for has not drained. Its frames wait in the
    // socket (and then its TCP window) until the queue is half empty (on_written).
    state_.reading_parked = true;
    return;
  }
  boost::system::error_code ec;
  const std::size_t n = socket_.read_some(net::buffer(scratch), ec);
  if (ec == net::error::would_block) return wait_readable();
  if (ec) return finish(ec);  // EOF without a close frame, or a reset: the peer is gone.
  last_heard_ = std::chrono::steady_clock::now();
  core::loop_counters::add(counters_.bytes_in, n);
  if (state_.decoding()) take(scratch.data(), n);
  if (state_.finished()) return;
  // Epoll tells us about new bytes, not old ones: only a read that did not fill the buffer
  // proves the socket is empty. A full one reads again, after the loop's other work.
  if (n < scratch.size()) return wait_readable();
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->read(); });
}

void websocket_session::wait_readable() {
  // This wait is what an idle connection holds: it gets exactly its own size (exact_allocator).
  socket_.async_wait(
      tcp::socket::wait_read,
      net::bind_allocator(exact_allocator<void>(), [self = shared_from_this()](boost::system::error_code ec) {
        if (ec) return self->finish(ec);
        self->read();
      }));
}

void websocket_session::take(char* data, std::size_t size) {
  char* start = data;
  std::size_t left = size;
  if (!partial_.empty()) {
    partial_.append(data, size);
    start = partial_.data();
    left = partial_.size();
  }
  std::size_t used = 0;
  bool go_on = true;
  while (go_on && used < left) {
    const auto frame = reader_.read(start + used, left - used);
    if (frame.what == ws::read_result::kind::incomplete) break;
    used += frame.consumed;
    go_on = on_frame(frame);
  }
  if (!go_on || used == left) {
    std::string().swap(partial_);  // Nothing left over: no memory held while idle.
  } else if (partial_.empty()) {
    partial_.assign(start + used, left - used);
  } else {
    partial_.erase(0, used);
  }
}

bool websocket_session::on_frame(const ws::read_result& frame) {
  using kind = ws::read_result::kind;
  switch (frame.what) {
    case kind::failure:
      fail(frame.code, frame.reason);
      return false;
    case kind::message:
      if (frame.op != ws::opcode::text) {
        // Our protocol is NDJSON text; a binary frame is the peer's mistake, not a broken
        // stream, so it is an orderly close.
        begin_close(ws::close_codes::unsupported_data, "only text frames are accepted");
      } else {
        on_text(frame.payload);
      }
      return !state_.finished();
    case kind::control:
      if (frame.op == ws::opcode::ping) on_ping(frame.payload);
      if (frame.op == ws::opcode::close) {
        on_peer_close(frame.code);
        return false;
      }
      return !state_.finished();
    default:
      return true;
  }
}

void websocket_session::on_text(std::string_view text) {
  if (!client_ || state_.closing()) return;
  const auto now = core::connection_rate::clock::now();
  const auto verdict = rate_.on_frame(text.size(), now);
  if (verdict == core::connection_rate::verdict::flood) return flood();
  // Decoded here, once: the chat core takes the command as it is, and a refusal names its id.
  auto decoded = protocol::decode(text, ctx_.limits);
  if (verdict == core::connection_rate::verdict::accept &&
      (!slot_.table() || slot_.table()->allow_frame(slot_.key(), text.size(), now)))
    return client_->on_decoded(std::move(decoded));
  // Name the refused message when it has an id, so the page can send it again later.
  std::string id;
  if (auto* cmd = std::get_if<protocol::command>(&decoded)) {
    // A send or a change (edit, delete, react): each has its own id.
    std::visit(
        [&id](auto& c) {
          if constexpr (requires { c.id; }) id = std::move(c.id);
        },
        *cmd);
  }
  deliver(std::make_shared<const std::string>(
      protocol::encode_error("rate_limited", "too many messages: slow down and send this one again", id)));
}

void websocket_session::on_ping(std::string_view payload) {
  if (state_.closing()) return;
  if (rate_.on_control(payload.size(), core::connection_rate::clock::now()) ==
      core::connection_rate::verdict::flood)
    return flood();
  send_control(ws::opcode::pong, payload);
}

void websocket_session::on_peer_close(std::uint16_t code) {
  state_.close_received();  // Nothing may follow a close frame.
  if (state_.close_sent()) {
    // We closed first and this is the answer: the handshake is complete.
    if (!state_.writing) finish({});
    return;
  }
  // Answer with the peer's own code (a bare close with a bare one); what was still queued
  // for it would go unread.
  drop_queue();
  begin_close(code, {});
}

void websocket_session::flood() {
  if (state_.closing()) return;
  deliver(std::make_shared<const std::string>(
      protocol::encode_error("rate_limited", "far too many messages for too long: closing")));
  close(core::close_code::flood, "flood");
}

void websocket_session::fail(std::uint16_t code, std::string_view reason) {
  state_.input_failed();
  drop_queue();
  begin_close(code, reason);
}

void websocket_session::drop_queue() {
  const auto before = queued_bytes_;
  for (const auto& l : queue_) queued_bytes_ -= l->size() + 1;
  core::loop_counters::add(counters_.queued_out, before - queued_bytes_);
  queue_.clear();
}

void websocket_session::begin_close(std::uint16_t code, std::string_view reason) {
  if (!state_.begin_closing()) return;
  auto& c = control();
  c.close_due = true;
  c.close_code = code;
  c.close_reason = reason;
  if (!state_.writing) return schedule_write();
  // A write is still in flight; if the peer never reads, cut the socket after a grace period.
  set_deadline(deadline_role::closing, ctx_.limits.slow_close_grace);
}

// ---------------------------------------------------------------------------------------------
// Writing

void websocket_session::deliver(core::shared_line line) {
  if (state_.closing()) return;
  // Not bounded here: room messages stop coming once the queue passes its bound (the client
  // catches up from the store), and what else comes is an answer to a frame this session
  // read, which it stops reading meanwhile (read()). A reader that makes no progress at all
  // is closed by the liveness deadline.
  queued_bytes_ += line->size() + 1;
  core::loop_counters::add(counters_.queued_in, line->size() + 1);
  queue_.push_back(std::move(line));
  schedule_write();
}

std::vector<std::pair<std::string, std::uint64_t>> websocket_session::drop_room_messages(
    const std::function<bool(std::string_view room)>& may_drop) {
  std::vector<std::pair<std::string, std::uint64_t>> dropped;
  // Only queue_: the write in flight (lone_, joined_) is partly in the socket already.
  const auto before = queued_bytes_;
  std::erase_if(queue_, [&](const core::shared_line& line) {
    const auto m = queued_message_of(*line);
    if (!m || !may_drop(m->room)) return false;
    // A room's lines are queued in seq order: its first one dropped is its lowest.
    const bool seen =
        std::any_of(dropped.begin(), dropped.end(), [&](const auto& d) { return d.first == m->room; });
    if (!seen) dropped.emplace_back(std::string(m->room), m->seq);
    queued_bytes_ -= line->size() + 1;
    return true;
  });
  core::loop_counters::add(counters_.queued_out, before - queued_bytes_);
  return dropped;
}

void websocket_session::send_control(ws::opcode op, std::string_view payload) {
  if (state_.close_sent()) return;
  control().waiting += ws::make_frame(op, payload);
  schedule_write();
}

void websocket_session::schedule_write() {
  if (state_.writing || state_.finished()) return;
  // Write at the end of this loop turn, not now: what the tasks already queued on this loop
  // hand over meanwhile (a message and its sender's ack, several rooms' commits) joins the
  // same frame, one sendmsg instead of several.
  state_.writing = true;
  ctx_.hub.pipeline(loop_).writes().add(shared_from_this());
}

void websocket_session::do_write() {
  // state_.writing is true here: a write was scheduled, or the last one just ended with more to go.
  if (state_.finished()) return;
  if (control_) std::swap(control_->out, control_->waiting);
  net::const_buffer payload;
  if (!queue_.empty()) {
    // One line goes out as it is (shared by every recipient); several are joined into one
    // contiguous payload. Copying them is cheaper than gathering them: a sequence of two
    // buffers per line is walked several times on its way down.
    if (queue_.size() == 1) {
      lone_ = std::move(queue_.front());
      in_flight_bytes_ = lone_->size() + 1;
      payload = net::buffer(*lone_);
    } else {
      std::size_t total = 0;
      for (const auto& l : queue_) total += l->size() + 1;
      joined_.reserve(total);
      for (const auto& l : queue_) {
        if (!joined_.empty()) joined_.push_back('\n');
        joined_.append(*l);
      }
      in_flight_bytes_ = total;
      payload = net::buffer(joined_);
    }
    queue_.clear();
    header_size_ = ws::write_frame_header(header_, ws::opcode::text, payload.size());
  } else {
    header_size_ = 0;
  }
  net::const_buffer control_out;
  net::const_buffer close_out;
  if (control_) {
    if (control_->close_due && !state_.close_sent()) {
      state_.close_written();
      control_->close_due = false;
      control_->close_out = ws::make_frame(
          ws::opcode::close, control_->close_code == 0
                                 ? std::string()
                                 : ws::close_payload(control_->close_code, control_->close_reason));
    }
    control_out = net::buffer(control_->out);
    close_out = net::buffer(control_->close_out);
  }
  const std::array<net::const_buffer, 4> buffers{control_out, net::buffer(header_, header_size_), payload,
                                                 close_out};
  const std::size_t total = net::buffer_size(buffers);
  if (total == 0) {
    // Everything queued was dropped (a slow reader's room messages, drop_room_messages()):
    // the queue is drained, and the catch-up waiting for that goes on.
    state_.writing = false;
    if (in_flight_bytes_ == 0 && client_ && !state_.closing()) client_->on_drain();
    return;
  }
  // Most writes fit in the socket's buffer: try at once, and wait only for what is left.
  boost::system::error_code error;
  const std::size_t n = socket_.write_some(buffers, error);
  core::loop_counters::add(counters_.bytes_out, n);
  if (error && error != net::error::would_block) return on_written(error);
  if (n == total) return on_written({});
  rest_.emplace(buffers);
  rest_->consume(n);
  write_rest();
}

void websocket_session::write_rest() {
  // A write at a time rather than async_write's whole: each piece taken here, once the socket
  // was full, proves the peer read (last_heard_), so a slow reader is told from one that reads
  // nothing (on_deadline). What the kernel takes at once proves nothing: a vanished peer's
  // socket takes a ping too.
  socket_.async_write_some(*rest_, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
    if (ec) return self->on_written(ec);
    if (n > 0) self->last_heard_ = std::chrono::steady_clock::now();
    core::loop_counters::add(self->counters_.bytes_out, n);
    self->rest_->consume(n);
    if (net::buffer_size(*self->rest_) == 0) return self->on_written({});
    self->write_rest();
  });
}

void websocket_session::on_written(boost::system::error_code ec) {
  state_.writing = false;
  rest_.reset();
  queued_bytes_ -= in_flight_bytes_;
  core::loop_counters::add(counters_.queued_out, in_flight_bytes_);
  in_flight_bytes_ = 0;
  lone_.reset();
  // Freed after every write: an idle connection holds no buffer, and the next connection's
  // write reuses the same cache-warm block, where one buffer per busy connection would spread
  // a big room's writes over as many cold blocks.
  std::string().swap(joined_);
  bool wrote_close = false;
  if (control_) {
    std::string().swap(control_->out);
    wrote_close = !control_->close_out.empty();
    std::string().swap(control_->close_out);
    if (control_->idle()) control_.reset();
  }
  if (ec) return finish(ec);
  if (wrote_close) return after_close_sent();
  if (state_.reading_parked && queued_bytes_ <= ctx_.limits.max_queue_bytes / 2) {
    // The answers drained far enough: read the client's frames again.
    state_.reading_parked = false;
    net::post(socket_.get_executor(), [self = shared_from_this()] { self->read(); });
  }
  if (!queue_.empty() || control_) {
    // Behind what the loop already has queued (other connections' writes, the next commits),
    // like the first write: the lines handed over meanwhile join this frame.
    schedule_write();
    return;
  }
  if (client_ && !state_.closing()) client_->on_drain();
}

void websocket_session::after_close_sent() {
  if (state_.peer_closed()) return finish({});
  // Nothing more will be written: say so, and wait for the peer's close frame (or, after a
  // failure, its hang-up) until the deadline.
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  set_deadline(deadline_role::closing, ctx_.limits.handshake_timeout);
}

websocket_session::control_state& websocket_session::control() {
  if (!control_) control_ = std::make_unique<control_state>();
  return *control_;
}

void websocket_session::close(core::close_code code, std::string_view reason) {
  if (!state_.closing()) {
    using core::close_code;
    core::loop_counters::add(code == close_code::too_slow ? counters_.closes_too_slow
                             : code == close_code::flood  ? counters_.closes_flood
                             : code == close_code::policy ? counters_.closes_policy
                                                          : counters_.closes_other,
                             1);
  }
  begin_close(static_cast<std::uint16_t>(code), reason);
}

// ---------------------------------------------------------------------------------------------
// Timers and the end

void websocket_session::set_deadline(deadline_role role, std::chrono::steady_clock::duration after) {
  deadline_role_ = role;
  sweep_.set(*this, std::chrono::steady_clock::now() + after);
}

void websocket_session::on_deadline() {
  if (state_.finished()) return;
  const auto self = shared_from_this();  // finish() must not end us halfway.
  if (deadline_role_ == deadline_role::closing) return finish(net::error::timed_out);
  // Ping after idle_ping of silence; hang up after another idle_ping without an answer. Every
  // byte counts as an answer, so a busy connection is never pinged.
  const auto silence = std::chrono::steady_clock::now() - last_heard_;
  const auto idle = std::chrono::duration_cast<std::chrono::steady_clock::duration>(ctx_.limits.idle_ping);
  if (silence < idle) {
    state_.ping_out = false;
    return set_deadline(deadline_role::idle, idle - silence);
  }
  if (silence >= 2 * idle) {
    core::loop_counters::add(counters_.closes_too_slow, 1);  // /metrics: a reader cut as too slow.
    // No progress for the liveness time: not a byte from the peer, nor a byte taken by it.
    // Say why (4008) when the socket takes a close frame now; a write stuck in the middle of
    // a frame leaves no way to, and the connection is cut.
    if (!state_.writing && !state_.close_sent()) {
      const auto frame = ws::make_frame(
          ws::opcode::close, ws::close_payload(static_cast<std::uint16_t>(core::close_code::too_slow),
                                               "no progress: the connection is cut"));
      boost::system::error_code ignored;
      socket_.write_some(net::buffer(frame), ignored);
    }
    return finish(net::error::timed_out);
  }
  if (!state_.ping_out) {
    state_.ping_out = true;
    send_control(ws::opcode::ping, {});
  }
  set_deadline(deadline_role::idle, 2 * idle - silence);
}

void websocket_session::finish(boost::system::error_code ec) {
  if (!state_.finish()) return;
  // Benign ends of a connection are not worth a log line.
  if (!is_benign_end(ec)) spdlog::debug("websocket session ended: {}", ec.message());
  sweep_.remove(*this);
  queue_.clear();
  if (client_) client_->on_closed();
  // Pending waits end with operation_aborted, and their handlers let go of the session.
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace message::transport
