#include "protocol/codec.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>

#include "common/identity.hpp"
#include "common/link_code.hpp"
#include "protocol/emoji.hpp"
#include "protocol/search_frames.hpp"
#include "protocol/validate.hpp"

namespace message::protocol {

namespace json = boost::json;

namespace {

decode_error error(std::string code, std::string message, std::string id = {}) {
  return {std::move(code), std::move(message), std::move(id)};
}

/// Reads an optional string field: absent is fine, any other type is not.
bool optional_string(const json::object& o, std::string_view key, std::optional<std::string>& out) {
  const auto* v = o.if_contains(key);
  if (!v) return true;
  if (!v->is_string()) return false;
  out = std::string(v->get_string());
  return true;
}

/// Reads an optional non-negative integer (seq, limit) that may come as a number or a string.
bool optional_uint(const json::object& o, std::string_view key, std::optional<std::uint64_t>& out) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (v->is_uint64()) {
    out = v->get_uint64();
  } else if (v->is_int64()) {
    if (v->get_int64() < 0) return false;
    out = static_cast<std::uint64_t>(v->get_int64());
  } else if (v->is_string()) {
    out = parse_seq(v->get_string());
    return out.has_value();
  } else {
    return false;
  }
  return *out <= (std::uint64_t{1} << 62);
}

std::optional<decode_error> check_room(const std::optional<std::string>& room, const core::limits& limits) {
  if (room && !is_valid_name(*room, limits.max_room_chars))
    return error("bad_room", "a room name is 1 to " + std::to_string(limits.max_room_chars) +
                                 " letters, digits, '-' or '_'");
  return std::nullopt;
}

/// Reads a change's `target` (or a send's `reply_to`): a positive seq, `bad_target` otherwise.
/// Absent leaves `out` 0, which a change refuses and a send takes as "no reply".
std::optional<decode_error> read_target(const json::object& o, std::string_view key, std::uint64_t& out,
                                        const std::string& id) {
  std::optional<std::uint64_t> seq;
  if (!optional_uint(o, key, seq) || (seq && *seq == 0))
    return error("bad_target", std::string(key) + " must be a positive integer: the seq of a message", id);
  out = seq.value_or(0);
  return std::nullopt;
}

/// Reads `mentions`: absent, or an array of at most max_mentions strings. Strings that are not
/// identity ids are dropped here, as the server drops unknown identities (docs/protocol.md).
std::optional<decode_error> read_mentions(const json::object& o, const core::limits& limits,
                                          std::optional<std::vector<std::string>>& out,
                                          const std::string& id) {
  const auto* v = o.if_contains("mentions");
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_array()) return error("missing_field", "mentions must be an array of identity ids", id);
  const auto& a = v->get_array();
  if (a.size() > limits.max_mentions)
    return error("too_long", "a message mentions at most " + std::to_string(limits.max_mentions) + " people",
                 id);
  out.emplace();
  for (const auto& e : a) {
    if (!e.is_string()) return error("missing_field", "mentions must be an array of identity ids", id);
    const std::string_view who = e.get_string();
    if (!core::is_identity_id(who)) continue;
    if (std::find(out->begin(), out->end(), who) == out->end()) out->emplace_back(who);
  }
  return std::nullopt;
}

/// Reads a change's `id`: required, like a send's.
std::optional<decode_error> read_change_id(const json::object& o, const core::limits& limits,
                                           std::string& out) {
  std::optional<std::string> id;
  if (!optional_string(o, "id", id) || !id || id->empty())
    return error("missing_field", "a change needs an id");
  if (!is_valid_id(*id, limits.max_id_chars))
    return error("bad_id", "an id is 1 to " + std::to_string(limits.max_id_chars) +
                               " printable ASCII characters without spaces");
  out = std::move(*id);
  return std::nullopt;
}

