#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <variant>

#include "common/limits.hpp"
#include "common/search_values.hpp"
#include "protocol/commands.hpp"

namespace message::protocol {

// The frames of search (docs/protocol.md, "Search"). Pure functions; safe from any thread.

/// Reads a `search` frame: the query checked for length and blankness, filters and cursor
/// read, limit capped to limits::search_limit.
std::variant<command, decode_error> decode_search(const boost::json::object& o, const core::limits& limits);

/// The answer to the `search` whose `id` (may be "") asked.
std::string encode_search(std::string_view id, const core::search_answer& answer);

}  // namespace message::protocol
