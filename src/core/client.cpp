#include "core/client.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "common/identity.hpp"
#include "core/clock.hpp"
#include "core/history_window.hpp"
#include "core/hub.hpp"
#include "core/identity_names.hpp"
#include "protocol/codec.hpp"
#include "protocol/read_frames.hpp"

namespace message::core {

namespace {
/// Typing notices a client may trigger: the page sends one every 2 s; more is noise.
constexpr auto typing_interval = std::chrono::milliseconds(1000);

/// Compares an invite link secret in time that does not depend on where they differ.
bool same_secret(std::string_view presented, std::string_view stored) {
  if (stored.empty() || presented.size() != stored.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < stored.size(); ++i)
    diff = static_cast<unsigned char>(diff | (presented[i] ^ stored[i]));
  return diff == 0;
}
}  // namespace

client::client(hub& hub, std::size_t loop_index, client_sink& sink, protocol::connect_request params)
    : hub_(hub),
      pipeline_(hub.pipeline(loop_index)),
      sink_(&sink),
      params_(std::move(params)),
      who_(params_.identity.empty() ? params_.device.substr(0, 6) : params_.identity),
      device_(params_.identity),
      reads_(hub.config().read_interval),
      activity_(hub.config().read_interval) {
  // Most connections follow one room or two: the map's default first table has 13 buckets
  // (104 bytes, for every idle connection); it grows as usual when more rooms are followed.
  rooms_.rehash(2);
}

client::~client() { on_closed(); }

void client::start() {
  pipeline_.followers().add(this);
  if (params_.identity.empty() && params_.name.empty()) {
    join(params_.room, params_.since, true, params_.secret, params_.epoch);
    return;
  }
  // First the names: the identity's own (for welcome) and the query's (claimed, or checked
  // for an anonymous connection). The join follows, so welcome stays the first frame.
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), identity = params_.identity,
                  name = params_.name,
                  max = hub_.config().max_username_chars](store::sequencing_store& s) mutable {
    std::string owned, refused, suggestion, previous;
    bool failed = false;
    try {
      // A linked device acts as the identity it was linked to (docs/protocol.md, "Device linking").
      if (!identity.empty()) identity = s.directory().identity_of_device(identity);
      if (!name.empty()) {
        auto outcome = want_name(s, identity, name, max);
        if (outcome.granted) {
          owned = name;
          previous = std::move(outcome.previous);
        } else {
          refused = name;
          suggestion = std::move(outcome.suggestion);
        }
      }
      if (owned.empty() && !identity.empty()) {
        auto names = s.directory().names_of({identity});
        if (auto it = names.find(identity); it != names.end()) owned = it->second;
      }
    } catch (const std::exception&) {
      failed = true;
    }
    loop->post([weak, failed, identity = std::move(identity), owned = std::move(owned),
                refused = std::move(refused), suggestion = std::move(suggestion),
                previous = std::move(previous)]() mutable {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      if (failed) return self->on_store_failed(self->params_.room);
      if (!identity.empty()) {
        self->identity_known_ = true;
        self->params_.identity = identity;
        self->who_ = std::move(identity);
        // What is meant for this identity alone (an invite, a direct conversation opened by
        // someone else) reaches it, on every node, as an event of its inbox.
        self->pipeline_.followers().follow(inbox(self->params_.identity), self.get());
        for (auto& cmd : std::exchange(self->before_identity_, {}))
          std::visit([&](auto&& c) { self->handle(std::forward<decltype(c)>(c)); }, std::move(cmd));
      }
      self->on_resolved(std::move(owned), refused, suggestion, previous);
    });
  });
}

void client::on_resolved(std::string owned, const std::string& refused, const std::string& suggestion,
                         const std::string& previous) {
  owned_ = std::move(owned);
  params_.name = owned_;  // A refused name is not listed; an identity shows under its own.
  if (!refused.empty()) name_error_ = protocol::encode_name_taken(refused, suggestion, {});
  if (!previous.empty() && previous != owned_) {
    hub_.broadcast_event(
        params_.room,
        std::make_shared<const std::string>(protocol::encode_rename(params_.room, who_, owned_)), nullptr);
  }
  join(params_.room, params_.since, true, params_.secret, params_.epoch);
}