std::variant<command, decode_error> decode_send(const json::object& o, const core::limits& limits,
                                                bool bare) {
  send_command cmd;
  std::optional<std::string> id, username, text;
  if (!optional_string(o, "id", id) || !optional_string(o, "username", username) ||
      !optional_string(o, "message", text) || !optional_string(o, "room", cmd.room))
    return error("missing_field", "id, username, message and room must be strings", id.value_or(""));
  if (!bare || id) {
    if (!id || id->empty()) return error("missing_field", "a send needs an id");
    if (!is_valid_id(*id, limits.max_id_chars))
      return error("bad_id", "an id is 1 to " + std::to_string(limits.max_id_chars) +
                                 " printable ASCII characters without spaces");
    cmd.id = std::move(*id);
  }
  if (!username || username->empty()) return error("missing_field", "username is empty", cmd.id);
  if (!text || text->empty()) return error("missing_field", "message is empty", cmd.id);
  if (count_code_points(*username) > limits.max_username_chars)
    return error("too_long",
                 "username is longer than " + std::to_string(limits.max_username_chars) + " characters",
                 cmd.id);
  if (count_code_points(*text) > limits.max_message_chars)
    return error("too_long",
                 "message is longer than " + std::to_string(limits.max_message_chars) + " characters",
                 cmd.id);
  if (auto e = check_room(cmd.room, limits)) {
    e->id = cmd.id;
    return *e;
  }
  if (!bare) {
    if (auto e = read_target(o, "reply_to", cmd.reply_to, cmd.id)) return *e;
    if (auto e = read_mentions(o, limits, cmd.mentions, cmd.id)) return *e;
  }
  cmd.username = std::move(*username);
  cmd.text = std::move(*text);
  return cmd;
}

/// edit, delete, react, reactions (docs/protocol.md, "Conversation").
std::variant<command, decode_error> decode_change(const json::object& o, const core::limits& limits,
                                                  std::string_view type) {
  std::string id;
  if (type != "reactions") {
    if (auto e = read_change_id(o, limits, id)) return *e;
  }
  std::optional<std::string> room;
  if (!optional_string(o, "room", room)) return error("missing_field", "room must be a string", id);
  if (auto e = check_room(room, limits)) {
    e->id = id;
    return *e;
  }
  std::uint64_t target = 0;
  if (auto e = read_target(o, "target", target, id)) return *e;
  if (target == 0) return error("bad_target", "target must be a positive integer: the seq of a message", id);
  if (type == "reactions") return reactions_command{target, std::move(room)};
  if (type == "delete") return delete_command{std::move(id), target, std::move(room)};
  if (type == "edit") {
    std::optional<std::string> text;
    if (!optional_string(o, "message", text)) return error("missing_field", "message must be a string", id);
    if (!text || text->empty())
      return error("missing_field", "message is empty: delete the message instead", id);
    if (count_code_points(*text) > limits.max_message_chars)
      return error("too_long",
                   "message is longer than " + std::to_string(limits.max_message_chars) + " characters", id);
    edit_command cmd{std::move(id), target, std::move(*text), std::nullopt, std::move(room)};
    if (auto e = read_mentions(o, limits, cmd.mentions, cmd.id)) return *e;
    return cmd;
  }
  std::optional<std::string> emoji;
  if (!optional_string(o, "emoji", emoji) || !emoji || !is_one_emoji(*emoji, limits.max_emoji_bytes))
    return error("bad_emoji", "a reaction is exactly one emoji", id);
  bool remove = false;
  if (const auto* r = o.if_contains("remove"); r && !r->is_null()) {
    if (!r->is_bool()) return error("missing_field", "remove must be true or false", id);
    remove = r->get_bool();
  }
  return react_command{std::move(id), target, std::move(*emoji), remove, std::move(room)};
}

std::variant<command, decode_error> decode_history(const json::object& o, const core::limits& limits) {
  history_command cmd;
  std::optional<std::uint64_t> limit;
  if (!optional_uint(o, "before", cmd.before) || !optional_uint(o, "after", cmd.after) ||
      !optional_uint(o, "around", cmd.around))
    return error("bad_before", "before, after and around must be non-negative integers");
  if (cmd.before.has_value() + cmd.after.has_value() + cmd.around.has_value() > 1)
    return error("bad_before", "a history request takes one of before, after and around");
  if (!optional_uint(o, "limit", limit)) return error("bad_json", "limit must be a non-negative integer");
  if (!optional_string(o, "room", cmd.room)) return error("missing_field", "room must be a string");
  if (auto e = check_room(cmd.room, limits)) return *e;
  cmd.limit = static_cast<std::size_t>(std::min<std::uint64_t>(limit.value_or(50), limits.history_limit));
  return cmd;
}

