#pragma once

#include <string>
#include <vector>

#include "common/chat_message.hpp"
#include "core/sequencing_store.hpp"

namespace message::core {

// What a connection asks of the store's identity_directory (docs/protocol.md, "Names people
// own"). Each runs on the store's one caller (a store_thread read job) and may throw
// store::store_error like any store call.

/// The outcome of wanting a name.
struct name_outcome {
  bool granted = false;    ///< The connection may use the name.
  std::string previous;    ///< Granted to an identity that owned another name before (a rename).
  std::string suggestion;  ///< Refused: a free name like it ("" when none was found).
};

/// An identified connection (identity non-empty) claims `name`; an anonymous one only checks
/// that nobody owns it (it claims nothing).
name_outcome want_name(store::sequencing_store& store, const std::string& identity, const std::string& name,
                       std::size_t max_chars);

/// A free name like `name` ("kim-2", "kim-3", ...), within max_chars code points; "" if none of
/// the first few is free.
std::string suggest_name(store::identity_directory& directory, const std::string& name,
                         std::size_t max_chars);

/// Replaces the username of every message whose sender is an identity by that identity's
/// current name: renaming keeps authorship. So are the authors of reply quotes and the people
/// of folded reactions.
void fold_current_names(store::sequencing_store& store, std::vector<chat_message>& messages);
/// The same for the people of a `reactions` answer.
void fold_current_names(store::sequencing_store& store, std::vector<reaction_summary>& reactions);

}  // namespace message::core
