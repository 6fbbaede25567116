#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "common/limits.hpp"
#include "core/token_bucket.hpp"

namespace message::core {

/// The per-connection half of the rate limits (docs/security.md): a message bucket, a byte
/// bucket and a flood meter. The per-address half lives in transport/address_table.
///
/// The flood meter counts every frame the peer sends, accepted or not, in one-second windows;
/// a window with more than flood_factor times the message or byte rate is a strike, a window
/// within the rate clears the strikes, and flood_seconds strikes in a row mean "close with 4029".
///
/// Pure; not thread-safe (lives on its connection's loop).
class connection_rate {
 public:
  using clock = std::chrono::steady_clock;
  enum class verdict { accept, limited, flood };

  connection_rate(const limits& l, clock::time_point now);

  /// A data frame of `bytes` arrived. `limited` when over the buckets; `flood` once the peer
  /// has kept far above its rate for flood_seconds. With limits::rate_limit off: always accept.
  verdict on_frame(std::size_t bytes, clock::time_point now);
  /// A control frame (ping): counts only towards the flood meter.
  verdict on_control(std::size_t bytes, clock::time_point now);

 private:
  bool meter(std::size_t bytes, clock::time_point now);

  const limits& limits_;
  token_bucket messages_;
  token_bucket bytes_;
  clock::time_point window_start_;
  double window_frames_ = 0;
  double window_bytes_ = 0;
  bool window_over_ = false;
  std::uint32_t strikes_ = 0;
};

}  // namespace message::core