std::variant<command, decode_error> decode_room_command(const json::object& o, const core::limits& limits,
                                                        bool subscribe) {
  std::optional<std::string> room;
  if (!optional_string(o, "room", room) || !room) return error("missing_field", "room is required");
  if (auto e = check_room(room, limits)) return *e;
  if (!subscribe) return unsubscribe_command{std::move(*room)};
  subscribe_command cmd{std::move(*room), std::nullopt, {}, {}};
  if (!optional_uint(o, "since", cmd.since))
    return error("bad_since", "since must be a non-negative integer");
  std::optional<std::string> secret;
  if (!optional_string(o, "secret", secret) || (secret && !is_valid_name(*secret, 64)))
    return error("missing_field", "secret must be 1 to 64 letters, digits, '-' or '_'");
  cmd.secret = secret.value_or("");
  std::optional<std::string> epoch;
  if (!optional_string(o, "epoch", epoch) || (epoch && !is_valid_name(*epoch, 64)))
    return error("bad_epoch", "epoch must be 1 to 64 letters, digits, '-' or '_'");
  cmd.epoch = epoch.value_or("");
  return cmd;
}

/// unfollow, create_room, invite, direct: a room and/or an identity id.
std::variant<command, decode_error> decode_membership(const json::object& o, const core::limits& limits,
                                                      std::string_view type) {
  std::optional<std::string> room, identity;
  if (!optional_string(o, "room", room) || !optional_string(o, "identity", identity))
    return error("missing_field", "room and identity must be strings");
  const bool wants_room = type != "direct";
  const bool wants_identity = type == "invite" || type == "direct";
  if (wants_room && !room) return error("missing_field", "room is required");
  if (auto e = check_room(room, limits)) return *e;
  if (wants_identity && (!identity || !core::is_identity_id(*identity)))
    return error("bad_identity", "identity must be a public identity id (16 characters)");
  if (type == "unfollow") return unfollow_command{std::move(*room)};
  if (type == "create_room") {
    const auto* p = o.if_contains("private");
    if (!p || !p->is_bool() || !p->get_bool())
      return error("missing_field", "create_room makes private rooms: \"private\": true");
    return create_room_command{std::move(*room)};
  }
  if (type == "invite") return invite_command{std::move(*room), std::move(*identity)};
  return direct_command{std::move(*identity)};
}

/// read: a seq and an optional room.
std::variant<command, decode_error> decode_read(const json::object& o, const core::limits& limits) {
  read_command cmd;
  if (!optional_string(o, "room", cmd.room)) return error("missing_field", "room must be a string");
  if (auto e = check_room(cmd.room, limits)) return *e;
  std::optional<std::uint64_t> seq;
  if (!optional_uint(o, "seq", seq) || !seq)
    return error("missing_field", "seq must be a non-negative integer");
  cmd.seq = *seq;
  return cmd;
}

std::variant<command, decode_error> decode_person(const json::object& o, const core::limits& limits,
                                                  bool identify) {
  std::optional<std::string> username, room;
  if (!optional_string(o, "username", username) || !optional_string(o, "room", room))
    return error("missing_field", "username and room must be strings");
  if (username && count_code_points(*username) > limits.max_username_chars)
    return error("too_long",
                 "username is longer than " + std::to_string(limits.max_username_chars) + " characters");
  if (identify) {
    if (!username || username->empty()) return error("missing_field", "username is empty");
    return identify_command{std::move(*username)};
  }
  if (auto e = check_room(room, limits)) return *e;
  return typing_command{std::move(room), username.value_or("")};
}

}  // namespace

