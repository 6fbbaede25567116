#include "line_scan.hpp"

#include <bit>
#include <charconv>
#include <cstring>

namespace loadgen {
namespace {

// The first '"' in [p, end), or nullptr: eight bytes at a time (memchr's call
// costs more than the short strings of a chat line).
inline char const* find_quote(char const* p, char const* end) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t highs = 0x8080808080808080ull;
  constexpr std::uint64_t quotes = 0x2222222222222222ull;
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    std::uint64_t const x = w ^ quotes;
    std::uint64_t const zero = (x - ones) & ~x & highs;  // lowest set bit marks the first quote
    if (zero != 0) return p + (std::countr_zero(zero) >> 3);
    p += 8;
  }
  for (; p < end; ++p)
    if (*p == '"') return p;
  return nullptr;
}

// One pass over the top-level object: each key is compared once and each
// value skipped with memchr. Strings are taken as they are (the keys and
// values we read never hold escapes); nested objects and arrays are skipped.
class cursor {
 public:
  explicit cursor(std::string_view s) noexcept : p_(s.data()), end_(s.data() + s.size()) {}

  bool done() const noexcept { return p_ >= end_; }
  char peek() const noexcept { return p_ < end_ ? *p_ : '\0'; }
  void skip_ws() noexcept {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r')) ++p_;
  }
  bool eat(char ch) noexcept {
    skip_ws();
    if (p_ < end_ && *p_ == ch) {
      ++p_;
      return true;
    }
    return false;
  }
  // At an opening quote: the string's raw content, cursor after the closing quote.
  bool string(std::string_view& out) noexcept {
    char const* const begin = ++p_;
    char const* q = begin;
    for (;;) {
      q = find_quote(q, end_);
      if (q == nullptr) return false;
      std::size_t backslashes = 0;
      for (char const* b = q; b > begin && b[-1] == '\\'; --b) ++backslashes;
      if (backslashes % 2 == 0) break;
      ++q;
    }
    out = std::string_view(begin, static_cast<std::size_t>(q - begin));
    p_ = q + 1;
    return true;
  }
  bool unsigned_number(std::uint64_t& out) noexcept {
    auto const [q, ec] = std::from_chars(p_, end_, out);
    if (ec != std::errc{}) return false;
    p_ = q;
    return true;
  }
  // Skips any value: string, number, literal, object or array.
  bool skip_value() noexcept {
    skip_ws();
    if (p_ >= end_) return false;
    if (*p_ == '"') {
      std::string_view ignored;
      return string(ignored);
    }
    if (*p_ == '{' || *p_ == '[') {
      int depth = 0;
      while (p_ < end_) {
        char const ch = *p_;
        if (ch == '"') {
          std::string_view ignored;
          if (!string(ignored)) return false;
          continue;
        }
        if (ch == '{' || ch == '[')
          ++depth;
        else if (ch == '}' || ch == ']') {
          if (--depth == 0) {
            ++p_;
            return true;
          }
        }
        ++p_;
      }
      return false;
    }
    while (p_ < end_ && *p_ != ',' && *p_ != '}' && *p_ != ' ') ++p_;
    return true;
  }

 private:
  char const* p_;
  char const* end_;
};

template <class T>
bool number_at(std::string_view s, std::size_t& pos, T& out) noexcept {
  auto const [p, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), out);
  if (ec != std::errc{}) return false;
  pos = static_cast<std::size_t>(p - s.data());
  return true;
}

bool expect(std::string_view s, std::size_t& pos, std::string_view lit) noexcept {
  if (s.substr(pos, lit.size()) != lit) return false;
  pos += lit.size();
  return true;
}

void read_stamp(std::string_view text, line_fields& f) noexcept {
  std::size_t p = 0;
  f.has_stamp = expect(text, p, "t=") && number_at(text, p, f.sent_ns) && expect(text, p, ";s=") &&
                number_at(text, p, f.sender) && expect(text, p, ";n=") && number_at(text, p, f.number) &&
                expect(text, p, ";");
}

}  // namespace

line_fields scan_line(std::string_view line) noexcept {
  line_fields f;
  cursor c(line);
  if (!c.eat('{')) return f;
  if (c.eat('}')) return f;
  for (;;) {
    c.skip_ws();
    if (c.peek() != '"') return f;
    std::string_view key;
    if (!c.string(key) || !c.eat(':')) return f;
    c.skip_ws();
    bool const is_string = c.peek() == '"';
    if (key == "type" && is_string) {
      c.string(f.type);
      // Lines we do not count need nothing more.
      if (f.type != "message" && f.type != "welcome" && f.type != "error") return f;
    } else if (key == "seq" && !is_string) {
      f.has_seq = c.unsigned_number(f.seq);
      if (!f.has_seq) c.skip_value();
    } else if (key == "message" && is_string) {
      std::string_view text;
      c.string(text);
      read_stamp(text, f);
    } else if (key == "code" && is_string) {
      c.string(f.code);
    } else if (!c.skip_value()) {
      return f;
    }
    if (f.has_stamp && f.has_seq && !f.type.empty()) return f;  // a message line: all we need is read
    if (c.eat(',')) continue;
    return f;
  }
}

std::size_t write_stamp(char* out, std::uint64_t sent_ns, std::uint32_t sender,
                        std::uint64_t number) noexcept {
  char* p = out;
  char* const end = out + 64;
  *p++ = 't';
  *p++ = '=';
  p = std::to_chars(p, end, sent_ns).ptr;
  std::memcpy(p, ";s=", 3);
  p += 3;
  p = std::to_chars(p, end, sender).ptr;
  std::memcpy(p, ";n=", 3);
  p += 3;
  p = std::to_chars(p, end, number).ptr;
  *p++ = ';';
  return static_cast<std::size_t>(p - out);
}

}  // namespace loadgen
