#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace message::store {

/// A Bloom filter over (room, id) pairs: says "surely not added" or "maybe added". The default
/// store keeps every remembered id of its database in one, so that a new message's id, which
/// is almost always new, is known to be new without a SQLite read: that read (a WAL read lock
/// and a B-tree search) was a quarter of a two-person chat's server CPU (bench/FINDINGS.md,
/// seventh pass). A "maybe" is checked against the database, so answers stay exact.
///
/// Sized for `capacity` pairs at 1% false "maybe"s or fewer (10 bits or more, rounded up to a
/// power of two, and 7 probes per pair);
/// past the capacity it still never misses, it just says "maybe" more often: full() tells
/// the owner to build a bigger one.
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
  static std::uint64_t hash(std::string_view room, std::string_view id);

  std::size_t capacity_;
  std::size_t added_ = 0;
  std::uint64_t mask_;  // Bits - 1; the bit count is a power of two.
  std::vector<std::uint64_t> bits_;
};

}  // namespace message::store
