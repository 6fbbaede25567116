#include "client/event_lines.hpp"

#include "client/message_format.hpp"

namespace message::client {

namespace {

/// The device tag frames carry beside an identity: its first 6 characters (docs/protocol.md).
constexpr std::size_t tag_chars = 6;

std::string tag_of(const std::string& identity_or_tag) { return identity_or_tag.substr(0, tag_chars); }

}  // namespace

std::string clock_time(std::time_t t) {
  std::tm local{};
  localtime_r(&t, &local);
  char stamp[8];
  std::strftime(stamp, sizeof stamp, "%H:%M", &local);
  return stamp;
}

void event_lines::saw(const protocol::server_event& e) {
  const auto note = [&](const std::string& device, const std::string& name) {
    if (device.empty() || name.empty()) return;
    auto& seen = names_[tag_of(device)];
    if (seen.current == name) return;
    seen.previous = std::move(seen.current);
    seen.current = name;
  };
  if (const auto* m = std::get_if<protocol::message_event>(&e)) {
    note(m->message.device, m->message.username);
  } else if (const auto* h = std::get_if<protocol::history_event>(&e)) {
    for (const auto& old : h->messages) note(old.message.device, old.message.username);
  } else if (const auto* p = std::get_if<protocol::presence_event>(&e)) {
    for (const auto& u : p->users) note(u.device, u.username);
  } else if (const auto* j = std::get_if<protocol::person_event>(&e)) {
    note(j->identity.empty() ? j->device : j->identity, j->username);
  } else if (const auto* r = std::get_if<protocol::rename_event>(&e)) {
    note(r->identity, r->username);
  } else if (const auto* c = std::get_if<protocol::change_event>(&e)) {
    note(c->change.device, c->change.username);
  }
}

std::string event_lines::who(const std::string& identity_or_tag) const {
  const auto it = names_.find(tag_of(identity_or_tag));
  if (it != names_.end()) return coloured_name(it->second.current, colour_);
  return "someone (" + printable(tag_of(identity_or_tag)) + ")";
}

std::string event_lines::old_name(const protocol::rename_event& r) const {
  const auto it = names_.find(tag_of(r.identity));
  if (it != names_.end()) {
    const auto& seen = it->second;
    if (seen.current != r.username) return coloured_name(seen.current, colour_);
    if (!seen.previous.empty()) return coloured_name(seen.previous, colour_);
  }
  return "someone (" + printable(tag_of(r.identity)) + ")";
}

std::optional<std::string> event_lines::line(const protocol::server_event& e, std::time_t now) const {
  const auto at = clock_time(now) + " -- ";
  if (const auto* j = std::get_if<protocol::person_event>(&e)) {
    if (j->kind == "join") return at + coloured_name(j->username, colour_) + " joined";
    if (j->kind == "leave") return at + coloured_name(j->username, colour_) + " left";
    return std::nullopt;
  }
  if (const auto* r = std::get_if<protocol::rename_event>(&e))
    return at + old_name(*r) + " is now " + coloured_name(r->username, colour_);
  if (const auto* n = std::get_if<protocol::name_event>(&e)) {
    if (n->username.empty()) return at + "you gave up your name";
    return at + "you are now " + coloured_name(n->username, colour_);
  }
  if (const auto* r = std::get_if<protocol::room_event>(&e)) {
    // Without `by` it answers this connection's own request, which tail and chat never make.
    if (r->by.empty()) return std::nullopt;
    if (r->direct) return at + who(r->by) + " wrote to you directly: room " + printable(r->room);
    return at + who(r->by) + " invited you to the private room " + printable(r->room);
  }
  if (const auto* g = std::get_if<protocol::gap_event>(&e)) return format_gap(g->from, g->to);
  if (const auto* c = std::get_if<protocol::change_event>(&e)) return at + change_line(c->change);
  return std::nullopt;
}

std::string event_lines::change_line(const core::chat_message& c) const {
  const std::string name = c.username.empty() ? who(c.device) : coloured_name(c.username, colour_);
  const std::string target = "#" + std::to_string(c.target);
  switch (c.kind) {
    case core::event_kind::edit:
      return name + " edited " + target + ": " + printable(c.text);
    case core::event_kind::remove:
      return name + " deleted " + target;
    case core::event_kind::react:
      return name + " reacted " + printable(c.text) + " to " + target;
    case core::event_kind::unreact:
      return name + " took back " + printable(c.text) + " from " + target;
    default:
      return name + " changed " + target;
  }
}

bool event_lines::printed(const protocol::server_event& e) {
  if (const auto* j = std::get_if<protocol::person_event>(&e)) return j->kind != "typing";
  if (const auto* r = std::get_if<protocol::room_event>(&e)) return !r->by.empty();
  return std::holds_alternative<protocol::rename_event>(e) ||
         std::holds_alternative<protocol::change_event>(e) ||
         std::holds_alternative<protocol::name_event>(e) || std::holds_alternative<protocol::gap_event>(e);
}

}  // namespace message::client
