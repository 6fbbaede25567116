#include "store/conversation_fold.hpp"

#include <algorithm>

#include "common/limits.hpp"
#include "core/reply_quote.hpp"

namespace message::store {

core::reply_quote quote_of(const core::chat_message& target) {
  return core::quote_of(target, core::limits{}.reply_quote_chars);
}

std::vector<core::reaction_summary> group_reactions(const std::vector<reaction_row>& rows) {
  std::vector<core::reaction_summary> out;
  for (const auto& r : rows) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& s) { return s.emoji == r.emoji; });
    if (it == out.end()) {
      out.push_back({r.emoji, 0, {}, false});
      it = out.end() - 1;
    }
    ++it->count;
    it->users.push_back({r.identity, r.username});
  }
  return out;
}

std::vector<core::reaction_summary> summarize_reactions(const std::vector<reaction_row>& rows,
                                                        const std::string& viewer) {
  auto out = group_reactions(rows);
  const auto names = core::limits{}.reaction_names;
  for (auto& s : out) {
    s.mine = !viewer.empty() && std::any_of(s.users.begin(), s.users.end(),
                                            [&](const core::person& p) { return p.identity == viewer; });
    if (s.users.size() > names) s.users.resize(names);
  }
  return out;
}

}  // namespace message::store
