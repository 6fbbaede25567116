#include "core/connection_rate.hpp"

namespace message::core {

connection_rate::connection_rate(const limits& l, clock::time_point now)
    : limits_(l),
      messages_(l.conn_msgs_per_sec, l.conn_msgs_burst, now),
      bytes_(l.conn_bytes_per_sec, l.conn_bytes_burst, now),
      window_start_(now) {}

connection_rate::verdict connection_rate::on_frame(std::size_t bytes, clock::time_point now) {
  if (!limits_.rate_limit) return verdict::accept;
  if (meter(bytes, now)) return verdict::flood;
  // A frame refused for its bytes still spends its message token: refusals cost the sender.
  if (!messages_.take(1, now)) return verdict::limited;
  return bytes_.take(static_cast<double>(bytes), now) ? verdict::accept : verdict::limited;
}

connection_rate::verdict connection_rate::on_control(std::size_t bytes, clock::time_point now) {
  if (!limits_.rate_limit) return verdict::accept;
  return meter(bytes, now) ? verdict::flood : verdict::accept;
}

bool connection_rate::meter(std::size_t bytes, clock::time_point now) {
  const auto elapsed = now - window_start_;
  if (elapsed >= std::chrono::seconds(1)) {
    // A window within the rate, or a quiet second in between, clears the strikes.
    if (!window_over_ || elapsed >= std::chrono::seconds(2)) strikes_ = 0;
    window_start_ = now;
    window_frames_ = 0;
    window_bytes_ = 0;
    window_over_ = false;
  }
  window_frames_ += 1;
  window_bytes_ += static_cast<double>(bytes);
  if (!window_over_ && (window_frames_ > limits_.flood_factor * limits_.conn_msgs_per_sec ||
                        window_bytes_ > limits_.flood_factor * limits_.conn_bytes_per_sec)) {
    window_over_ = true;
    ++strikes_;
  }
  return window_over_ && strikes_ >= limits_.flood_seconds;
}

}  // namespace message::core
