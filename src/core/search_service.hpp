#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/chat_message.hpp"
#include "common/search_values.hpp"

namespace message::core {

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
  /// A retention pass ran (here, or on another node of a shared Redis): drop from the index
  /// what the store no longer holds.
  virtual void pruned() = 0;
  /// Runs `request`; `done` is called once, on the index's thread, and must only post.
  virtual void search(search_request request, std::function<void(search_answer)> done) = 0;
};

}  // namespace message::core
