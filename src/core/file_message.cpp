#include "core/file_message.hpp"

#include "core/change_checks.hpp"
#include "core/clock.hpp"
#include "core/hub.hpp"

namespace message::core {

namespace {
/// The name a file message is posted under: the identity's own, as a send's must be; an
/// identity that owns none shows as its device tag (the first 6 of its id), as anonymous
/// senders do.
std::string poster_name(store::sequencing_store& s, const std::string& identity) {
  auto names = s.directory().names_of({identity});
  if (auto it = names.find(identity); it != names.end() && !it->second.empty()) return it->second;
  return identity.substr(0, 6);
}
}  // namespace

void check_file_room(hub& hub, std::size_t loop, std::string device, std::string room,
                     std::function<void(file_room_check)> done) {
  hub.pipeline(loop).read([l = &hub.pipeline(loop).loop(), device = std::move(device), room = std::move(room),
                           done = std::move(done)](store::sequencing_store& s) mutable {
    file_room_check check;
    try {
      const auto identity = s.directory().identity_of_device(device);
      check.allowed = s.directory().access(room, identity).allowed();
    } catch (const std::exception&) {
      check.failed = true;
    }
    l->post([done = std::move(done), check] { done(check); });
  });
}

void find_readable_file(hub& hub, std::size_t loop, std::string device, std::string sha256,
                        std::function<void(readable_file)> done) {
  hub.pipeline(loop).read([l = &hub.pipeline(loop).loop(), device = std::move(device),
                           sha256 = std::move(sha256),
                           done = std::move(done)](store::sequencing_store& s) mutable {
    readable_file found;
    try {
      const auto identity = s.directory().identity_of_device(device);
      for (auto& use : s.file_uses(sha256)) {
        if (!s.directory().access(use.room, identity).allowed()) continue;
        found.file = std::move(use.file);
        break;
      }
    } catch (const std::exception&) {
      found.failed = true;
    }
    l->post([done = std::move(done), found = std::move(found)]() mutable { done(std::move(found)); });
  });
}

void append_file_message(hub& hub, std::size_t loop, file_message message,
                         std::function<void(file_message_outcome)> done) {
  auto shared_done = std::make_shared<std::function<void(file_message_outcome)>>(std::move(done));
  hub.pipeline(loop).read([&hub, loop, l = &hub.pipeline(loop).loop(), message = std::move(message),
                           shared_done](store::sequencing_store& s) mutable {
    file_message_outcome refused;
    new_message m;
    try {
      const auto identity = s.directory().identity_of_device(message.device);
      std::optional<refusal> why;
      if (message.reply_to != 0) {
        why = check_target(s, message.room, message.reply_to, identity, target_need::readable);
      } else if (!s.directory().access(message.room, identity).allowed()) {
        why = refusal{"not_member", "this room is private: only its members can post in it"};
      }
      if (why) {
        refused.refused = why->code;
        refused.words = why->message;
      } else {
        m.room = std::move(message.room);
        m.id = std::move(message.id);
        m.username = poster_name(s, identity);
        m.text = std::move(message.caption);
        m.device = identity;
        m.reply_to = message.reply_to;
        m.file = std::move(message.file);
      }
    } catch (const std::exception&) {
      refused.failed = true;
    }
    if (refused.failed || !refused.refused.empty()) {
      l->post([shared_done, refused] { (*shared_done)(refused); });
      return;
    }
    // Back on the loop, the message joins that loop's sends like one a client typed.
    l->post([&hub, loop, m = std::move(m), shared_done]() mutable {
      m.ts = now_ms();
      // The pipeline answers on this loop, right after the commit's fan-out here.
      hub.pipeline(loop).send(std::move(m), [shared_done](const append_outcome& outcome) {
        file_message_outcome out;
        if (!outcome.result) {
          out.failed = true;
        } else {
          out.seq = outcome.result->seq;
          out.duplicate = outcome.result->duplicate;
        }
        (*shared_done)(out);
      });
    });
  });
}

}  // namespace message::core
