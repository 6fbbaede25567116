#include "transport/websocket_session.hpp"

#include <spdlog/spdlog.h>

#include "protocol/codec.hpp"

namespace message::transport {

websocket_session::websocket_session(tcp::socket&& socket, transport_context& ctx, std::size_t loop_index,
                                     connection_slot slot)
    : ws_(std::move(socket)),
      ctx_(ctx),
      loop_(loop_index),
      slot_(std::move(slot)),
      rate_(ctx.limits, core::connection_rate::clock::now()),
      close_timer_(ws_.get_executor()) {
  ++ctx_.websocket_sessions;
}

websocket_session::~websocket_session() {
  if (client_) client_->on_closed();
  --ctx_.websocket_sessions;
}

void websocket_session::run(request req,
                            std::variant<protocol::connect_request, protocol::decode_error> query) {
  const auto& limits = ctx_.limits;
  // The WebSocket layer has its own timeouts; the TCP stream's must not cut it.
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = limits.handshake_timeout;  // Also bounds the close handshake.
  timeout.idle_timeout = 2 * limits.idle_ping;           // Ping at half, drop at full.
  timeout.keep_alive_pings = true;
  ws_.set_option(timeout);
  // A browser that offers our subprotocol (it must, to carry the key) gets it named back, or
  // it would fail the connection.
  ws_.set_option(
      websocket::stream_base::decorator([offered = offers_subprotocol(req)](websocket::response_type& res) {
        res.set(http::field::server, "message");
        if (offered) res.set(http::field::sec_websocket_protocol, subprotocol);
      }));
  // The stream is our member and calls this only inside a read, which holds shared_from_this().
  ws_.control_callback(
      [this](websocket::frame_type kind, std::string_view payload) { on_control(kind, payload); });
  ws_.read_message_max(limits.max_frame_bytes);
  ws_.auto_fragment(false);  // One frame per write: one syscall, not one per 4 KiB.
  ws_.text(true);
  if (auto* q = std::get_if<protocol::connect_request>(&query)) {
    client_ = std::make_shared<core::client>(ctx_.hub, loop_, *this, std::move(*q));
  } else {
    refusal_ = std::get<protocol::decode_error>(std::move(query));
  }
  ws_.async_accept(req, beast::bind_front_handler(&websocket_session::on_accept, shared_from_this()));
}

void websocket_session::on_accept(beast::error_code ec) {
  if (ec) return finish(ec);
  if (refusal_) {
    deliver(std::make_shared<const std::string>(protocol::encode_error(refusal_->code, refusal_->message)));
    close(core::close_code::policy, refusal_->code);
  } else {
    client_->start();
  }
  do_read();
}

void websocket_session::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
}

void websocket_session::on_read(beast::error_code ec, std::size_t) {
  // Beast itself closes with 1009 (too big) and 1007 (invalid UTF-8) before reporting here.
  if (ec) return finish(ec);
  if (!ws_.got_text()) {
    if (!closing_) {
      closing_ = true;
      pending_close_ =
          websocket::close_reason(websocket::close_code::unknown_data, "only text frames are accepted");
      if (!writing_) do_close();
    }
  } else if (client_ && !closing_) {
    const auto data = buffer_.cdata();
    const std::string_view frame(static_cast<const char*>(data.data()), data.size());
    if (admit_frame(frame)) client_->on_text(frame);
  }
  buffer_.consume(buffer_.size());
  // A large frame grew the buffer: give the memory back rather than keep it per connection.
  if (buffer_.capacity() > 16 * 1024) buffer_.shrink_to_fit();
  do_read();
}

bool websocket_session::admit_frame(std::string_view frame) {
  const auto now = core::connection_rate::clock::now();
  const auto verdict = rate_.on_frame(frame.size(), now);
  if (verdict == core::connection_rate::verdict::flood) {
    flood();
    return false;
  }
  if (verdict == core::connection_rate::verdict::accept &&
      (!slot_.table() || slot_.table()->allow_frame(slot_.key(), frame.size(), now)))
    return true;
  // Name the refused message when it has an id, so the page can send it again later.
  std::string id;
  if (auto decoded = protocol::decode(frame, ctx_.limits);
      auto* cmd = std::get_if<protocol::command>(&decoded)) {
    if (auto* send = std::get_if<protocol::send_command>(cmd)) id = std::move(send->id);
  }
  deliver(std::make_shared<const std::string>(
      protocol::encode_error("rate_limited", "too many messages: slow down and send this one again", id)));
  return false;
}

void websocket_session::on_control(websocket::frame_type kind, std::string_view payload) {
  if (kind != websocket::frame_type::ping || closing_) return;
  if (rate_.on_control(payload.size(), core::connection_rate::clock::now()) ==
      core::connection_rate::verdict::flood) {
    // Called from inside the read operation: close from a fresh handler, not from here.
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->flood(); });
  }
}

