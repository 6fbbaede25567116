#include "store/id_filter.hpp"

#include <algorithm>
#include <bit>
#include <functional>

namespace message::store {

namespace {
constexpr std::size_t bits_per_pair = 10;
constexpr int probes = 7;
}  // namespace

namespace {
/// The bits for `capacity` pairs, rounded up to a power of two (a probe is then a mask, not a
/// division) and at least 64.
std::size_t bit_count(std::size_t capacity) {
  return std::bit_ceil(std::max<std::size_t>(capacity * bits_per_pair, 64));
}
}  // namespace

id_filter::id_filter(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1024)),
      mask_(bit_count(capacity_) - 1),
      bits_(bit_count(capacity_) / 64, 0) {}

std::uint64_t id_filter::hash(std::string_view room, std::string_view id) {
  // The room's length keeps ("ab", "c") apart from ("a", "bc").
  const std::uint64_t h_room = std::hash<std::string_view>{}(room) ^ (room.size() * 0x9e3779b97f4a7c15ULL);
  const std::uint64_t h_id = std::hash<std::string_view>{}(id);
  return h_id ^ (h_room + 0x9e3779b97f4a7c15ULL + (h_id << 6) + (h_id >> 2));
}

// Kirsch and Mitzenmacher: probe i is h1 + i * h2, as good as independent hashes.
void id_filter::add(std::string_view room, std::string_view id) {
  const auto h = hash(room, id);
  const auto h1 = h & 0xffffffffULL;
  const auto h2 = (h >> 32) | 1;
  for (int i = 0; i < probes; ++i) {
    const auto bit = (h1 + static_cast<std::uint64_t>(i) * h2) & mask_;
    bits_[bit / 64] |= std::uint64_t{1} << (bit % 64);
  }
  ++added_;
}

bool id_filter::may_contain(std::string_view room, std::string_view id) const {
  const auto h = hash(room, id);
  const auto h1 = h & 0xffffffffULL;
  const auto h2 = (h >> 32) | 1;
  for (int i = 0; i < probes; ++i) {
    const auto bit = (h1 + static_cast<std::uint64_t>(i) * h2) & mask_;
    if (!(bits_[bit / 64] & (std::uint64_t{1} << (bit % 64)))) return false;
  }
  return true;
}

}  // namespace message::store
