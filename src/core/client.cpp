#include "core/client.hpp"

#include <random>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/hub.hpp"
#include "protocol/codec.hpp"

namespace message::core {

namespace {
/// Typing notices a client may trigger: the page sends one every 2 s; more is noise.
constexpr auto typing_interval = std::chrono::milliseconds(1000);
}  // namespace

client::client(hub& hub, std::size_t loop_index, client_sink& sink, protocol::connect_request params)
    : hub_(hub),
      loop_(loop_index),
      sink_(&sink),
      params_(std::move(params)),
      tag_(params_.device.substr(0, 6)) {
  // Most connections follow one room or two: the map's default first table has 13 buckets
  // (104 bytes, for every idle connection); it grows as usual when more rooms are followed.
  rooms_.rehash(2);
}

client::~client() { on_closed(); }

void client::start() {
  hub_.registry(loop_).add(this);
  join(params_.room, params_.since, true);
}

void client::on_text(std::string_view frame) {
  if (closed_) return;
  auto decoded = protocol::decode(frame, hub_.config());
  if (auto* err = std::get_if<protocol::decode_error>(&decoded)) {
    send_error(err->code, err->message, err->id);
    return;
  }
  std::visit([this](auto&& cmd) { handle(std::move(cmd)); }, std::get<protocol::command>(std::move(decoded)));
}

void client::on_drain() {
  if (closed_) return;
  if (events_dropped_) {
    events_dropped_ = false;
    for (const auto& entry : rooms_)
      send_line(protocol::encode_presence(entry.first, hub_.people().list(entry.first)));
  }
  for (auto& [room, st] : rooms_) {
    if (st.waiting_for_drain) {
      st.waiting_for_drain = false;
      request_page(room);
    }
  }
}

void client::on_closed() {
  if (closed_) return;
  closed_ = true;
  auto& registry = hub_.registry(loop_);
  for (auto& [room, st] : rooms_) {
    leave_presence(room, st);
    registry.unfollow(room, this);
  }
  rooms_.clear();
  registry.remove(this);
  sink_ = nullptr;
}

void client::close(close_code code, std::string_view reason) {
  if (sink_) sink_->close(code, reason);
}

// --- rooms ------------------------------------------------------------------------------

void client::join(const std::string& room, std::optional<std::uint64_t> since, bool initial) {
  auto& entry = rooms_[room];
  entry.initial = initial;
  entry.announce = !initial || since.has_value();
  hub_.registry(loop_).follow(room, this);  // Before the store read: see class comment.
  const std::size_t page_size = hub_.config().replay_page;
  hub_.appends(loop_).read(
      [weak = weak_from_this(), loop = &hub_.loop(loop_), room, since, page_size](store::message_store& s) {
        std::uint64_t last = 0;
        std::vector<chat_message> page;
        try {
          last = s.last_seq(room);
          if (since && *since < last) page = s.read_after(room, *since, page_size);
        } catch (const std::exception&) {
          loop->post([weak, room] {
            if (auto self = weak.lock(); self && !self->closed_) self->on_store_failed(room);
          });
          return;
        }
        loop->post([weak, room, since, last, page = std::move(page)]() mutable {
          auto self = weak.lock();
          if (!self || self->closed_) return;
          auto it = self->rooms_.find(room);
          if (it == self->rooms_.end()) return;
          auto& st = it->second;
          if (st.initial) {
            st.initial = false;
            self->send_line(protocol::encode_welcome(room, last, self->hub_.config()));
          }
          self->enter_presence(room, st);  // After welcome: welcome is always the first frame.
          if (since) {
            // A gap: retention removed messages after `since` before this replay could start,
            // or `since` is past what this server holds (the gap frame below).
            const bool gap = *since > last || (!page.empty() && page.front().seq > *since + 1);
            loop_counters::add(gap ? self->hub_.registry(self->loop_).counters().resumes_gap
                                   : self->hub_.registry(self->loop_).counters().resumes_exact,
                               1);
          }
          if (since && *since > last) {
            // The client saw more than this server holds (a database restored from an older
            // backup, a flushed Redis): it must not take the next seqs for ones it has.
            self->send_line(protocol::encode_gap(room, last + 1, *since));
          }
          if (!since || *since >= last) {
            // Nothing to replay ("since" beyond the end gives just the live ones).
            st.last = last;
            st.state = phase::live;
            if (st.announce) self->send_line(protocol::encode_subscribed(room, st.last));
            return;
          }
          st.last = *since;
          self->on_page(room, std::move(page));
        });
      });
}

void client::request_page(const std::string& room) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  it->second.state = phase::replaying;
  hub_.appends(loop_).read([weak = weak_from_this(), loop = &hub_.loop(loop_), room, after = it->second.last,
                            page_size = hub_.config().replay_page](store::message_store& s) {
    std::vector<chat_message> page;
    try {
      page = s.read_after(room, after, page_size);
    } catch (const std::exception&) {
      loop->post([weak, room] {
        if (auto self = weak.lock(); self && !self->closed_) self->on_store_failed(room);
      });
      return;
    }
    loop->post([weak, room, page = std::move(page)]() mutable {
      if (auto self = weak.lock(); self && !self->closed_) self->on_page(room, std::move(page));
    });
  });
}