void client::on_text(std::string_view frame) {
  if (closed_) return;
  on_decoded(protocol::decode(frame, hub_.config()));
}

void client::on_decoded(std::variant<protocol::command, protocol::decode_error>&& decoded) {
  if (closed_) return;
  if (auto* err = std::get_if<protocol::decode_error>(&decoded)) {
    send_error(err->code, err->message, err->id);
    return;
  }
  std::visit([this](auto&& cmd) { handle(std::forward<decltype(cmd)>(cmd)); },
             std::get<protocol::command>(std::move(decoded)));
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
  if (!params_.identity.empty()) flush_reads(true);
  closed_ = true;
  auto& registry = pipeline_.followers();
  for (auto& [room, st] : rooms_) {
    leave_presence(room, st);
    registry.unfollow(room, this);
  }
  rooms_.clear();
  for (const auto& room : watched_) registry.unfollow(room, this);
  watched_.clear();
  if (!params_.identity.empty()) registry.unfollow(inbox(params_.identity), this);
  registry.remove(this);
  sink_ = nullptr;
}

void client::close(close_code code, std::string_view reason) {
  if (sink_) sink_->close(code, reason);
}

// --- rooms ------------------------------------------------------------------------------

void client::join(const std::string& room, std::optional<std::uint64_t> since, bool initial,
                  const std::string& secret, const std::string& known_epoch) {
  auto& entry = rooms_[room];
  entry.initial = initial;
  entry.announce = !initial || since.has_value();
  pipeline_.followers().follow(room, this);  // Before the store read: see class comment.
  const std::size_t page_size = hub_.config().replay_page;
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), room, asked_since = since, page_size,
                  initial, secret, known_epoch, identity = params_.identity](store::sequencing_store& s) {
    std::optional<std::uint64_t> resume = asked_since;
    bool reset = false;
    std::uint64_t last = 0;
    std::uint64_t oldest = 0;
    std::optional<std::uint64_t> read;
    std::string seen;
    std::string epoch;
    std::vector<chat_message> page;
    try {
      auto& directory = s.directory();
      auto access = directory.access(room, identity);
      if (!access.allowed() && !identity.empty() && !secret.empty() &&
          same_secret(secret, directory.room_secret(room))) {
        directory.add_member(room, identity);  // The invite link's secret: a member now.
        access.member = true;
      }
      if (!access.allowed()) {
        loop->post([weak, room, initial] {
          if (auto self = weak.lock(); self && !self->closed_) self->on_denied(room, initial);
        });
        return;
      }
      if (!identity.empty()) directory.set_following(identity, room, true);
      last = s.last_seq(room);
      oldest = s.oldest_seq(room).value_or(last + 1);
      if (!identity.empty()) read = directory.read_position(identity, room);
      seen = protocol::encode_seen(room, directory.readers(room), true);
      epoch = s.room_epoch(room);
      // Another history than the one the client resumes from: its seqs say nothing here.
      if (resume && !known_epoch.empty() && known_epoch != epoch) {
        resume.reset();
        reset = true;
      }
      if (resume && *resume < last) {
        page = s.read_after(room, *resume, page_size);
        fold_current_names(s, page);
      }
    } catch (const std::exception&) {
      loop->post([weak, room] {
        if (auto self = weak.lock(); self && !self->closed_) self->on_store_failed(room);
      });
      return;
    }
    loop->post([weak, room, since = resume, last, oldest, read, seen, epoch = std::move(epoch), reset,
                page = std::move(page)]() mutable {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      auto it = self->rooms_.find(room);
      if (it == self->rooms_.end()) return;
      auto& st = it->second;
      self->access_[room] = true;
      st.oldest = oldest;
      st.read = read;
      st.epoch = epoch;
      if (st.initial) {
        st.initial = false;
        self->send_line(protocol::encode_welcome(room, last, self->hub_.config(), self->params_.identity,
                                                 self->params_.identity.empty() ? "" : self->owned_, oldest,
                                                 epoch, read));
        if (!self->name_error_.empty()) self->send_line(std::exchange(self->name_error_, {}));
        if (!self->params_.identity.empty()) self->send_activity_snapshot();
      } else if (!self->params_.identity.empty()) {
        self->watch(room);  // Followed now: its room_activity from here on.
        self->note_activity(room, last);
      }
      self->enter_presence(room, st);  // After welcome: welcome is always the first frame.
      self->send_line(std::move(seen));
      if (reset) {
        loop_counters::add(self->pipeline_.followers().counters().resumes_gap, 1);
        self->send_line(protocol::encode_reset(room, epoch, last));
      }
      if (since) {
        // A gap: retention removed messages after `since` before this replay could start,
        // or `since` is past what this server holds (the gap frame below).
        const bool gap = *since > last || (!page.empty() && page.front().seq > *since + 1);
        loop_counters::add(gap ? self->pipeline_.followers().counters().resumes_gap
                               : self->pipeline_.followers().counters().resumes_exact,
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
        if (st.announce)
          self->send_line(protocol::encode_subscribed(room, st.last, st.oldest, st.epoch, st.read));
        return;
      }
      st.last = *since;
      self->on_page(room, std::move(page));
    });
  });
}

