#include "client_transport/reconnecting_session.hpp"

namespace message::client {

reconnecting_session::reconnecting_session(net::io_context& ioc, connection_settings settings,
                                           reconnect_policy policy, handlers h)
    : ioc_(ioc),
      settings_(std::move(settings)),
      policy_(policy),
      handlers_(std::move(h)),
      timer_(ioc),
      backoff_(settings_.limits.reconnect_min, settings_.limits.reconnect_max) {}

void reconnecting_session::start(std::string room, std::string name) {
  room_ = std::move(room);
  name_ = std::move(name);
  connect();
}

void reconnecting_session::connect() {
  if (closing_) return;
  conn_ = connection::open(ioc_, settings_, ws_target(settings_.url, room_, name_, position_, epoch_),
                           connection::handlers{{},
                                                [this](std::string_view line) { on_line(line); },
                                                [this](const connection_end& e) { on_connection_end(e); }});
}

void reconnecting_session::switch_room(std::string room) {
  room_ = std::move(room);
  position_.reset();
  epoch_.clear();
  if (conn_) {
    switching_ = true;
    conn_->close();
  }
  // Without a connection the pending reconnect goes to the new room.
}

void reconnecting_session::close() {
  if (closing_ || ended_) return;
  closing_ = true;
  timer_.cancel();
  if (conn_) return conn_->close();
  // Between connections: end from the loop, not inside the caller's own handler.
  net::post(ioc_, [this] { finish(connection_end{end_kind::closed_by_us, {}}); });
}

void reconnecting_session::send(std::string frame) {
  if (conn_) conn_->send(std::move(frame));
}

bool reconnecting_session::advance(std::uint64_t seq) {
  if (position_ && seq <= *position_) return false;
  position_ = seq;
  return true;
}

void reconnecting_session::on_line(std::string_view line) {
  auto event = protocol::decode_server_line(line);
  if (!event) return;
  if (auto* w = std::get_if<protocol::welcome_event>(&*event)) {
    online_ = true;
    welcomed_once_ = true;
    reported_ = false;
    lost_at_.reset();
    backoff_.reset();
    if (epoch_.empty()) epoch_ = w->epoch;  // A change comes as `reset`, right after this welcome.
  } else if (auto* r = std::get_if<protocol::reset_event>(&*event); r && r->room == room_) {
    // Another history under the room's name: the seqs taken so far name other messages there,
    // so the stream goes on from the new history's end.
    epoch_ = r->epoch;
    position_ = r->seq;
  }
  if (handlers_.on_event) handlers_.on_event(*event);
}

void reconnecting_session::on_connection_end(const connection_end& e) {
  conn_.reset();
  online_ = false;
  if (handlers_.on_down) handlers_.on_down();
  if (closing_) return finish(connection_end{end_kind::closed_by_us, {}});
  if (switching_) {
    switching_ = false;
    if (e.kind == end_kind::closed_by_us) return connect();
  }
  const auto now = std::chrono::steady_clock::now();
  if (!lost_at_) lost_at_ = now;
  const bool retry = policy_.retry && worth_retrying(e.kind) &&
                     (welcomed_once_ || policy_.retry_before_welcome) &&
                     (!policy_.give_up_after || now - *lost_at_ < *policy_.give_up_after);
  if (!retry) return finish(e);
  if (!reported_ && handlers_.on_retrying) handlers_.on_retrying(e);
  reported_ = true;
  timer_.expires_after(backoff_.next());
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) connect();
  });
}

void reconnecting_session::finish(const connection_end& e) {
  if (ended_) return;
  ended_ = true;
  timer_.cancel();
  if (handlers_.on_end) handlers_.on_end(e);
}

}  // namespace message::client
