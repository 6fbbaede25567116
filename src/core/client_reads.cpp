// core::client's read state and room activity (docs/protocol.md, "Read state", "Room
// activity"): kept apart from client.cpp, which is about rooms and messages. Everything here
// runs on the client's loop, like the rest of client; store work runs on the store's caller and
// comes back through event_loop::post holding a weak_ptr.

#include <utility>

#include "core/client.hpp"
#include "core/hub.hpp"
#include "core/room_activity.hpp"
#include "protocol/codec.hpp"
#include "protocol/read_frames.hpp"

namespace message::core {

namespace {
std::string activity_line(const room_activity& a) {
  return protocol::encode_room_activity(a.room, a.seq, a.unread, a.mentions);
}
}  // namespace

void client::handle(protocol::read_command&& cmd) {
  if (params_.identity.empty()) {
    send_error("not_identified", "read positions belong to people: this needs an identity token");
    return;
  }
  reads_.offer(room_or_default(cmd.room), cmd.seq);
  flush_reads();
}

void client::flush_reads(bool closing) {
  auto& loop = pipeline_.loop();
  const auto now = read_coalescer::clock::now();
  auto due = closing ? reads_.take_all() : reads_.take_due(now);
  // Another connection of the identity stored this room's position within the interval: this
  // one waits for its next turn (held again; its interval restarted now). A closing one has no
  // next turn: its reads are stored now.
  if (!closing) {
    std::erase_if(due, [&](const auto& entry) {
      if (hub_.reads().admit(params_.identity, entry.first, now)) return false;
      reads_.offer(entry.first, entry.second);
      return true;
    });
  }
  if (!due.empty()) {
    pipeline_.read([weak = weak_from_this(), hub = &hub_, loop = &loop, identity = params_.identity,
                    scan = hub_.config().activity_mention_scan,
                    due = std::move(due)](store::sequencing_store& s) {
      struct result {
        std::string room;
        std::string error;  // For this connection only.
        std::uint64_t seq = 0;
        std::string activity;
      };
      std::vector<result> results;
      std::string name;
      bool named = false;
      for (const auto& [room, requested] : due) {
        result r{room, {}, 0, {}};
        try {
          auto outcome = apply_read(s, identity, room, requested);
          if (!outcome.allowed) {
            r.error = protocol::encode_error("not_member",
                                             "this room is private: only its members can read it", {}, room);
          } else if (outcome.raised) {
            if (!named) name = current_name(s, identity), named = true;
            r.seq = *outcome.raised;
            r.activity = activity_line(count_activity(s, identity, name, room, scan));
          } else {
            continue;  // Not above the stored position: nothing changes, nothing is said.
          }
        } catch (const std::exception&) {
          r.error = protocol::encode_error(
              "store_failed", "the read position could not be stored right now: send it again", {}, room);
        }
        results.push_back(std::move(r));
      }
      if (results.empty()) return;
      loop->post([weak, hub, me = identity, results = std::move(results)]() mutable {
        // The connection may have closed meanwhile (its last reads are stored as it closes):
        // the identity's other devices and the room are told all the same.
        auto self = weak.lock();
        const bool open = self && !self->closed_;
        for (auto& r : results) {
          if (!r.error.empty()) {
            if (open) self->send_line(std::move(r.error));
            continue;
          }
          if (open) {
            if (auto it = self->rooms_.find(r.room); it != self->rooms_.end()) it->second.read = r.seq;
          }
          // The identity's other devices and tabs move their position and badges; the room's
          // readers update "seen by", like typing (never in the seq stream).
          hub->broadcast_event(inbox(me),
                               std::make_shared<const std::string>(protocol::encode_read(r.room, r.seq)),
                               open ? self.get() : nullptr);
          hub->broadcast_event(inbox(me), std::make_shared<const std::string>(std::move(r.activity)),
                               nullptr);
          const std::pair<std::string, std::uint64_t> reader{me, r.seq};
          hub->broadcast_event(
              r.room, std::make_shared<const std::string>(protocol::encode_seen(r.room, {&reader, 1}, false)),
              nullptr);
        }
      });
    });
  }
  if (reads_timer_ || closing) return;
  if (auto next = reads_.next_due()) {
    reads_timer_ = true;
    loop.post_at(*next, [weak = weak_from_this()] {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      self->reads_timer_ = false;
      self->flush_reads();
    });
  }
}

void client::note_activity(const std::string& room, std::uint64_t seq) {
  activity_.offer(room, seq);
  flush_activity();
}

void client::flush_activity() {
  auto& loop = pipeline_.loop();
  auto due = activity_.take_due(read_coalescer::clock::now());
  if (!due.empty()) {
    pipeline_.read([weak = weak_from_this(), loop = &loop, identity = params_.identity,
                    scan = hub_.config().activity_mention_scan,
                    due = std::move(due)](store::sequencing_store& s) {
      std::vector<std::string> lines;
      try {
        const std::string name = current_name(s, identity);
        for (const auto& entry : due)
          lines.push_back(activity_line(count_activity(s, identity, name, entry.first, scan)));
      } catch (const std::exception&) {
        return;  // Badges stay as they were; the next message or read recounts.
      }
      loop->post([weak, lines = std::move(lines)]() mutable {
        auto self = weak.lock();
        if (!self || self->closed_) return;
        for (auto& line : lines) self->send_line(std::move(line));
      });
    });
  }
  if (activity_timer_) return;
  if (auto next = activity_.next_due()) {
    activity_timer_ = true;
    loop.post_at(*next, [weak = weak_from_this()] {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      self->activity_timer_ = false;
      self->flush_activity();
    });
  }
}

void client::send_activity_snapshot() {
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), identity = params_.identity,
                  scan = hub_.config().activity_mention_scan](store::sequencing_store& s) {
    std::vector<std::string> rooms;
    std::vector<std::string> lines;
    try {
      const std::string name = current_name(s, identity);
      rooms = s.directory().followed(identity);
      for (const auto& room : rooms)
        lines.push_back(activity_line(count_activity(s, identity, name, room, scan)));
    } catch (const std::exception&) {
      return;  // No badges until the next connection; chatting goes on.
    }
    loop->post([weak, rooms = std::move(rooms), lines = std::move(lines)]() mutable {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      for (auto& line : lines) self->send_line(std::move(line));
      for (const auto& room : rooms) self->watch(room);
    });
  });
}

void client::watch(const std::string& room) {
  if (watched_.insert(room).second) pipeline_.followers().follow(room, this);
}

void client::unwatch(const std::string& room) {
  if (watched_.erase(room) && !rooms_.contains(room)) pipeline_.followers().unfollow(room, this);
}

}  // namespace message::core