void client::on_store_failed(const std::string& room) {
  // Without the store this connection cannot know what it missed, and would wait forever for a
  // page. Closing lets the page reconnect with back-off and resume with `since` when the store
  // is back (with --redis: when Redis is).
  send_error("store_failed", "the message store is unavailable: reconnecting later resumes where you were",
             {}, room);
  close(close_code::internal_error, "message store unavailable");
}

void client::on_page(const std::string& room, std::vector<chat_message>&& page) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  auto& st = it->second;
  for (const auto& m : page) {
    if (m.seq <= st.last) continue;
    // A hole in what the store holds (retention, a salvaged journal): said, not skipped silently.
    if (m.seq > st.last + 1) send_line(protocol::encode_gap(room, st.last + 1, m.seq - 1));
    send_line(protocol::encode_message(m));
    st.last = m.seq;
  }
  if (page.size() < hub_.config().replay_page) {
    // Caught up: every later commit reaches this client live (it was followed before the read).
    st.state = phase::live;
    if (st.announce) {
      st.announce = false;
      send_line(protocol::encode_subscribed(room, st.last));
    }
    return;
  }
  st.state = phase::replaying;
  // Pace the replay by the reader: the next page when the queue has room, not before.
  if (sink_ && sink_->queued_bytes() < hub_.config().max_queue_bytes / 2) {
    request_page(room);
  } else {
    st.waiting_for_drain = true;
  }
}

void client::leave(const std::string& room) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  leave_presence(room, it->second);
  hub_.registry(loop_).unfollow(room, this);
  rooms_.erase(it);
}

void client::deliver(const shared_batch& batch) {
  if (closed_) return;
  auto it = rooms_.find(batch->room);
  if (it == rooms_.end()) return;
  auto& st = it->second;
  // While joining or replaying, the store read covers these messages.
  if (st.state != phase::live || batch->last_seq <= st.last) return;
  if (sink_->queued_bytes() >= hub_.config().max_queue_bytes) {
    // Too far behind to queue more: this room goes back to the resume path, read from the
    // store page by page as the queue drains (on_drain), from the last seq queued, and then
    // live again: no gap, no duplicate, and memory bounded by the queue. The acks this batch
    // would have carried come from the store's outcome instead.
    st.state = phase::replaying;
    st.waiting_for_drain = true;
    return;
  }
  const std::size_t from = batch->first_seq > st.last ? 0 : st.last + 1 - batch->first_seq;
  if (batch->first_seq == st.last + 1) {
    sink_->deliver(batch->joined);  // The fast path: the same bytes for every live follower.
  } else if (batch->first_seq <= st.last) {
    for (auto seq = st.last + 1; seq <= batch->last_seq; ++seq)
      sink_->deliver(batch->lines[seq - batch->first_seq]);
  } else {
    request_page(batch->room);  // A gap: read what is missing from the store.
    return;
  }
  st.last = batch->last_seq;
  if (!sending_.empty()) ack_own(*batch, from);
}

