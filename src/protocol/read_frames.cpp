#include "protocol/read_frames.hpp"

#include <boost/json.hpp>

namespace message::protocol {

namespace json = boost::json;

std::string encode_read(std::string_view room, std::uint64_t seq) {
  json::object o;
  o["type"] = "read";
  o["room"] = room;
  o["seq"] = seq;
  return json::serialize(o);
}

std::string encode_seen(std::string_view room, std::span<const std::pair<std::string, std::uint64_t>> readers,
                        bool full) {
  json::array a;
  a.reserve(readers.size());
  for (const auto& [identity, seq] : readers) {
    json::object r;
    r["identity"] = identity;
    r["seq"] = seq;
    a.emplace_back(std::move(r));
  }
  json::object o;
  o["type"] = "seen";
  o["room"] = room;
  o["readers"] = std::move(a);
  if (full) o["full"] = true;
  return json::serialize(o);
}

std::string encode_room_activity(std::string_view room, std::uint64_t seq, std::uint64_t unread,
                                 std::uint64_t mentions) {
  json::object o;
  o["type"] = "room_activity";
  o["room"] = room;
  o["seq"] = seq;
  o["unread"] = unread;
  o["mentions"] = mentions;
  return json::serialize(o);
}

}  // namespace message::protocol
