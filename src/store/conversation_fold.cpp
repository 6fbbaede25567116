#include "store/conversation_fold.hpp"

#include <algorithm>

#include "common/identity.hpp"
#include "common/limits.hpp"

namespace message::store {

std::string cut_code_points(std::string_view text, std::size_t max_code_points) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    // A byte that does not continue a sequence (10xxxxxx) starts a code point.
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80 && count++ == max_code_points)
      return std::string(text.substr(0, i));
  }
  return std::string(text);
}

core::reply_quote quote_of(const core::chat_message& target) {
  core::reply_quote q;
  q.seq = target.seq;
  q.username = target.username;
  if (core::is_identity_id(target.device)) q.identity = target.device;
  q.deleted = target.deleted;
  if (!target.deleted) q.text = cut_code_points(target.text, core::limits{}.reply_quote_chars);
  return q;
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