void client::on_denied(const std::string& room, bool initial) {
  access_[room] = false;
  // Says nothing of whether the room exists: a guessed name learns nothing.
  send_error("not_member", "this room is private: only its members can read it", {}, room);
  if (initial) {
    close(close_code::policy, "not_member");
    return;
  }
  leave(room);
}

void client::request_page(const std::string& room) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  it->second.state = phase::replaying;
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), room, after = it->second.last,
                  page_size = hub_.config().replay_page](store::sequencing_store& s) {
    std::vector<chat_message> page;
    try {
      page = s.read_after(room, after, page_size);
      fold_current_names(s, page);
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
      send_line(protocol::encode_subscribed(room, st.last, st.oldest, st.epoch, st.read));
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
  // A watched room stays in the registry: its room_activity still counts.
  if (!watched_.contains(room)) pipeline_.followers().unfollow(room, this);
  rooms_.erase(it);
}

void client::deliver(const shared_batch& batch) {
  if (closed_) return;
  if (!watched_.empty() && watched_.contains(batch->room)) note_activity(batch->room, batch->last_seq);
  auto it = rooms_.find(batch->room);
  if (it == rooms_.end()) return;
  auto& st = it->second;
  // While joining or replaying, the store read covers these messages.
  if (st.state != phase::live || batch->last_seq <= st.last) return;
  if (sink_->queued_bytes() >= hub_.config().max_queue_bytes) {
    // Too far behind to queue more: this room goes back to the resume path, read from the
    // store page by page as the queue drains (on_drain), from the last seq queued, and then
    // live again: no gap, no duplicate, and memory bounded by the queue. The senders' acks
    // (the store's answers) may then come before their messages.
    st.state = phase::replaying;
    st.waiting_for_drain = true;
    drop_queued_messages();
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
  if (!sending_.empty()) note_own(*batch, from);
}

std::string client::sending_key(std::string_view room, std::string_view id) {
  std::string key;
  key.reserve(room.size() + 1 + id.size());
  key.append(room).push_back('\n');
  key.append(id);
  return key;
}

void client::note_own(const room_batch& batch, std::size_t from) {
  for (std::size_t i = from; i < batch.ids.size(); ++i) {
    auto it = sending_.find(sending_key(batch.room, batch.ids[i]));
    if (it != sending_.end() && !it->second.seen) it->second.seen = batch.first_seq + i;
  }
}

void client::resync() {
  if (closed_) return;
  for (auto& [room, st] : rooms_) {
    // Joining or replaying rooms read the store anyway; a live one asks from where it is.
    if (st.state == phase::live) request_page(room);
  }
}

void client::deliver_event(const std::string& room, const shared_line& line) {
  if (!sink_) return;
  // The identity's inbox (a direct conversation opened by someone else) is an answer, not an
  // event of a room: never dropped.
  if (!params_.identity.empty() && room == inbox(params_.identity)) return sink_->deliver(line);
  auto it = rooms_.find(room);
  if (it == rooms_.end() || it->second.state == phase::joining) return;
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
  auto change = people.join(room, params_.name, presence_key());
  st.present = true;
  send_line(protocol::encode_presence(room, change.users));
  // This node's clients only: every other node announces the change of its own union when
  // the broker tells it (see presence).
  if (change.changed) {
    hub_.deliver_event(
        room,
        std::make_shared<const std::string>(protocol::encode_person_event("join", room, params_.name, who_)),
        this);
  }
}

void client::leave_presence(const std::string& room, room_state& st) {
  if (!st.present) return;
  st.present = false;
  auto change = hub_.people().leave(room, params_.name, presence_key());
  if (change.changed) {
    hub_.deliver_event(
        room,
        std::make_shared<const std::string>(protocol::encode_person_event("leave", room, params_.name, who_)),
        this);
  }
}

// --- commands ---------------------------------------------------------------------------

void client::handle(protocol::send_command&& cmd) {
  if (cmd.id.empty()) cmd.id = make_id();
  // The usual case: the name is the connection's, known to be its own. Otherwise the send
  // waits, in order with those after it, until the name is claimed (or refused).
  if (held_.empty() && !wanting_ && !owned_.empty() && cmd.username == owned_ &&
      allowed(room_or_default(cmd.room)) && !needs_check(cmd))
    return append_send(std::move(cmd));
  std::string name = cmd.username;
  held_.push_back({std::move(name), std::move(cmd)});
  pump();
}

void client::pump() {
  while (!held_.empty() && !wanting_) {
    auto& front = held_.front();
    if (front.send) {
      const std::string room = room_or_default(front.send->room);
      auto known = access_.find(room);
      if (known == access_.end()) return check_room(room);
      if (!known->second) {
        send_error("not_member", "this room is private: only its members can post in it", front.send->id,
                   room);
        held_.pop_front();
        continue;
      }
    }
    if (owned_.empty() || front.username != owned_) return want(front.username);
    if (front.send && needs_check(*front.send) && !front.checked) return check_send();
    auto next = std::move(front);
    held_.pop_front();
    if (next.send) {
      append_send(std::move(*next.send));
    } else {
      adopt(next.username, {}, true);
    }
  }
}

void client::check_room(const std::string& room) {
  wanting_ = true;
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), identity = params_.identity,
                  room](store::sequencing_store& s) {
    std::optional<bool> allowed;
    try {
      allowed = s.directory().access(room, identity).allowed();
    } catch (const std::exception&) {
    }
    loop->post([weak, room, allowed] {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      self->wanting_ = false;
      if (allowed) {
        self->access_[room] = *allowed;
      } else {
        // The store could not say: every waiting send to the room is refused for now (kept by
        // the page, which resends it).
        for (auto it = self->held_.begin(); it != self->held_.end();) {
          if (it->send && self->room_or_default(it->send->room) == room) {
            self->send_error("store_failed", "the server could not check this room right now: try again",
                             it->send->id, room);
            it = self->held_.erase(it);
          } else {
            ++it;
          }
        }
      }
      self->pump();
    });
  });
}

