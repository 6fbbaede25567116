#include "protocol/search_frames.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "protocol/validate.hpp"

namespace message::protocol {

namespace json = boost::json;

namespace {

decode_error search_error(std::string code, std::string message, std::string id) {
  return {std::move(code), std::move(message), std::move(id)};
}

/// An optional non-negative integer given as a number or a string of digits; false: malformed.
bool search_uint(const json::object& o, std::string_view key, std::optional<std::uint64_t>& out) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (v->is_uint64()) {
    out = v->get_uint64();
  } else if (v->is_int64() && v->get_int64() >= 0) {
    out = static_cast<std::uint64_t>(v->get_int64());
  } else if (v->is_string()) {
    out = parse_seq(v->get_string());
  } else {
    return false;
  }
  return out && *out <= (std::uint64_t{1} << 62);
}

bool search_string(const json::object& o, std::string_view key, std::optional<std::string>& out) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_string()) return false;
  out = std::string(v->get_string());
  return true;
}

bool blank_query(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); });
}

}  // namespace

std::variant<command, decode_error> decode_search(const json::object& o, const core::limits& limits) {
  search_command cmd;
  std::optional<std::string> id, query, room, author, cursor;
  if (!search_string(o, "id", id) || (id && id->size() > limits.max_id_chars))
    return search_error(
        "bad_id", "id must be a string of at most " + std::to_string(limits.max_id_chars) + " bytes", {});
  cmd.id = id.value_or("");
  if (!search_string(o, "query", query) || !query || blank_query(*query))
    return search_error("missing_field", "query is missing or empty: type the words to find", cmd.id);
  if (count_code_points(*query) > limits.search_query_chars)
    return search_error("too_long",
                        "a search is at most " + std::to_string(limits.search_query_chars) + " characters",
                        cmd.id);
  if (!search_string(o, "room", room)) return search_error("missing_field", "room must be a string", cmd.id);
  if (room && !is_valid_name(*room, limits.max_room_chars))
    return search_error(
        "bad_room",
        "a room name is 1 to " + std::to_string(limits.max_room_chars) + " letters, digits, '-' or '_'",
        cmd.id);
  if (!search_string(o, "author", author) || (author && author->size() > 4 * limits.max_username_chars))
    return search_error("missing_field", "author must be an identity id or a name", cmd.id);
  if (!search_string(o, "cursor", cursor))
    return search_error("bad_before", "cursor must be a string", cmd.id);
  std::optional<std::uint64_t> from, to, limit, position;
  if (cursor && !(position = parse_seq(*cursor)))
    return search_error("bad_before", "cursor must be the cursor of an earlier answer", cmd.id);
  if (!search_uint(o, "from", from) || !search_uint(o, "to", to) || !search_uint(o, "limit", limit))
    return search_error("bad_before", "from, to and limit must be non-negative integers", cmd.id);
  auto& r = cmd.request;
  r.query = std::move(*query);
  r.room = std::move(room);
  r.author = author.value_or("");
  if (from) r.from = static_cast<std::int64_t>(*from);
  if (to) r.to = static_cast<std::int64_t>(*to);
  if (position) r.cursor = static_cast<std::int64_t>(*position);
  r.limit = static_cast<std::size_t>(std::clamp<std::uint64_t>(limit.value_or(20), 1, limits.search_limit));
  return cmd;
}

std::string encode_search(std::string_view id, const core::search_answer& answer) {
  json::object o;
  o["type"] = "search";
  if (!id.empty()) o["id"] = id;
  json::array results;
  results.reserve(answer.hits.size());
  for (const auto& h : answer.hits) {
    json::object r;
    r["room"] = h.room;
    r["seq"] = h.seq;
    r["username"] = h.username;
    if (!h.identity.empty()) r["identity"] = h.identity;
    r["ts"] = h.ts;
    if (h.edited) r["edited"] = h.edited;
    json::array parts;
    for (const auto& p : h.snippet) parts.emplace_back(p);
    r["snippet"] = std::move(parts);
    results.emplace_back(std::move(r));
  }
  o["results"] = std::move(results);
  if (answer.cursor) o["cursor"] = std::to_string(*answer.cursor);
  return json::serialize(o);
}

}  // namespace message::protocol
