#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sequencing_store.hpp"

namespace message::core {

// Who may change which message (docs/protocol.md, "Conversation": "Who may change what"),
// asked of the store before a change or a reply is appended. Each function runs on the
// store's one caller (a store_thread read job) and may throw store::store_error.

/// Why a change cannot apply: a documented error code and words for a person.
struct refusal {
  std::string code;
  std::string message;
};

/// What a change needs of its target.
enum class target_need {
  readable,  ///< react, reactions, a reply: any message of the room that is not deleted.
  authored,  ///< edit, delete: and `identity` wrote it.
};

/// Checks that `identity` ("" anonymous) may read `room` and that `target` is a message of it
/// that is not deleted (and, for `authored`, that `identity` is its author). nullopt: it may.
std::optional<refusal> check_target(store::sequencing_store& s, const std::string& room, std::uint64_t target,
                                    const std::string& identity, target_need need);

/// The ids of `wanted` that name identities owning a name and, in a private room, members of
/// it; the rest are dropped (docs/protocol.md, "Mentions"). Keeps their order.
std::vector<std::string> known_mentions(store::sequencing_store& s, const std::string& room,
                                        const std::vector<std::string>& wanted);

}  // namespace message::core
