#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace message::core {

// The values of a `search` (docs/protocol.md, "Search"): the codec reads and writes them, the
// index (core::search_service) answers them. Plain data.

/// One `search` request (docs/protocol.md, "Search"), validated by the codec.
struct search_request {
  std::string query;
  std::optional<std::string> room;     ///< Absent: every room the asker may read.
  std::string author;                  ///< "" none: an identity id or an anonymous sender's name.
  std::optional<std::int64_t> from;    ///< ms, inclusive.
  std::optional<std::int64_t> to;      ///< ms, exclusive.
  std::optional<std::int64_t> cursor;  ///< Results strictly older than this index position.
  std::size_t limit = 20;
  /// Rooms whose results are dropped (private rooms the asker is not a member of); filled on the
  /// store thread from the same directory check as `history`.
  std::vector<std::string> hidden_rooms{};
};

struct search_hit {
  std::string room;
  std::uint64_t seq = 0;
  std::string username;
  std::string identity;  ///< "" for an anonymous sender.
  std::int64_t ts = 0;
  std::int64_t edited = 0;
  /// Alternating plain and matched text, plain first.
  std::vector<std::string> snippet;
};

struct search_answer {
  std::vector<search_hit> hits;        ///< Newest first.
  std::optional<std::int64_t> cursor;  ///< Older results may exist from here.
  bool failed = false;                 ///< The index could not answer (store_failed).
};

}  // namespace message::core