std::string client::sending_key(std::string_view room, std::string_view id) {
  std::string key;
  key.reserve(room.size() + 1 + id.size());
  key.append(room).push_back('\n');
  key.append(id);
  return key;
}

void client::ack_own(const room_batch& batch, std::size_t from) {
  for (std::size_t i = from; i < batch.ids.size(); ++i) {
    auto it = sending_.find(sending_key(batch.room, batch.ids[i]));
    if (it == sending_.end() || it->second.acked) continue;
    it->second.acked = true;
    // Queued right behind the message: both leave in the same frame (websocket_session writes
    // at the end of the loop turn).
    send_line(protocol::encode_ack(batch.room, batch.ids[i], batch.first_seq + i, false));
  }
}

void client::resync() {
  if (closed_) return;
  for (auto& [room, st] : rooms_) {
    // Joining or replaying rooms read the store anyway; a live one asks from where it is.
    if (st.state == phase::live) request_page(room);
  }
}

void client::deliver_event(const shared_line& line) {
  if (!sink_) return;
  if (sink_->queued_bytes() >= hub_.config().max_queue_bytes) {
    // Typing, join and leave cannot be read again: dropped, and the full presence of every
    // room is sent once the queue drains.
    events_dropped_ = true;
    return;
  }
  sink_->deliver(line);
}

// --- presence ---------------------------------------------------------------------------

void client::enter_presence(const std::string& room, room_state& st) {
  auto& people = hub_.people();
  if (params_.name.empty()) {
    send_line(protocol::encode_presence(room, people.list(room)));
    return;
  }
  auto change = people.join(room, params_.name, params_.device);
  st.present = true;
  send_line(protocol::encode_presence(room, change.users));
  // This node's clients only: every other node announces the change of its own union when
  // the broker tells it (see presence).
  if (change.changed) {
    hub_.deliver_event(
        room,
        std::make_shared<const std::string>(protocol::encode_person_event("join", room, params_.name, tag_)),
        this);
  }
}

void client::leave_presence(const std::string& room, room_state& st) {
  if (!st.present) return;
  st.present = false;
  auto change = hub_.people().leave(room, params_.name, params_.device);
  if (change.changed) {
    hub_.deliver_event(
        room,
        std::make_shared<const std::string>(protocol::encode_person_event("leave", room, params_.name, tag_)),
        this);
  }
}

// --- commands ---------------------------------------------------------------------------

void client::handle(protocol::send_command&& cmd) {
  const std::string room = room_or_default(cmd.room);
  std::string id = cmd.id.empty() ? make_id() : std::move(cmd.id);
  new_message m{room, id, std::move(cmd.username), std::move(cmd.text), tag_, now_ms()};
  ++sending_[sending_key(room, id)].in_flight;
  hub_.appends(loop_).append(std::move(m), [weak = weak_from_this(), loop = &hub_.loop(loop_), room,
                                            id](const append_outcome& outcome) {
    auto answer = [weak, room, id, outcome] {
      auto self = weak.lock();
      if (!self) return;
      bool acked = false;
      if (auto it = self->sending_.find(sending_key(room, id)); it != self->sending_.end()) {
        acked = it->second.acked;
        if (--it->second.in_flight <= 0) self->sending_.erase(it);
      }
      if (!outcome.result) {
        self->send_error("store_failed",
                         "the server could not store this message; it was not sent: try again", id, room);
      } else if (outcome.result->duplicate || !acked) {
        // Not carried by a broadcast (a duplicate has none; or this connection does not
        // follow the room, or the broadcast has not reached it yet): ack from the store.
        self->send_line(protocol::encode_ack(room, id, outcome.result->seq, outcome.result->duplicate));
      }
    };
    // Committed in place, on this client's own loop (the turn task, after the broadcast went
    // out): answer now, not one more loop pass later. From the store worker: post.
    if (loop->runs_here()) {
      answer();
    } else {
      loop->post(std::move(answer));
    }
  });
}

