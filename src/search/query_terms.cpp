#include "search/query_terms.hpp"

namespace message::search {

char32_t next_code_point(std::string_view s, std::size_t& i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : (b0 >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t c = len == 1 ? b0 : len == 2 ? (b0 & 0x1Fu) : len == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b >> 6) != 2) {
      ++i;
      return 0xFFFD;
    }
    c = (c << 6) | (b & 0x3Fu);
  }
  i += len;
  return c;
}

bool is_cjk(char32_t c) noexcept {
  return (c >= 0x1100 && c <= 0x11FF) ||  // Hangul Jamo
         (c >= 0x3005 && c <= 0x3007) ||  // 々 〆 〇
         (c >= 0x3040 && c <= 0x30FF) ||  // Hiragana, Katakana
         (c >= 0x3130 && c <= 0x318F) ||  // Hangul compatibility Jamo
         (c >= 0x31F0 && c <= 0x31FF) ||  // Katakana phonetic extensions
         (c >= 0x3400 && c <= 0x4DBF) ||  // CJK extension A
         (c >= 0x4E00 && c <= 0x9FFF) ||  // CJK unified ideographs
         (c >= 0xA960 && c <= 0xA97F) ||  // Hangul Jamo extended A
         (c >= 0xAC00 && c <= 0xD7FF) ||  // Hangul syllables, Jamo extended B
         (c >= 0xF900 && c <= 0xFAFF) ||  // CJK compatibility ideographs
         (c >= 0xFF66 && c <= 0xFF9D) ||  // half-width Katakana
         (c >= 0x20000 && c <= 0x3134F);  // CJK extensions B-G
}

namespace {

/// A character FTS5's unicode61 tokenizer keeps inside a token (near enough: letters and
/// digits of ASCII, and every non-ASCII character outside the punctuation blocks).
bool is_token_char(char32_t c) noexcept {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c >= 0x2000 && c <= 0x206F) return false;  // General punctuation
  if (c >= 0x3000 && c <= 0x3004) return false;  // Ideographic space, comma, full stop
  if (c >= 0x3008 && c <= 0x303F) return false;  // CJK brackets and marks
  if (c >= 0xFF01 && c <= 0xFF0F) return false;  // Full-width punctuation
  return c != 0xA0 && c != 0xFFFD;
}

bool is_space(char32_t c) noexcept {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x3000 || c == 0xA0;
}

/// Appends `s` as the body of an FTS5 string: a `"` is doubled.
void append_quoted(std::string& out, std::string_view s) {
  for (char ch : s) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
}

}  // namespace

parsed_query parse_query(std::string_view query) {
  parsed_query out;
  const auto add = [&out](const std::string& clause) {
    if (!out.match.empty()) out.match += " AND ";
    out.match += clause;
  };
  std::size_t i = 0;
  std::string other;  // The term's characters outside CJK runs, in order.
  bool other_has_token = false;
  std::vector<std::string_view> run;
  const auto end_run = [&] {
    if (run.empty()) return;
    std::string term;
    for (auto c : run) term.append(c);
    out.cjk_terms.push_back(term);
    // The tokenizer makes a run of two or more the phrase of its bigrams; one character is a
    // prefix of the bigram tokens (every position of a run starts one).
    add(run.size() == 1 ? "\"" + term + "\"*" : "\"" + term + "\"");
    run.clear();
  };
  const auto end_other = [&] {
    if (other_has_token) {
      std::string clause = "\"";
      append_quoted(clause, other);
      clause += "\"*";
      add(clause);
    }
    other.clear();
    other_has_token = false;
  };
  const auto end_term = [&] {
    end_run();
    end_other();
  };
  while (i < query.size()) {
    const std::size_t at = i;
    const char32_t c = next_code_point(query, i);
    if (is_space(c)) {
      end_term();
    } else if (is_cjk(c)) {
      end_other();  // A CJK run splits the term: each side is searched on its own.
      run.push_back(query.substr(at, i - at));
    } else {
      end_run();
      other.append(query.substr(at, i - at));
      other_has_token = other_has_token || is_token_char(c);
    }
  }
  end_term();
  return out;
}

}  // namespace message::search
