#include "redis/redis_entry.hpp"

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
  return json::serialize(o);
}

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
  const auto* ts = o.if_contains("ts");
  if (!ts || !ts->is_int64()) return std::nullopt;
  m.ts = ts->get_int64();
  return m;
}

}  // namespace message::redis