std::variant<command, decode_error> decode(std::string_view frame, const core::limits& limits) {
  json::parse_options opts;
  opts.max_depth = limits.max_json_depth;
  // Small frames parse into a stack buffer; bigger ones fall back to the heap.
  unsigned char buffer[4096];
  json::monotonic_resource mr(buffer, sizeof buffer);
  boost::system::error_code ec;
  json::value v = json::parse(frame, ec, &mr, opts);
  if (ec) return error("bad_json", "the frame is not valid JSON: " + ec.message());
  if (!v.is_object()) return error("bad_json", "the frame must be a JSON object");
  const auto& o = v.get_object();
  const auto* type = o.if_contains("type");
  if (!type) {
    // The original app's bare {"username","message"}.
    if (o.contains("username") || o.contains("message")) return decode_send(o, limits, true);
    return error("missing_field", "type is missing");
  }
  if (!type->is_string()) return error("missing_field", "type must be a string");
  const std::string_view t = type->get_string();
  if (t == "send") return decode_send(o, limits, false);
  if (t == "history") return decode_history(o, limits);
  if (t == "subscribe") return decode_room_command(o, limits, true);
  if (t == "unsubscribe") return decode_room_command(o, limits, false);
  if (t == "identify") return decode_person(o, limits, true);
  if (t == "typing") return decode_person(o, limits, false);
  if (t == "rooms") return rooms_command{};
  if (t == "ping") return ping_command{};
  if (t == "release") return release_command{};
  if (t == "link_code") return link_code_command{};
  if (t == "link") {
    const auto* code = o.if_contains("code");
    if (!code || !code->is_string()) return error("missing_field", "code is missing");
    auto canonical = core::normalize_link_code(code->get_string(), limits.link_code_chars);
    if (canonical.empty()) return error("bad_code", "that is not a link code: 8 letters and digits");
    return link_command{std::move(canonical)};
  }
  if (t == "unfollow" || t == "create_room" || t == "invite" || t == "direct")
    return decode_membership(o, limits, t);
  if (t == "read") return decode_read(o, limits);
  if (t == "search") return decode_search(o, limits);
  if (t == "edit" || t == "delete" || t == "react" || t == "reactions") return decode_change(o, limits, t);
  std::optional<std::string> id;
  optional_string(o, "id", id);
  return error("unknown_type", "unknown type '" + std::string(t.substr(0, 32)) + "'", id.value_or(""));
}