void client::want(const std::string& name) {
  wanting_ = true;
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), identity = params_.identity, name,
                  max = hub_.config().max_username_chars](store::sequencing_store& s) {
    name_outcome outcome;
    bool failed = false;
    try {
      outcome = want_name(s, identity, name, max);
    } catch (const std::exception&) {
      failed = true;
    }
    loop->post([weak, name, failed, outcome = std::move(outcome)] {
      if (auto self = weak.lock(); self && !self->closed_)
        self->on_wanted(name, failed, outcome.granted, outcome.previous, outcome.suggestion);
    });
  });
}

void client::on_wanted(const std::string& name, bool failed, bool granted, const std::string& previous,
                       const std::string& suggestion) {
  wanting_ = false;
  if (!failed && granted) {
    // An identity's name is its presence too. An anonymous script's send leaves its presence
    // as it was (its identify, next in pump(), lists it), as before identities.
    adopt(name, previous, !params_.identity.empty());
  } else {
    // Every waiting request for this name is answered now; a send keeps its id, so the page
    // keeps the text and can resend it (under another name, or later).
    for (auto it = held_.begin(); it != held_.end();) {
      if (it->username != name) {
        ++it;
        continue;
      }
      const std::string id = it->send ? it->send->id : std::string();
      const std::string room = it->send ? room_or_default(it->send->room) : std::string();
      if (failed) {
        send_error("store_failed", "the server could not check this name right now: try again", id, room);
      } else {
        send_line(protocol::encode_name_taken(name, suggestion, id));
      }
      it = held_.erase(it);
    }
  }
  pump();
}

