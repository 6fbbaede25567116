#include "protocol/client_codec.hpp"

#include <boost/json.hpp>

namespace message::protocol {

namespace json = boost::json;

namespace {

std::string get_string(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::uint64_t get_uint(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64()) return v->get_int64() < 0 ? 0 : static_cast<std::uint64_t>(v->get_int64());
  if (v->is_double()) {
    // Servers write integers; a double beyond uint64's range (or NaN) would make the cast
    // undefined, so a value that cannot be a seq or a time reads as absent.
    const double d = v->get_double();
    return d >= 0 && d < 18446744073709551616.0 ? static_cast<std::uint64_t>(d) : 0;
  }
  return 0;
}

double get_double(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_double()) return v->get_double();
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  return 0;
}

bool get_bool(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

std::optional<core::chat_message> read_message(const json::object& o) {
  if (!o.contains("seq") || !o.contains("message")) return std::nullopt;
  core::chat_message m;
  m.room = get_string(o, "room");
  m.seq = get_uint(o, "seq");
  m.id = get_string(o, "id");
  m.username = get_string(o, "username");
  m.text = get_string(o, "message");
  m.device = get_string(o, "device");
  const auto* ts = o.if_contains("ts");
  if (ts && ts->is_int64()) m.ts = ts->get_int64();
  if (ts && ts->is_uint64()) m.ts = static_cast<std::int64_t>(ts->get_uint64());
  return m;
}

server_limits read_limits(const json::value* v) {
  server_limits l;
  if (!v || !v->is_object()) return l;
  const auto& o = v->get_object();
  auto size = [&](std::string_view key, std::size_t& out) {
    if (o.contains(key)) out = static_cast<std::size_t>(get_uint(o, key));
  };
  size("max_message_chars", l.max_message_chars);
  size("max_username_chars", l.max_username_chars);
  size("max_frame_bytes", l.max_frame_bytes);
  size("history_limit", l.history_limit);
  size("max_room_chars", l.max_room_chars);
  size("max_id_chars", l.max_id_chars);
  l.msgs_per_sec = get_double(o, "msgs_per_sec");
  l.msgs_burst = get_double(o, "msgs_burst");
  l.id_memory_seconds = get_uint(o, "id_memory_seconds");
  return l;
}

}  // namespace

std::optional<server_event> decode_server_line(std::string_view line) {
  json::parse_options opts;
  opts.max_depth = 16;
  boost::system::error_code ec;
  json::value v = json::parse(line, ec, {}, opts);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  const auto* type = o.if_contains("type");
  if (!type || !type->is_string()) return std::nullopt;
  const std::string_view t = type->get_string();
  if (t == "message") {
    auto m = read_message(o);
    if (!m) return std::nullopt;
    return message_event{std::move(*m), std::string(line)};
  }
  if (t == "edit" || t == "delete" || t == "react") {
    if (!o.contains("seq") || !o.contains("target")) return std::nullopt;
    core::chat_message c;
    c.room = get_string(o, "room");
    c.seq = get_uint(o, "seq");
    c.id = get_string(o, "id");
    c.username = get_string(o, "username");
    c.device = get_string(o, "identity");
    if (c.device.empty()) c.device = get_string(o, "device");
    c.target = get_uint(o, "target");
    c.ts = static_cast<std::int64_t>(get_uint(o, "ts"));
    if (t == "edit") {
      c.kind = core::event_kind::edit;
      c.text = get_string(o, "message");
    } else if (t == "delete") {
      c.kind = core::event_kind::remove;
    } else {
      c.kind = get_bool(o, "remove") ? core::event_kind::unreact : core::event_kind::react;
      c.text = get_string(o, "emoji");
    }
    return change_event{std::move(c), std::string(line)};
  }
  if (t == "ack")
    return ack_event{get_string(o, "room"), get_string(o, "id"), get_uint(o, "seq"),
                     get_bool(o, "duplicate")};
  if (t == "error")
    return error_event{get_string(o, "code"), get_string(o, "message"), get_string(o, "id"),
                       get_string(o, "room")};
  if (t == "welcome")
    return welcome_event{get_string(o, "room"), get_uint(o, "seq"), read_limits(o.if_contains("limits")),
                         get_string(o, "epoch")};
  if (t == "history") {
    history_event h{get_string(o, "room"), {}, get_bool(o, "more")};
    const auto* a = o.if_contains("messages");
    if (!a || !a->is_array()) return std::nullopt;
    for (const auto& e : a->get_array()) {
      if (!e.is_object()) return std::nullopt;
      auto m = read_message(e.get_object());
      if (!m) return std::nullopt;
      h.messages.push_back(message_event{std::move(*m), json::serialize(e)});
    }
    return h;
  }
  if (t == "subscribed") return subscribed_event{get_string(o, "room"), get_uint(o, "seq")};
  if (t == "gap")
    return gap_event{get_string(o, "room"), get_uint(o, "from"), get_uint(o, "to"), std::string(line)};
  if (t == "reset")
    return reset_event{get_string(o, "room"), get_string(o, "epoch"), get_uint(o, "seq"), std::string(line)};
  if (t == "presence") {
    presence_event p{get_string(o, "room"), {}};
    if (const auto* a = o.if_contains("users"); a && a->is_array()) {
      for (const auto& e : a->get_array())
        if (e.is_object())
          p.users.push_back({get_string(e.get_object(), "username"), get_string(e.get_object(), "device")});
    }
    return p;
  }
  if (t == "join" || t == "leave" || t == "typing")
    return person_event{std::string(t),          get_string(o, "room"),     get_string(o, "username"),
                        get_string(o, "device"), get_string(o, "identity"), std::string(line)};
  if (t == "rename")
    return rename_event{get_string(o, "room"), get_string(o, "identity"), get_string(o, "username"),
                        std::string(line)};
  if (t == "name") return name_event{get_string(o, "identity"), get_string(o, "username"), std::string(line)};
  if (t == "room")
    return room_event{get_string(o, "room"), get_bool(o, "private"), get_bool(o, "direct"),
                      get_string(o, "with"), get_string(o, "by"),    std::string(line)};
  if (t == "rooms") {
    rooms_event r;
    if (const auto* a = o.if_contains("rooms"); a && a->is_array()) {
      for (const auto& e : a->get_array())
        if (e.is_object())
          r.rooms.push_back({get_string(e.get_object(), "room"), get_uint(e.get_object(), "seq")});
    }
    return r;
  }
  if (t == "pong") return pong_event{};
  return unknown_event{std::string(t)};
}

std::string encode_send(const send_command& c) {
  json::object o;
  o["type"] = "send";
  o["id"] = c.id;
  o["username"] = c.username;
  o["message"] = c.text;
  if (c.room) o["room"] = *c.room;
  return json::serialize(o);
}

std::string encode_history_request(const history_command& c) {
  json::object o;
  o["type"] = "history";
  if (c.before) o["before"] = *c.before;
  if (c.limit) o["limit"] = c.limit;
  if (c.room) o["room"] = *c.room;
  return json::serialize(o);
}

std::string encode_subscribe(const subscribe_command& c) {
  json::object o;
  o["type"] = "subscribe";
  o["room"] = c.room;
  if (c.since) o["since"] = *c.since;
  if (c.since && !c.epoch.empty()) o["epoch"] = c.epoch;
  return json::serialize(o);
}

std::string encode_identify(const identify_command& c) {
  json::object o;
  o["type"] = "identify";
  o["username"] = c.username;
  return json::serialize(o);
}

std::string encode_rooms_request() { return R"({"type":"rooms"})"; }
std::string encode_ping() { return R"({"type":"ping"})"; }

}  // namespace message::protocol