void client::handle(protocol::history_command&& cmd) {
  const std::string room = room_or_default(cmd.room);
  hub_.appends(loop_).read([weak = weak_from_this(), loop = &hub_.loop(loop_), room,
                            cmd](store::message_store& s) {
    std::string line;
    try {
      auto page = s.read_before(room, cmd.before, cmd.limit);
      line = protocol::encode_history(room, page.messages, page.more);
    } catch (const std::exception&) {
      // The page can ask again; the connection stays open.
      line = protocol::encode_error("store_failed", "history is unavailable right now: try again", {}, room);
    }
    loop->post([weak, line = std::move(line)]() mutable {
      if (auto self = weak.lock()) self->send_line(std::move(line));
    });
  });
}

void client::handle(protocol::subscribe_command&& cmd) {
  if (auto it = rooms_.find(cmd.room); it != rooms_.end()) {
    if (it->second.state == phase::live) send_line(protocol::encode_subscribed(cmd.room, it->second.last));
    return;
  }
  if (rooms_.size() >= hub_.config().max_rooms_per_connection) {
    send_error("too_many_rooms", "this connection follows too many rooms", {}, cmd.room);
    return;
  }
  join(cmd.room, cmd.since, false);
}

void client::handle(protocol::unsubscribe_command&& cmd) { leave(cmd.room); }

void client::handle(protocol::identify_command&& cmd) {
  if (cmd.username == params_.name) return;
  for (auto& [room, st] : rooms_) leave_presence(room, st);
  params_.name = std::move(cmd.username);
  for (auto& [room, st] : rooms_) enter_presence(room, st);
}

void client::handle(protocol::typing_command&& cmd) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_typing_ < typing_interval) return;
  const std::string& name = cmd.username.empty() ? params_.name : cmd.username;
  if (name.empty()) return;
  last_typing_ = now;
  const std::string room = room_or_default(cmd.room);
  hub_.broadcast_event(
      room, std::make_shared<const std::string>(protocol::encode_person_event("typing", room, name, tag_)),
      this);
}

void client::handle(protocol::rooms_command&&) {
  hub_.appends(loop_).read([weak = weak_from_this(), loop = &hub_.loop(loop_)](store::message_store& s) {
    std::string line;
    try {
      std::vector<protocol::room_entry> list;
      for (auto& r : s.rooms()) list.push_back({std::move(r.room), r.last_seq});
      line = protocol::encode_rooms(list);
    } catch (const std::exception&) {
      // Like a history request: an answer, and the connection stays; ask again later.
      line =
          protocol::encode_error("store_failed", "the room list is unavailable right now: try again", {}, {});
    }
    loop->post([weak, line = std::move(line)]() mutable {
      if (auto self = weak.lock()) self->send_line(std::move(line));
    });
  });
}

void client::handle(protocol::ping_command&&) { send_line(protocol::encode_pong()); }

// --- helpers ----------------------------------------------------------------------------

void client::send_line(std::string line) {
  if (sink_) sink_->deliver(std::make_shared<const std::string>(std::move(line)));
}

void client::send_error(std::string_view code, std::string_view message, std::string_view id,
                        std::string_view room) {
  send_line(protocol::encode_error(code, message, id, room));
}

const std::string& client::room_or_default(const std::optional<std::string>& room) const {
  return room ? *room : params_.room;
}

std::string client::make_id() {
  // The original's bare frames carry no id; one per connection-unique counter plus a random
  // prefix keeps server-made ids apart across connections and restarts.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("srv-{:016x}-{}", rng(), ++id_counter_);
}

}  // namespace message::core
