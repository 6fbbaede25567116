#include "protocol/ws_query.hpp"

#include <boost/url/parse.hpp>

#include "protocol/validate.hpp"

namespace message::protocol {

std::variant<connect_request, decode_error> parse_ws_query(std::string_view target,
                                                           const core::limits& limits) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return decode_error{"bad_request", "the /ws address is malformed", {}};
  connect_request req;
  for (const auto& param : url->params()) {
    const std::string& key = param.key;
    if (key == "room") {
      if (!is_valid_name(param.value, limits.max_room_chars))
        return decode_error{
            "bad_room",
            "a room name is 1 to " + std::to_string(limits.max_room_chars) + " letters, digits, '-' or '_'",
            {}};
      req.room = param.value;
    } else if (key == "name") {
      if (count_code_points(param.value) > limits.max_username_chars)
        return decode_error{
            "too_long",
            "name is longer than " + std::to_string(limits.max_username_chars) + " characters",
            {}};
      req.name = param.value;
    } else if (key == "device") {
      if (!param.value.empty() && !is_valid_name(param.value, 64))
        return decode_error{"bad_device", "device is 1 to 64 letters, digits, '-' or '_'", {}};
      req.device = param.value;
    } else if (key == "join") {
      if (!param.value.empty() && !is_valid_name(param.value, 64))
        return decode_error{"bad_request", "join is 1 to 64 letters, digits, '-' or '_'", {}};
      req.secret = param.value;
    } else if (key == "since") {
      if (param.value.empty()) continue;
      auto since = parse_seq(param.value);
      if (!since) return decode_error{"bad_since", "since must be a non-negative integer", {}};
      req.since = since;
    } else if (key == "epoch") {
      if (!param.value.empty() && !is_valid_name(param.value, 64))
        return decode_error{"bad_epoch", "epoch is 1 to 64 letters, digits, '-' or '_'", {}};
      req.epoch = param.value;
    }
  }
  return req;
}

}  // namespace message::protocol
