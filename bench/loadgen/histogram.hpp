#pragma once
// A log-linear latency histogram (HdrHistogram's layout, 1/64 relative
// precision): recording is two shifts and an increment, merging is adding
// arrays. Not thread-safe: one per worker thread, merged at the end.

#include <array>
#include <bit>
#include <cstdint>

namespace loadgen {

class histogram {
 public:
  /// Records one value (nanoseconds).
  void record(std::uint64_t v) noexcept {
    ++counts_[index_of(v)];
    ++total_;
    if (v > max_) max_ = v;
  }

  void merge(histogram const& o) noexcept {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    if (o.max_ > max_) max_ = o.max_;
  }

  std::uint64_t count() const noexcept { return total_; }
  std::uint64_t max() const noexcept { return max_; }

  /// The value at quantile q (0..1): the middle of the bucket that holds it.
  std::uint64_t quantile(double q) const noexcept {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_));
    if (rank >= total_) rank = total_ - 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen > rank) {
        std::uint64_t v = middle_of(i);
        return v > max_ ? max_ : v;
      }
    }
    return max_;
  }

 private:
  static constexpr unsigned sub_bits = 7;                      // 128 linear buckets below 128 ns
  static constexpr std::uint64_t half = 1u << (sub_bits - 1);  // 64 per power of two above
  static constexpr std::size_t bucket_count = (1u << sub_bits) + 58 * half;

  static std::size_t index_of(std::uint64_t v) noexcept {
    if (v < (1u << sub_bits)) return static_cast<std::size_t>(v);
    unsigned const msb = 63u - static_cast<unsigned>(std::countl_zero(v));
    unsigned const shift = msb - (sub_bits - 1);
    std::uint64_t const mantissa = v >> shift;  // in [64, 127]
    return (1u << sub_bits) + (shift - 1) * half + static_cast<std::size_t>(mantissa - half);
  }

  static std::uint64_t middle_of(std::size_t i) noexcept {
    if (i < (1u << sub_bits)) return i;
    std::size_t const j = i - (1u << sub_bits);
    std::size_t const shift = j / half + 1;
    std::uint64_t const mantissa = j % half + half;
    return (mantissa << shift) + ((std::uint64_t{1} << shift) >> 1);
  }

  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace loadgen
