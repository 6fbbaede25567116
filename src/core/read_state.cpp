#include "core/read_state.hpp"

#include <algorithm>

namespace message::core {

std::optional<std::uint64_t> next_read_position(std::uint64_t requested, std::uint64_t last_seq,
                                                std::uint64_t stored) {
  const std::uint64_t clamped = std::min(requested, last_seq);
  if (clamped <= stored) return std::nullopt;
  return clamped;
}

std::uint64_t unread_count(std::uint64_t last_seq, std::uint64_t oldest, std::uint64_t read) {
  const std::uint64_t from = std::max(read, oldest == 0 ? 0 : oldest - 1);
  return last_seq > from ? last_seq - from : 0;
}

namespace {
bool word_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' || u == '-' ||
         u >= 0x80;  // A byte of a non-ASCII letter: "@kimé" is not "@kim".
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool mentions(std::string_view text, std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    if (at > 0 && word_char(text[at - 1])) continue;
    const std::size_t end = at + 1 + name.size();
    if (end > text.size()) return false;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) same = lower(text[at + 1 + i]) == lower(name[i]);
    if (same && (end == text.size() || !word_char(text[end]))) return true;
  }
  return false;
}

void read_coalescer::offer(const std::string& room, std::uint64_t value) {
  auto& e = rooms_[room];
  if (!e.pending || value > *e.pending) e.pending = value;
}

std::vector<std::pair<std::string, std::uint64_t>> read_coalescer::take_due(clock::time_point now) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    auto& e = it->second;
    const bool open = !e.last || now - *e.last >= interval_;
    if (e.pending && open) {
      out.emplace_back(it->first, *e.pending);
      e.pending.reset();
      e.last = now;
      ++it;
    } else if (!e.pending && open) {
      it = rooms_.erase(it);  // Idle for a whole interval: the next change goes at once.
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::uint64_t>> read_coalescer::take_all() {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const auto& [room, e] : rooms_) {
    if (e.pending) out.emplace_back(room, *e.pending);
  }
  rooms_.clear();
  return out;
}

std::optional<read_coalescer::clock::time_point> read_coalescer::next_due() const {
  std::optional<clock::time_point> out;
  for (const auto& [room, e] : rooms_) {
    if (!e.pending) continue;
    const auto due = e.last ? *e.last + interval_ : clock::time_point::min();
    if (!out || due < *out) out = due;
  }
  return out;
}

}  // namespace message::core