void client::adopt(const std::string& name, const std::string& previous, bool listed) {
  const bool changed = owned_ != name;
  owned_ = name;
  if (listed && params_.name != name) {
    for (auto& [room, st] : rooms_) leave_presence(room, st);
    params_.name = name;
    for (auto& [room, st] : rooms_) enter_presence(room, st);
  }
  if (params_.identity.empty() || !changed) return;
  send_line(protocol::encode_name(params_.identity, name));
  if (previous.empty() || previous == name) return;
  // Pages showing this identity's messages relabel them; history is folded when read.
  for (const auto& [room, st] : rooms_) {
    hub_.broadcast_event(room, std::make_shared<const std::string>(protocol::encode_rename(room, who_, name)),
                         nullptr);
  }
}

void client::append_send(protocol::send_command&& cmd) {
  new_message m;
  m.room = room_or_default(cmd.room);
  m.id = std::move(cmd.id);
  m.username = std::move(cmd.username);
  m.text = std::move(cmd.text);
  m.device = who_;
  m.ts = now_ms();
  m.reply_to = cmd.reply_to;
  if (cmd.mentions) m.mentions = std::move(*cmd.mentions);
  append_row(std::move(m));
}

void client::append_row(new_message&& m) {
  const std::string room = m.room;
  const std::string id = m.id;
  ++sending_[sending_key(room, id)].in_flight;
  // The one route of an ack: this answer, which the pipeline runs on this loop right after the
  // commit's fan-out here (room_pipeline::committed), so that it follows the message in the
  // same write when this connection follows the room.
  pipeline_.send(std::move(m), [weak = weak_from_this(), room, id](const append_outcome& outcome) {
    auto self = weak.lock();
    if (!self) return;
    std::optional<std::uint64_t> seen;  // The seq under which this id reached this connection.
    bool acked = false;
    if (auto it = self->sending_.find(sending_key(room, id)); it != self->sending_.end()) {
      seen = it->second.seen;
      acked = it->second.acked;
      it->second.acked = it->second.acked || seen.has_value();
      if (--it->second.in_flight <= 0) self->sending_.erase(it);
    }
    if (!outcome.result) {
      self->send_error("store_failed", "the server could not store this message; it was not sent: try again",
                       id, room);
    } else if (seen) {
      // This id reached the connection's live stream while it was pending (its own message, or
      // an earlier copy of a resend, docs/protocol.md): acked once, with that seq.
      if (!acked) self->send_line(protocol::encode_ack(room, id, *seen, false));
    } else {
      self->send_line(protocol::encode_ack(room, id, outcome.result->seq, outcome.result->duplicate));
    }
  });
}

void client::handle(protocol::history_command&& cmd) {
  const std::string room = room_or_default(cmd.room);
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), room, cmd,
                  identity = params_.identity](store::sequencing_store& s) {
    std::string line;
    try {
      if (!s.directory().access(room, identity).allowed()) {
        line = protocol::encode_error("not_member", "this room is private: only its members can read it", {},
                                      room);
      } else {
        auto window = read_history(s, room, cmd, identity);
        fold_current_names(s, window.messages);
        line = protocol::encode_history(room, window.messages, window.more, window.more_after);
      }
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
    if (it->second.state != phase::live) return;
    if (params_.identity.empty())
      return send_line(
          protocol::encode_subscribed(cmd.room, it->second.last, it->second.oldest, it->second.epoch));
    // The read position may have moved on another device since the join: read it again.
    pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), room = cmd.room,
                    identity = params_.identity](store::sequencing_store& s) {
      std::optional<std::uint64_t> read;
      try {
        read = s.directory().read_position(identity, room);
      } catch (const std::exception&) {
      }
      loop->post([weak, room, read] {
        auto self = weak.lock();
        if (!self || self->closed_) return;
        auto joined = self->rooms_.find(room);
        if (joined == self->rooms_.end()) return;
        auto& st = joined->second;
        if (read) st.read = read;
        self->send_line(protocol::encode_subscribed(room, st.last, st.oldest, st.epoch, st.read));
      });
    });
    return;
  }
  if (rooms_.size() >= hub_.config().max_rooms_per_connection) {
    send_error("too_many_rooms", "this connection follows too many rooms", {}, cmd.room);
    return;
  }
  join(cmd.room, cmd.since, false, cmd.secret, cmd.epoch);
}

