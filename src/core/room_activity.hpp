#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sequencing_store.hpp"

namespace message::core {

// Read state and room activity as the store sees them (docs/protocol.md, "Read state", "Room
// activity"). Each function runs on the store's one caller (the store thread), like every read.

/// One room's activity for one identity.
struct room_activity {
  std::string room;
  std::uint64_t seq = 0;       ///< The room's last seq.
  std::uint64_t unread = 0;    ///< Messages still stored after the identity's read position.
  std::uint64_t mentions = 0;  ///< Of those (the newest `scan`), the ones that mention `name`.
};

/// Counts `room`'s activity for `identity`, whose current name is `name` ("" none).
room_activity count_activity(store::sequencing_store& s, const std::string& identity, const std::string& name,
                             const std::string& room, std::size_t scan);

/// The identity's current name ("" when it owns none).
std::string current_name(store::sequencing_store& s, const std::string& identity);

/// The outcome of a `read` at the store.
struct read_outcome {
  bool allowed = true;                  ///< False: a private room the identity is not a member of.
  std::optional<std::uint64_t> raised;  ///< The new position, when it rose.
};

/// Applies a `read` of `room` up to `requested`: clamped to the room's last seq, stored when
/// above the stored position.
read_outcome apply_read(store::sequencing_store& s, const std::string& identity, const std::string& room,
                        std::uint64_t requested);

}  // namespace message::core
