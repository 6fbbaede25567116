#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace message::store {

/// A Bloom filter over (room, id) pairs: says "surely not added" or "maybe added". The default
/// store keeps every remembered id of its database and its journal in one, so that a new
/// message's id, which is almost always new, is known to be new without a look-up: a SQLite
/// read (a WAL read lock and a B-tree search) per message would be a large share of a
/// two-person chat's server CPU. A "maybe" is checked against the journal's ids and the
/// database, so answers stay exact.
///
/// Blocked: a pair's 8 bits all lie in one 64-byte block, one bit in each of its 8 words, so a
/// look-up or an add touches one cache line. The filter of a big database is megabytes, and a
/// bit anywhere per probe would cost a cache miss per probe. Sized for `capacity` pairs at 12
/// bits or more each
/// (rounded up to a power of two), which keeps false "maybe"s under 1% at capacity (blocking
/// costs a little accuracy per bit: tests/unit/id_filter_test.cpp measures it); past the
/// capacity it still never misses, it just says "maybe" more often: full() tells the owner to
/// build a bigger one.
///
/// Thread-safety: none.
class id_filter {
 public:
  explicit id_filter(std::size_t capacity);

  void add(std::string_view room, std::string_view id);
  /// False only when (room, id) was never added.
  bool may_contain(std::string_view room, std::string_view id) const;

  std::size_t added() const { return added_; }
  std::size_t capacity() const { return capacity_; }
  bool full() const { return added_ > capacity_; }

 private:
  struct alignas(64) block {
    std::uint64_t words[8];
  };

  /// The index of the pair's block, and in `bits` its 8 bit positions, 6 bits each.
  std::size_t locate(std::string_view room, std::string_view id, std::uint64_t& bits) const;

  std::size_t capacity_;
  std::size_t added_ = 0;
  std::uint64_t block_mask_;  // Blocks - 1; the block count is a power of two.
  std::vector<block> blocks_;
};

}  // namespace message::store