void client::handle(protocol::unsubscribe_command&& cmd) { leave(cmd.room); }

void client::handle(protocol::identify_command&& cmd) {
  if (cmd.username == params_.name && held_.empty() && !wanting_) return;
  std::string name = std::move(cmd.username);
  held_.push_back({std::move(name), std::nullopt});
  pump();
}

void client::handle(protocol::release_command&&) {
  if (params_.identity.empty()) {
    send_error("not_identified", "only a connection with an identity token owns a name");
    return;
  }
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(),
                  identity = params_.identity](store::sequencing_store& s) {
    bool failed = false;
    try {
      s.directory().release_name(identity);
    } catch (const std::exception&) {
      failed = true;
    }
    loop->post([weak, failed] {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      if (failed)
        return self->send_error("store_failed", "the name could not be released right now: try again");
      self->owned_.clear();
      for (auto& [room, st] : self->rooms_) self->leave_presence(room, st);
      self->params_.name.clear();
      for (auto& [room, st] : self->rooms_) self->enter_presence(room, st);
      self->send_line(protocol::encode_name(self->params_.identity, ""));
    });
  });
}

void client::handle(protocol::typing_command&& cmd) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_typing_ < typing_interval) return;
  // An identity types under its own name; an anonymous connection under the one it gives.
  const std::string& name = cmd.username.empty() || !params_.identity.empty() ? params_.name : cmd.username;
  if (name.empty()) return;
  const std::string room = room_or_default(cmd.room);
  if (!allowed(room)) return;  // Never into a private room the connection is not a member of.
  last_typing_ = now;
  hub_.broadcast_event(
      room, std::make_shared<const std::string>(protocol::encode_person_event("typing", room, name, who_)),
      this);
}

void client::handle(protocol::rooms_command&&) {
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(),
                  identity = params_.identity](store::sequencing_store& s) {
    std::string line;
    try {
      auto& directory = s.directory();
      const auto hidden_list = directory.hidden_rooms(identity);
      const std::set<std::string> hidden(hidden_list.begin(), hidden_list.end());
      std::set<std::string> followed;
      if (!identity.empty()) {
        for (auto& r : directory.followed(identity)) followed.insert(std::move(r));
      }
      std::vector<protocol::room_entry> list;
      for (auto& r : s.rooms()) {
        if (hidden.contains(r.room)) continue;  // Not even its name for a non-member.
        const bool follows = followed.erase(r.room) > 0;
        const bool is_private = follows && directory.access(r.room, identity).is_private;
        list.push_back({std::move(r.room), r.last_seq, follows, is_private});
      }
      // Followed rooms without messages yet (a new private room, a direct conversation).
      for (const auto& room : followed) {
        if (hidden.contains(room)) continue;
        list.push_back({room, 0, true, directory.access(room, identity).is_private});
      }
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.room < b.room; });
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

// --- membership, private rooms, direct messages -----------------------------------------------

bool client::refuse_anonymous() {
  if (!params_.identity.empty()) return false;
  send_error("not_identified",
             "this needs an identity token: private rooms and direct messages belong to people");
  return true;
}

void client::answer_from_store(std::function<std::string(store::sequencing_store&)> job, std::string what,
                               std::function<void(client&)> on_success) {
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), job = std::move(job),
                  what = std::move(what), on_success = std::move(on_success)](store::sequencing_store& s) {
    std::string line;
    bool ok = false;
    try {
      line = job(s);
      ok = line.find(R"("type":"error")") == std::string::npos;
    } catch (const std::exception&) {
      line = protocol::encode_error("store_failed", what + " is unavailable right now: try again", {}, {});
    }
    loop->post([weak, line = std::move(line), ok, on_success]() mutable {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      self->send_line(std::move(line));
      if (ok && on_success) on_success(*self);
    });
  });
}

std::string client::inbox(const std::string& identity) { return "@" + identity; }

void client::notify(const std::string& identity, std::string line, const client* except) {
  hub_.broadcast_event(inbox(identity), std::make_shared<const std::string>(std::move(line)), except);
}