namespace {

// The frames every message causes (the message itself, once per message, and the sender's ack)
// are written straight into their string: building a json::object first, then serializing it,
// costs a hash table, a copy of every field and a dozen allocations per frame, on the path
// every message takes. The output is byte for byte
// what json::serialize gives for the same members in the same order (tests/unit/codec_test.cpp).

/// Appends `s` as a JSON string: quoted and escaped by Boost.JSON's own serializer.
void put_string(std::string& out, std::string_view s) {
  json::serializer sr;
  sr.reset(s);
  while (!sr.done()) {
    const auto at = out.size();
    out.resize(at + s.size() + 16);  // Escapes may need more: then the loop goes round again.
    out.resize(at + sr.read(out.data() + at, out.size() - at).size());
  }
}

template <class Integer>
void put_number(std::string& out, Integer n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

/// Room for a frame of fixed keys plus these strings, when nothing in them needs escaping.
template <class... Strings>
std::size_t frame_size(const Strings&... fields) {
  return 128 + (fields.size() + ...);
}

/// The sender's fields written straight: `identity` and its 6-character `device` tag for an
/// identity id, the tag alone for an anonymous device.
void put_sender_fields(std::string& out, std::string_view sender) {
  if (core::is_identity_id(sender)) {
    out += R"(,"identity":)";
    put_string(out, sender);
    out += R"(,"device":)";
    put_string(out, sender.substr(0, 6));
  } else if (!sender.empty()) {
    out += R"(,"device":)";
    put_string(out, sender);
  }
}

void put_people(std::string& out, const std::vector<core::person>& people) {
  out += '[';
  for (std::size_t i = 0; i < people.size(); ++i) {
    if (i) out += ',';
    out += R"({"identity":)";
    put_string(out, people[i].identity);
    out += R"(,"username":)";
    put_string(out, people[i].username);
    out += '}';
  }
  out += ']';
}

void put_mentions(std::string& out, const std::vector<std::string>& mentions) {
  out += R"(,"mentions":[)";
  for (std::size_t i = 0; i < mentions.size(); ++i) {
    if (i) out += ',';
    put_string(out, mentions[i]);
  }
  out += ']';
}

/// A message's conversation fields, each only when it applies, after the plain ones: a plain
/// message's frame stays byte for byte what it was before them.
/// A message's shared file (docs/protocol.md, "Files").
void put_file(std::string& out, const core::file_ref& f) {
  out += R"(,"file":{"sha256":)";
  put_string(out, f.sha256);
  out += R"(,"name":)";
  put_string(out, f.name);
  out += R"(,"size":)";
  put_number(out, f.size);
  out += R"(,"type":)";
  put_string(out, f.type);
  if (f.width != 0 || f.height != 0) {
    out += R"(,"width":)";
    put_number(out, f.width);
    out += R"(,"height":)";
    put_number(out, f.height);
  }
  if (f.thumb) out += R"(,"thumb":true)";
  if (f.gone) out += R"(,"gone":true)";
  out += '}';
}

void put_conversation(std::string& out, const core::chat_message& m) {
  if (m.reply_to) {
    out += R"(,"reply_to":)";
    put_number(out, m.reply_to);
    if (m.reply) {
      const auto& q = *m.reply;
      out += R"(,"reply":{"seq":)";
      put_number(out, q.seq);
      out += R"(,"username":)";
      put_string(out, q.username);
      if (!q.identity.empty()) {
        out += R"(,"identity":)";
        put_string(out, q.identity);
      }
      out += R"(,"message":)";
      put_string(out, q.deleted ? std::string_view() : std::string_view(q.text));
      if (q.deleted) out += R"(,"deleted":true)";
      out += '}';
    }
  }
  if (!m.mentions.empty() && !m.deleted) put_mentions(out, m.mentions);
  if (m.edited) {
    out += R"(,"edited":)";
    put_number(out, m.edited);
  }
  if (m.deleted) out += R"(,"deleted":true)";
  if (m.file && !m.deleted) put_file(out, *m.file);
  if (!m.reactions.empty()) {
    out += R"(,"reactions":[)";
    for (std::size_t i = 0; i < m.reactions.size(); ++i) {
      const auto& r = m.reactions[i];
      if (i) out += ',';
      out += R"({"emoji":)";
      put_string(out, r.emoji);
      out += R"(,"count":)";
      put_number(out, r.count);
      out += R"(,"users":)";
      put_people(out, r.users);
      if (r.mine) out += R"(,"mine":true)";
      out += '}';
    }
    out += ']';
  }
}

void put_plain_message(std::string& out, const core::chat_message& m) {
  out += R"({"type":"message","room":)";
  put_string(out, m.room);
  out += R"(,"seq":)";
  put_number(out, m.seq);
  out += R"(,"id":)";
  put_string(out, m.id);
  out += R"(,"username":)";
  put_string(out, m.username);
  out += R"(,"message":)";
  put_string(out, m.deleted ? std::string_view() : std::string_view(m.text));
  out += R"(,"ts":)";
  put_number(out, m.ts);
  put_sender_fields(out, m.device);
  put_conversation(out, m);
  out += '}';
}

/// An edit, delete or react event: what changed, then who changed it.
void put_change(std::string& out, const core::chat_message& m) {
  switch (m.kind) {
    case core::event_kind::edit:
      out += R"({"type":"edit")";
      break;
    case core::event_kind::remove:
      out += R"({"type":"delete")";
      break;
    default:
      out += R"({"type":"react")";
      break;
  }
  out += R"(,"room":)";
  put_string(out, m.room);
  out += R"(,"seq":)";
  put_number(out, m.seq);
  out += R"(,"id":)";
  put_string(out, m.id);
  out += R"(,"target":)";
  put_number(out, m.target);
  if (m.kind == core::event_kind::edit) {
    out += R"(,"message":)";
    put_string(out, m.text);
    if (!m.mentions.empty() && !m.text.empty()) put_mentions(out, m.mentions);
  } else if (m.kind == core::event_kind::react || m.kind == core::event_kind::unreact) {
    out += R"(,"emoji":)";
    put_string(out, m.text);
    if (m.kind == core::event_kind::unreact) out += R"(,"remove":true)";
  }
  out += R"(,"ts":)";
  put_number(out, m.ts);
  out += R"(,"username":)";
  put_string(out, m.username);
  put_sender_fields(out, m.device);
  out += '}';
}

void put_message(std::string& out, const core::chat_message& m) {
  if (m.kind == core::event_kind::message) {
    put_plain_message(out, m);
  } else {
    put_change(out, m);
  }
}

/// The sender's fields of a person: `identity` and its 6-character `device` tag for an
/// identity id, the tag alone for an anonymous device.
void put_sender(json::object& o, std::string_view sender) {
  if (core::is_identity_id(sender)) {
    o["identity"] = sender;
    o["device"] = sender.substr(0, 6);
  } else if (!sender.empty()) {
    o["device"] = sender;
  }
}

}  // namespace

std::string encode_message(const core::chat_message& m) {
  std::string out;
  out.reserve(frame_size(m.room, m.id, m.username, m.text, m.device));
  put_message(out, m);
  return out;
}

std::string encode_welcome(std::string_view room, std::uint64_t seq, const core::limits& limits,
                           std::string_view identity, std::string_view username, std::uint64_t oldest_seq,
                           std::string_view epoch, std::optional<std::uint64_t> read) {
  json::object l;
  l["max_message_chars"] = limits.max_message_chars;
  l["max_username_chars"] = limits.max_username_chars;
  l["max_frame_bytes"] = limits.max_frame_bytes;
  l["history_limit"] = limits.history_limit;
  l["max_room_chars"] = limits.max_room_chars;
  l["max_id_chars"] = limits.max_id_chars;
  // A client paces itself to these rather than learning them from rate_limited errors; 0 says
  // the server does not limit (--no-rate-limit).
  l["msgs_per_sec"] = limits.rate_limit ? limits.conn_msgs_per_sec : 0.0;
  l["msgs_burst"] = limits.rate_limit ? limits.conn_msgs_burst : 0.0;
  // How long a resend with the same id is still recognised as one (docs/protocol.md).
  l["id_memory_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(limits.id_memory).count();
  json::object o;
  o["type"] = "welcome";
  o["room"] = room;
  o["seq"] = seq;
  o["limits"] = std::move(l);
  if (oldest_seq) o["oldest_seq"] = oldest_seq;
  if (!epoch.empty()) o["epoch"] = epoch;
  if (!identity.empty()) o["identity"] = identity;
  if (!username.empty()) o["username"] = username;
  if (read) o["read"] = *read;
  return json::serialize(o);
}

std::string encode_ack(std::string_view room, std::string_view id, std::uint64_t seq, bool duplicate) {
  std::string out;
  out.reserve(frame_size(room, id));
  out += R"({"type":"ack","room":)";
  put_string(out, room);
  out += R"(,"id":)";
  put_string(out, id);
  out += R"(,"seq":)";
  put_number(out, seq);
  out += duplicate ? R"(,"duplicate":true})" : "}";
  return out;
}

std::string encode_error(std::string_view code, std::string_view message, std::string_view id,
                         std::string_view room) {
  json::object o;
  o["type"] = "error";
  o["code"] = code;
  o["message"] = message;
  if (!id.empty()) o["id"] = id;
  if (!room.empty()) o["room"] = room;
  return json::serialize(o);
}

std::string encode_history(std::string_view room, std::span<const core::chat_message> messages, bool more,
                           std::optional<bool> more_after) {
  std::size_t size = frame_size(room);
  for (const auto& m : messages) size += frame_size(m.room, m.id, m.username, m.text, m.device);
  std::string out;
  out.reserve(size);
  out += R"({"type":"history","room":)";
  put_string(out, room);
  out += R"(,"messages":[)";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i) out += ',';
    put_message(out, messages[i]);
  }
  out += more ? R"(],"more":true)" : R"(],"more":false)";
  if (more_after) out += *more_after ? R"(,"more_after":true)" : R"(,"more_after":false)";
  out += '}';
  return out;
}

