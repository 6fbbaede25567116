#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/chat_message.hpp"

namespace message::core {

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
  /// store worker from the same directory check as `history`.
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

/// The full-text index of every committed message of this node (search/search_index), kept off
/// the commit path: rows are handed over and indexed on a thread of its own.
///
/// Thread-safety: every method is safe from any thread; none blocks on the index's work.
class search_service {
 public:
  virtual ~search_service() = default;
  /// Committed rows (messages and change events), in commit order per room, as every node's
  /// hub receives them. Copies what it needs and returns.
  virtual void committed(const std::vector<chat_message>& rows) = 0;
  /// Deliveries may have been missed (a broker lost its link): catch up from the store.
  virtual void resync() = 0;
  /// Runs `request`; `done` is called once, on the index's thread, and must only post.
  virtual void search(search_request request, std::function<void(search_answer)> done) = 0;
};

}  // namespace message::core