void client::handle(protocol::unfollow_command&& cmd) {
  unwatch(cmd.room);
  leave(cmd.room);
  if (params_.identity.empty()) return;
  pipeline_.read([identity = params_.identity, room = cmd.room](store::sequencing_store& s) {
    try {
      s.directory().set_following(identity, room, false);
    } catch (const std::exception&) {
      // Still followed on the server: the next unfollow tries again.
    }
  });
}

void client::handle(protocol::create_room_command&& cmd) {
  if (refuse_anonymous()) return;
  answer_from_store(
      [identity = params_.identity, room = cmd.room](store::sequencing_store& s) {
        auto& directory = s.directory();
        const std::string secret = new_room_secret();
        // A room with messages is public for good: making it private would hide what people wrote.
        if (s.last_seq(room) > 0 || !directory.create_private_room(room, identity, secret))
          return protocol::encode_error("room_exists", "this room exists already: pick another name", {},
                                        room);
        directory.set_following(identity, room, true);
        return protocol::encode_room(room, secret, {});
      },
      "creating a room");
}

void client::handle(protocol::invite_command&& cmd) {
  if (refuse_anonymous()) return;
  answer_from_store(
      [identity = params_.identity, room = cmd.room, guest = cmd.identity](store::sequencing_store& s) {
        auto& directory = s.directory();
        const auto access = directory.access(room, identity);
        if (!access.is_private || !access.member)
          return protocol::encode_error("not_member", "only a member of a private room can invite to it", {},
                                        room);
        if (directory.names_of({guest}).empty())
          return protocol::encode_error("unknown_identity", "nobody with this identity has a name here", {},
                                        room);
        directory.add_member(room, guest);
        directory.set_following(guest, room, true);
        return protocol::encode_room(room, directory.room_secret(room), {});
      },
      "inviting",
      [guest = cmd.identity, room = cmd.room](client& self) {
        self.notify(guest, protocol::encode_room(room, {}, {}, self.params_.identity));
      });
}

void client::handle(protocol::direct_command&& cmd) {
  if (refuse_anonymous()) return;
  if (cmd.identity == params_.identity) {
    send_error("bad_identity", "a direct conversation needs another person");
    return;
  }
  answer_from_store(
      [identity = params_.identity, other = cmd.identity](store::sequencing_store& s) {
        auto& directory = s.directory();
        if (directory.names_of({other}).empty())
          return protocol::encode_error("unknown_identity", "nobody with this identity has a name here", {},
                                        {});
        // The same room every time for the same two people; made on first use. Its secret is
        // never told: nobody joins a direct conversation by link.
        const std::string room = direct_room(identity, other);
        directory.create_private_room(room, identity, new_room_secret());
        for (const auto& who : {identity, other}) {
          directory.add_member(room, who);
          directory.set_following(who, room, true);
        }
        return protocol::encode_room(room, {}, other);
      },
      "opening a direct conversation",
      [other = cmd.identity](client& self) {
        const auto& me = self.params_.identity;
        self.notify(other, protocol::encode_room(direct_room(me, other), {}, me, me));
      });
}

// --- helpers ----------------------------------------------------------------------------

void client::send_line(std::string line) {
  if (sink_) sink_->deliver(std::make_shared<const std::string>(std::move(line)));
}

void client::send_error(std::string_view code, std::string_view message, std::string_view id,
                        std::string_view room) {
  send_line(protocol::encode_error(code, message, id, room));
}

bool client::allowed(const std::string& room) const {
  auto it = access_.find(room);
  return it != access_.end() && it->second;
}

std::string client::presence_key() const {
  return params_.identity.empty() ? params_.device : "@" + params_.identity;
}

const std::string& client::room_or_default(const std::optional<std::string>& room) const {
  return room ? *room : params_.room;
}

std::string client::make_id() {
  // The original's bare frames carry no id. A random prefix drawn once per connection keeps
  // server-made ids apart across connections and restarts, and the counter after it keeps one
  // connection's ids apart and in the order they were made.
  if (id_prefix_.empty()) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    id_prefix_ = fmt::format("srv-{:016x}-", rng());
  }
  return fmt::format("{}{}", id_prefix_, ++id_counter_);
}

}  // namespace message::core