std::string encode_subscribed(std::string_view room, std::uint64_t seq, std::uint64_t oldest_seq,
                              std::string_view epoch, std::optional<std::uint64_t> read) {
  json::object o;
  o["type"] = "subscribed";
  o["room"] = room;
  o["seq"] = seq;
  if (oldest_seq) o["oldest_seq"] = oldest_seq;
  if (!epoch.empty()) o["epoch"] = epoch;
  if (read) o["read"] = *read;
  return json::serialize(o);
}

std::string encode_reset(std::string_view room, std::string_view epoch, std::uint64_t seq) {
  json::object o;
  o["type"] = "reset";
  o["room"] = room;
  o["epoch"] = epoch;
  o["seq"] = seq;
  return json::serialize(o);
}

std::string encode_gap(std::string_view room, std::uint64_t from, std::uint64_t to) {
  json::object o;
  o["type"] = "gap";
  o["room"] = room;
  o["from"] = from;
  o["to"] = to;
  return json::serialize(o);
}

std::string encode_presence(std::string_view room, std::span<const presence_entry> users) {
  json::array a;
  for (const auto& u : users) {
    json::object p;
    p["username"] = u.username;
    put_sender(p, u.device);
    a.push_back(std::move(p));
  }
  json::object o;
  o["type"] = "presence";
  o["room"] = room;
  o["users"] = std::move(a);
  return json::serialize(o);
}

