#include "redis/redis_entry.hpp"

#include "common/limits.hpp"
#include "core/reply_quote.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace message::redis {

namespace json = boost::json;

std::string encode_entry_body(const core::new_message& m) {
  json::object o;
  o["room"] = m.room;
  o["id"] = m.id;
  o["username"] = m.username;
  o["message"] = m.text;
  o["device"] = m.device;
  o["ts"] = m.ts;
  // The conversation's fields only where they apply: a plain message's entry is as before.
  if (m.kind != core::event_kind::message) {
    o["kind"] = static_cast<int>(m.kind);
    o["target"] = m.target;
  }
  if (m.reply_to != 0) o["reply_to"] = m.reply_to;
  if (!m.mentions.empty()) {
    json::array a;
    for (const auto& id : m.mentions) a.emplace_back(id);
    o["mentions"] = std::move(a);
  }
  if (m.file) o["file"] = core::file_ref_text(*m.file);  // As the other stores keep it: one text.
  return json::serialize(o);
}

namespace {
/// A JSON number as an integer, whoever wrote it (Boost.JSON, or the append script's cjson,
/// whose numbers are doubles).
bool integer(const json::value* v, std::int64_t& out) {
  if (!v) return false;
  if (v->is_int64())
    out = v->get_int64();
  else if (v->is_uint64())
    out = static_cast<std::int64_t>(v->get_uint64());
  else if (v->is_double())
    out = static_cast<std::int64_t>(v->get_double());
  else
    return false;
  return true;
}
}  // namespace

std::optional<core::chat_message> decode_entry(std::string_view entry) {
  const auto space = entry.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  core::chat_message m;
  auto [end, ec] = std::from_chars(entry.data(), entry.data() + space, m.seq);
  if (ec != std::errc() || end != entry.data() + space || m.seq == 0) return std::nullopt;
  boost::system::error_code jec;
  auto v = json::parse(entry.substr(space + 1), jec);
  if (jec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  auto str = [&](const char* k, std::string& out) {
    const auto* f = o.if_contains(k);
    if (!f || !f->is_string()) return false;
    out.assign(f->get_string().begin(), f->get_string().end());
    return true;
  };
  if (!str("room", m.room) || !str("id", m.id) || !str("username", m.username) || !str("message", m.text) ||
      !str("device", m.device))
    return std::nullopt;
  if (!integer(o.if_contains("ts"), m.ts)) return std::nullopt;
  // An entry written before the conversation's fields has none: a plain message.
  std::int64_t n = 0;
  if (integer(o.if_contains("kind"), n)) {
    if (n < 0 || n > static_cast<int>(core::event_kind::unreact)) return std::nullopt;
    m.kind = static_cast<core::event_kind>(n);
  }
  if (integer(o.if_contains("target"), n)) m.target = static_cast<std::uint64_t>(n);
  if (integer(o.if_contains("reply_to"), n)) m.reply_to = static_cast<std::uint64_t>(n);
  if (integer(o.if_contains("edited"), n)) m.edited = n;
  if (const auto* d = o.if_contains("deleted"); d && d->is_bool()) m.deleted = d->get_bool();
  if (const auto* a = o.if_contains("mentions"); a && a->is_array())
    for (const auto& id : a->get_array())
      if (id.is_string()) m.mentions.emplace_back(id.get_string().begin(), id.get_string().end());
  if (const auto* f = o.if_contains("file"); f && f->is_string())
    m.file = core::parse_file_ref(f->get_string());
  // A published reply carries its target as it was at the commit (the append script).
  if (const auto* q = o.if_contains("quote"); q && q->is_object() && m.reply_to != 0) {
    const auto& qo = q->get_object();
    core::chat_message target;
    target.seq = m.reply_to;
    auto text_of = [&](const char* k, std::string& out) {
      if (const auto* f = qo.if_contains(k); f && f->is_string())
        out.assign(f->get_string().begin(), f->get_string().end());
    };
    text_of("username", target.username);
    text_of("device", target.device);
    text_of("message", target.text);
    if (const auto* d = qo.if_contains("deleted"); d && d->is_bool()) target.deleted = d->get_bool();
    m.reply = core::quote_of(target, core::limits{}.reply_quote_chars);
  }
  return m;
}

}  // namespace message::redis
