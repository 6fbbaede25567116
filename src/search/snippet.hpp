#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace message::search {

/// Marks FTS5's highlight() puts around matched words: private-use characters, which the
/// snippet drops from the text it returns.
inline constexpr std::string_view mark_open = "\xEE\x80\x80";   // U+E000
inline constexpr std::string_view mark_close = "\xEE\x80\x81";  // U+E001

/// A result's snippet (docs/protocol.md, "Search"): alternating plain and matched text, plain
/// first, at most `max_chars` code points around the first match, "…" where it was cut.
/// `highlighted` is the text with FTS5's marks, which count for words only; `cjk_terms` are
/// marked here (exact substrings).
/// Pure; safe from any thread.
std::vector<std::string> make_snippet(std::string_view highlighted, const std::vector<std::string>& cjk_terms,
                                      std::size_t max_chars);

}  // namespace message::search
