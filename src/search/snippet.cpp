#include "search/snippet.hpp"

#include <algorithm>

#include "search/query_terms.hpp"

namespace message::search {

std::vector<std::string> make_snippet(std::string_view highlighted, const std::vector<std::string>& cjk_terms,
                                      std::size_t max_chars) {
  // The plain text and, per byte, whether it is matched.
  std::string text;
  std::vector<bool> hit;
  text.reserve(highlighted.size());
  bool inside = false;
  for (std::size_t i = 0; i < highlighted.size();) {
    if (highlighted.substr(i, mark_open.size()) == mark_open) {
      inside = true;
      i += mark_open.size();
    } else if (highlighted.substr(i, mark_close.size()) == mark_close) {
      inside = false;
      i += mark_close.size();
    } else {
      text.push_back(highlighted[i]);
      hit.push_back(inside);
      ++i;
    }
  }
  // FTS5 marks the character a matching bigram starts at (search/cjk_tokenizer), one short of
  // the term and one too many for a one-character prefix: CJK is marked by substring only.
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t at = i;
    if (is_cjk(next_code_point(text, i)))
      std::fill(hit.begin() + static_cast<std::ptrdiff_t>(at), hit.begin() + static_cast<std::ptrdiff_t>(i),
                false);
  }
  for (const auto& term : cjk_terms) {
    if (term.empty()) continue;
    for (auto at = text.find(term); at != std::string::npos; at = text.find(term, at + term.size()))
      std::fill(hit.begin() + static_cast<std::ptrdiff_t>(at),
                hit.begin() + static_cast<std::ptrdiff_t>(at + term.size()), true);
  }
  // Code point boundaries, to cut the window without splitting a character.
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < text.size();) {
    starts.push_back(i);
    next_code_point(text, i);
  }
  const std::size_t total = starts.size();
  std::size_t first = 0, last = total;
  if (total > max_chars) {
    const auto first_hit = std::find(hit.begin(), hit.end(), true);
    const std::size_t hit_byte =
        first_hit == hit.end() ? 0 : static_cast<std::size_t>(first_hit - hit.begin());
    const std::size_t hit_cp =
        static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), hit_byte) - starts.begin()) -
        1;
    // A quarter of the window before the match: enough to read it in its sentence.
    first = hit_cp > max_chars / 4 ? hit_cp - max_chars / 4 : 0;
    first = std::min(first, total - max_chars);
    last = first + max_chars;
  }
  const std::size_t from = total == 0 ? 0 : starts[first];
  const std::size_t to = last >= total ? text.size() : starts[last];
  std::vector<std::string> parts{first > 0 ? std::string("…") : std::string()};
  bool matched = false;
  for (std::size_t i = from; i < to; ++i) {
    if (hit[i] != matched) {
      parts.emplace_back();
      matched = hit[i];
    }
    parts.back().push_back(text[i]);
  }
  if (last < total) {
    if (matched) parts.emplace_back();
    parts.back() += "…";
  }
  return parts;
}

}  // namespace message::search
