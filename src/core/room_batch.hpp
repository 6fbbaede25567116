#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/client_sink.hpp"

namespace message::core {

/// Consecutive committed messages of one room, encoded once for every recipient.
struct room_batch {
  std::string room;
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  shared_line joined;              ///< All lines joined by '\n': the fast path for live clients.
  std::vector<shared_line> lines;  ///< Line i has seq first_seq + i: for clients partly ahead.
  std::vector<std::string> ids;    ///< Message i's client id: its sender acks in the same frame.
};

using shared_batch = std::shared_ptr<const room_batch>;

}  // namespace message::core
