#include "store/id_filter.hpp"

#include <algorithm>
#include <bit>
#include <functional>

namespace message::store {

namespace {
constexpr std::size_t bits_per_pair = 12;
constexpr std::size_t bits_per_block = 512;

/// The blocks for `capacity` pairs, rounded up to a power of two (a block is then picked by a
/// mask, not a division).
std::size_t block_count(std::size_t capacity) {
  return std::bit_ceil(std::max<std::size_t>(capacity * bits_per_pair / bits_per_block, 1));
}

/// splitmix64's finalizer: spreads the pair's hash over all 64 bits, independently of the
/// bits that picked the block.
std::uint64_t mix(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

id_filter::id_filter(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1024)),
      block_mask_(block_count(capacity_) - 1),
      blocks_(block_count(capacity_), block{}) {}

std::size_t id_filter::locate(std::string_view room, std::string_view id, std::uint64_t& bits) const {
  // The room's length keeps ("ab", "c") apart from ("a", "bc").
  const std::uint64_t h_room = std::hash<std::string_view>{}(room) ^ (room.size() * 0x9e3779b97f4a7c15ULL);
  const std::uint64_t h_id = std::hash<std::string_view>{}(id);
  const std::uint64_t h = h_id ^ (h_room + 0x9e3779b97f4a7c15ULL + (h_id << 6) + (h_id >> 2));
  bits = mix(h);
  return (h >> 32) & block_mask_;
}

void id_filter::add(std::string_view room, std::string_view id) {
  std::uint64_t bits = 0;
  auto& b = blocks_[locate(room, id, bits)];
  for (int w = 0; w < 8; ++w) b.words[w] |= std::uint64_t{1} << ((bits >> (6 * w)) & 63);
  ++added_;
}

bool id_filter::may_contain(std::string_view room, std::string_view id) const {
  std::uint64_t bits = 0;
  const auto& b = blocks_[locate(room, id, bits)];
  bool all = true;  // No early exit: the 8 words share one cache line, branches cost more.
  for (int w = 0; w < 8; ++w) all &= (b.words[w] >> ((bits >> (6 * w)) & 63)) & 1;
  return all;
}

}  // namespace message::store
