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

/// Joins batches that continue each other (same room, next seq) into one; keeps the order and
/// leaves the others as they are. A paced loop joins the commits it held: every live follower
/// then takes one shared line for the round, not one per commit, and its write sends those
/// bytes as they are instead of copying lines together. Thread-safety: a pure function.
std::vector<shared_batch> join_consecutive(std::vector<shared_batch> batches);

}  // namespace message::core
