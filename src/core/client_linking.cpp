// Device linking (docs/protocol.md, "Device linking"): the first device asks for a code, the
// second spends it and from then on acts as the first's identity. Codes and links live in the
// store's identity_directory, so every node and a restart honour them.
#include <chrono>

#include "common/link_code.hpp"
#include "core/client.hpp"
#include "core/hub.hpp"
#include "protocol/codec.hpp"

namespace message::core {

namespace {
std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

namespace {
/// Link frames a connection may send before its identity is resolved (a terminal client sends
/// `link` as soon as the upgrade succeeds): kept until it is; more is not a person.
constexpr std::size_t max_early_link_frames = 4;
}  // namespace

bool client::defer_until_identified(protocol::command&& cmd) {
  if (device_.empty() || identity_known_) return false;
  if (before_identity_.size() >= max_early_link_frames) {
    send_error("rate_limited", "too many link frames before the connection's identity was known");
    return true;
  }
  before_identity_.push_back(std::move(cmd));
  return true;
}

void client::handle(protocol::link_code_command&& cmd) {
  if (defer_until_identified(cmd)) return;
  if (params_.identity.empty()) {
    send_error("not_identified", "only a connection with an identity token can link another device");
    return;
  }
  auto code = new_link_code(hub_.config().link_code_chars);
  const auto expires = unix_ms() + hub_.config().link_code_ttl.count();
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), identity = params_.identity,
                  code = std::move(code), expires](store::sequencing_store& s) {
    bool failed = false;
    try {
      s.directory().put_link_code(code, identity, expires);
    } catch (const std::exception&) {
      failed = true;
    }
    loop->post([weak, failed, code, expires] {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      if (failed) return self->send_error("store_failed", "no link code could be made right now: try again");
      self->send_line(protocol::encode_link_code(code, expires));
    });
  });
}

void client::handle(protocol::link_command&& cmd) {
  if (defer_until_identified(protocol::link_command{cmd.code})) return;
  if (device_.empty()) {
    send_error("not_identified", "only a connection with an identity token can be linked");
    return;
  }
  if (!hub_.link_guesses().may_try()) {
    send_error("rate_limited", "too many wrong link codes on this server: try again in a minute");
    return;
  }
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), device = device_,
                  code = std::move(cmd.code), guesses = &hub_.link_guesses()](store::sequencing_store& s) {
    std::string identity, username;
    bool failed = false;
    try {
      auto& directory = s.directory();
      identity = directory.take_link_code(code, unix_ms());
      if (identity.empty()) {
        guesses->failed();
      } else if (identity != device) {
        directory.link_device(device, identity);
        auto names = directory.names_of({identity});
        if (auto it = names.find(identity); it != names.end()) username = it->second;
      }
    } catch (const std::exception&) {
      failed = true;
    }
    loop->post([weak, failed, identity = std::move(identity), username = std::move(username)] {
      auto self = weak.lock();
      if (!self || self->closed_) return;
      if (failed)
        return self->send_error("store_failed", "the device could not be linked right now: try again");
      if (identity.empty())
        return self->send_error("bad_code", "that link code is unknown, used or expired: ask for a new one");
      if (identity == self->params_.identity) {
        // Its own code (or a device already linked to it): nothing changes.
        return self->send_line(protocol::encode_linked(identity, self->owned_));
      }
      // The connection's rooms, presence and inbox belong to the identity it had: it closes,
      // and the device's next connection is the linked identity's, with all its state.
      self->send_line(protocol::encode_linked(identity, username));
      self->close(close_code::normal, "linked: reconnect");
    });
  });
}

}  // namespace message::core