std::string encode_person_event(std::string_view kind, std::string_view room, std::string_view username,
                                std::string_view device) {
  json::object o;
  o["type"] = kind;
  o["room"] = room;
  o["username"] = username;
  put_sender(o, device);
  return json::serialize(o);
}

std::string encode_name_taken(std::string_view username, std::string_view suggestion, std::string_view id) {
  json::object o;
  o["type"] = "error";
  o["code"] = "name_taken";
  std::string text = "the name \"";
  text.append(username);
  text += "\" belongs to someone else";
  if (!suggestion.empty()) {
    text += ": try \"";
    text.append(suggestion);
    text += "\"";
  }
  o["message"] = text;
  if (!id.empty()) o["id"] = id;
  o["username"] = username;
  if (!suggestion.empty()) o["suggestion"] = suggestion;
  return json::serialize(o);
}

std::string encode_name(std::string_view identity, std::string_view username) {
  json::object o;
  o["type"] = "name";
  o["identity"] = identity;
  o["username"] = username;
  return json::serialize(o);
}

std::string encode_link_code(std::string_view code, std::int64_t expires_ms) {
  json::object o;
  o["type"] = "link_code";
  o["code"] = code;
  o["expires"] = expires_ms;
  return json::serialize(o);
}

std::string encode_linked(std::string_view identity, std::string_view username) {
  json::object o;
  o["type"] = "linked";
  o["identity"] = identity;
  o["username"] = username;
  return json::serialize(o);
}

std::string encode_room(std::string_view room, std::string_view secret, std::string_view direct_with,
                        std::string_view by) {
  json::object o;
  o["type"] = "room";
  o["room"] = room;
  o["private"] = true;
  if (!secret.empty()) o["secret"] = secret;
  if (!direct_with.empty()) {
    o["direct"] = true;
    o["with"] = direct_with;
  }
  if (!by.empty()) o["by"] = by;
  return json::serialize(o);
}

std::string encode_rename(std::string_view room, std::string_view identity, std::string_view username) {
  json::object o;
  o["type"] = "rename";
  o["room"] = room;
  o["identity"] = identity;
  o["username"] = username;
  return json::serialize(o);
}

std::string encode_rooms(std::span<const room_entry> rooms) {
  json::array a;
  for (const auto& r : rooms) {
    json::object e;
    e["room"] = r.room;
    e["seq"] = r.seq;
    if (r.followed) e["followed"] = true;
    if (r.is_private) e["private"] = true;
    a.push_back(std::move(e));
  }
  json::object o;
  o["type"] = "rooms";
  o["rooms"] = std::move(a);
  return json::serialize(o);
}

std::string encode_reactions(std::string_view room, std::uint64_t target,
                             std::span<const core::reaction_summary> reactions) {
  std::string out;
  out.reserve(frame_size(room) + reactions.size() * 64);
  out += R"({"type":"reactions","room":)";
  put_string(out, room);
  out += R"(,"target":)";
  put_number(out, target);
  out += R"(,"reactions":[)";
  for (std::size_t i = 0; i < reactions.size(); ++i) {
    if (i) out += ',';
    out += R"({"emoji":)";
    put_string(out, reactions[i].emoji);
    out += R"(,"users":)";
    put_people(out, reactions[i].users);
    out += '}';
  }
  out += "]}";
  return out;
}

std::string encode_pong() { return R"({"type":"pong"})"; }

}  // namespace message::protocol