void websocket_session::flood() {
  if (closing_ || finished_) return;
  deliver(std::make_shared<const std::string>(
      protocol::encode_error("rate_limited", "far too many messages for too long: closing")));
  close(core::close_code::flood, "flood");
}

void websocket_session::deliver(core::shared_line line) {
  if (closing_ || finished_) return;
  queued_bytes_ += line->size() + 1;
  queue_.push_back(std::move(line));
  if (queued_bytes_ > ctx_.limits.max_queue_bytes) {
    // A reader this far behind is closed; nobody else waits for it, and memory stays bounded.
    for (const auto& l : queue_) queued_bytes_ -= l->size() + 1;
    queue_.clear();
    close(core::close_code::too_slow, "too slow: the send queue is full");
    return;
  }
  if (!writing_) {
    // Write at the end of this loop turn, not now: what the tasks already queued on this loop
    // hand over meanwhile (a message and its sender's ack, several rooms' commits) joins the
    // same frame, one sendmsg instead of several (bench/FINDINGS.md).
    writing_ = true;
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->do_write(); });
  }
}

void websocket_session::do_write() {
  // writing_ is true here: a write was scheduled (deliver) or just finished (on_write).
  if (finished_) return;
  if (queue_.empty()) {
    // The queue was dropped meanwhile (a reader too slow): nothing to write but the close.
    writing_ = false;
    if (pending_close_) do_close();
    return;
  }
  // One line goes out as it is (shared by every recipient); several are joined into one
  // contiguous payload. Copying them is cheaper than gathering them: a buffer sequence of two
  // buffers per line is walked several times on its way down (Beast's frame, Asio's 64-iovec
  // batches, the kernel's per-segment copy). Measured side by side (bench/FINDINGS.md): server
  // CPU per delivery in S3 1.52-1.60 us gathered, 1.15-1.21 us joined.
  if (queue_.size() == 1) {
    lone_ = std::move(queue_.front());
    queue_.clear();
    in_flight_bytes_ = lone_->size() + 1;
    ws_.async_write(net::buffer(*lone_),
                    beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
    return;
  }
  std::size_t total = 0;
  for (const auto& l : queue_) total += l->size() + 1;
  joined_.reserve(total);
  for (const auto& l : queue_) {
    if (!joined_.empty()) joined_.push_back('\n');
    joined_.append(*l);
  }
  queue_.clear();
  in_flight_bytes_ = total;
  ws_.async_write(net::buffer(joined_),
                  beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
}

void websocket_session::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  queued_bytes_ -= in_flight_bytes_;
  in_flight_bytes_ = 0;
  lone_.reset();
  // Freed after every write: an idle connection holds no buffer, and the next connection's
  // write reuses the same cache-warm block (keeping one buffer per busy connection measured
  // slower in S2: 1.16-1.36M against 1.45-1.64M deliveries/s).
  std::string().swap(joined_);
  if (ec) return finish(ec);
  if (!queue_.empty()) {
    // Behind what the loop already has queued (other connections' writes, the next commits),
    // like the first write: the lines handed over meanwhile join this frame.
    writing_ = true;
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->do_write(); });
    return;
  }
  if (pending_close_) return do_close();
  if (client_ && !closing_) client_->on_drain();
}

void websocket_session::close(core::close_code code, std::string_view reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  pending_close_ = websocket::close_reason(static_cast<websocket::close_code>(code), std::string(reason));
  if (!writing_) {
    do_close();
    return;
  }
  // A write is still in flight; if the peer never reads, cut the socket after a grace period.
  close_timer_.expires_after(ctx_.limits.slow_close_grace);
  close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->finished_ || self->close_sent_) return;
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().close(ignored);
  });
}

void websocket_session::do_close() {
  if (close_sent_ || finished_ || !pending_close_) return;
  close_sent_ = true;
  ws_.async_close(*pending_close_,
                  beast::bind_front_handler(&websocket_session::on_close, shared_from_this()));
}

void websocket_session::on_close(beast::error_code ec) { finish(ec); }

void websocket_session::finish(beast::error_code ec) {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  close_timer_.cancel();
  // Benign ends of a connection are not worth a log line.
  if (ec && ec != websocket::error::closed && ec != net::error::operation_aborted && ec != net::error::eof &&
      ec != net::error::connection_reset && ec != beast::error::timeout && ec != net::error::broken_pipe &&
      ec != net::error::bad_descriptor) {
    spdlog::debug("websocket session ended: {}", ec.message());
  }
  queue_.clear();
  if (client_) client_->on_closed();
  // Make sure the socket goes away even if the other side never answers the close.
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace message::transport
