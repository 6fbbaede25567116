// core::client's conversation changes (docs/protocol.md, "Conversation"): edit, delete, react,
// the `reactions` request, and the checks a send with reply_to or mentions passes before its
// append. Kept apart from client.cpp, which is about rooms and messages. Everything here runs on
// the client's loop; the checks run on the store's caller (a store_thread read job, behind the
// appends queued before it) and come back through event_loop::post holding a weak_ptr. An
// accepted change is appended through append_row(), the send's path: ack, duplicate ids,
// broadcast, the Redis publish and replay work for it as for a message.

#include <utility>

#include "core/client.hpp"
#include "core/clock.hpp"
#include "core/hub.hpp"
#include "core/identity_names.hpp"
#include "protocol/codec.hpp"

namespace message::core {

namespace {
/// A change of `room`'s message `target`; its author's fields are set when it is accepted.
new_message change_of(const std::string& room, std::string id, event_kind kind, std::uint64_t target,
                      std::string text = {}) {
  new_message m;
  m.room = room;
  m.id = std::move(id);
  m.kind = kind;
  m.target = target;
  m.text = std::move(text);
  return m;
}
}  // namespace

void client::handle(protocol::edit_command&& cmd) {
  auto m = change_of(room_or_default(cmd.room), std::move(cmd.id), event_kind::edit, cmd.target,
                     std::move(cmd.text));
  const bool with_mentions = cmd.mentions.has_value();
  if (cmd.mentions) m.mentions = std::move(*cmd.mentions);
  submit_change(std::move(m), target_need::authored, with_mentions);
}

void client::handle(protocol::delete_command&& cmd) {
  submit_change(change_of(room_or_default(cmd.room), std::move(cmd.id), event_kind::remove, cmd.target),
                target_need::authored, false);
}

void client::handle(protocol::react_command&& cmd) {
  submit_change(
      change_of(room_or_default(cmd.room), std::move(cmd.id),
                cmd.remove ? event_kind::unreact : event_kind::react, cmd.target, std::move(cmd.emoji)),
      target_need::readable, false);
}

void client::submit_change(new_message change, target_need need, bool with_mentions) {
  if (params_.identity.empty()) {
    send_error("not_identified", "changing a message needs an identity token: changes belong to people",
               change.id, change.room);
    return;
  }
  // Before start() resolved it, params_.identity is this device's own id, which may be linked
  // to another identity: the check asks the store which one it acts as.
  const bool resolve = !identity_known_;
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), identity = params_.identity, resolve,
                  need, with_mentions, change = std::move(change)](store::sequencing_store& s) mutable {
    std::optional<refusal> refused;
    bool failed = false;
    try {
      const std::string me = resolve ? s.directory().identity_of_device(identity) : identity;
      refused = check_target(s, change.room, change.target, me, need);
      if (!refused && with_mentions) change.mentions = known_mentions(s, change.room, change.mentions);
    } catch (const std::exception&) {
      failed = true;
    }
    loop->post([weak, refused = std::move(refused), failed, change = std::move(change)]() mutable {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      if (failed)
        return self->send_error("store_failed", "the server could not check this change right now: try again",
                                change.id, change.room);
      if (refused) return self->send_error(refused->code, refused->message, change.id, change.room);
      change.username = self->owned_.empty() ? self->params_.name : self->owned_;
      change.device = self->who_;
      change.ts = now_ms();
      self->append_row(std::move(change));
    });
  });
}

void client::handle(protocol::reactions_command&& cmd) {
  const std::string room = room_or_default(cmd.room);
  answer_from_store(
      [identity = params_.identity, room, target = cmd.target](store::sequencing_store& s) {
        if (auto refused = check_target(s, room, target, identity, target_need::readable))
          return protocol::encode_error(refused->code, refused->message, {}, room);
        auto reactions = s.reactions(room, target);
        fold_current_names(s, reactions);
        return protocol::encode_reactions(room, target, reactions);
      },
      "the list of reactions");
}

void client::check_send() {
  wanting_ = true;
  const auto& send = *held_.front().send;
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), identity = params_.identity,
                  room = room_or_default(send.room), reply_to = send.reply_to,
                  mentions = send.mentions](store::sequencing_store& s) {
    std::optional<refusal> refused;
    std::vector<std::string> kept;
    bool failed = false;
    try {
      if (reply_to) refused = check_target(s, room, reply_to, identity, target_need::readable);
      if (!refused && mentions) kept = known_mentions(s, room, *mentions);
    } catch (const std::exception&) {
      failed = true;
    }
    loop->post([weak, room, refused = std::move(refused), failed, kept = std::move(kept)]() mutable {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      self->wanting_ = false;
      if (self->held_.empty() || !self->held_.front().send) return self->pump();
      auto& front = self->held_.front();
      if (failed || refused) {
        // The send is not appended: its id is named, so the page keeps the text.
        if (failed) {
          self->send_error("store_failed", "the server could not check this reply right now: try again",
                           front.send->id, room);
        } else {
          self->send_error(refused->code, refused->message, front.send->id, room);
        }
        self->held_.pop_front();
      } else {
        if (front.send->mentions) front.send->mentions = std::move(kept);
        front.checked = true;
      }
      self->pump();
    });
  });
}

}  // namespace message::core
