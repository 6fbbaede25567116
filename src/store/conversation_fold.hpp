#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/chat_message.hpp"

namespace message::store {

// The parts of folding conversation events (docs/protocol.md, "Conversation") that every store
// shares: how a quote and a reaction summary are made from stored rows. Pure functions; safe
// from any thread.

/// True for an edit, remove, react or unreact: a row that changes an earlier message.
constexpr bool is_change(core::event_kind kind) { return kind != core::event_kind::message; }

/// One (identity, emoji) reaction as stored, with the username it had when it reacted.
struct reaction_row {
  std::string emoji;
  std::string identity;
  std::string username;
};

/// The quote of `target` as a reply shows it now: identity only when the author's device is an
/// identity id, text cut to limits::reply_quote_chars, "" once deleted.
core::reply_quote quote_of(const core::chat_message& target);

/// Every reaction (rows in order of reacting) grouped per emoji in order of first reaction:
/// users oldest first, all of them (the `reactions` answer).
std::vector<core::reaction_summary> group_reactions(const std::vector<reaction_row>& rows);

/// The history form: as group_reactions, with only the first limits::reaction_names users
/// named and `mine` set when `viewer` ("" for none) is among all of them.
std::vector<core::reaction_summary> summarize_reactions(const std::vector<reaction_row>& rows,
                                                        const std::string& viewer);

}  // namespace message::store
