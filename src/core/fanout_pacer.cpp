#include "core/fanout_pacer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace message::core {

namespace {
/// Rates and round costs are counted over windows at least this long: a window holds several
/// rounds even when they are spaced out, and a change of load shows within a few windows.
constexpr auto rate_window = std::chrono::milliseconds(100);
/// Windows in a row that must ask for pacing before it engages: the first rounds after a
/// start (cold caches, handshakes still in the loop) are slower than the load they belong to.
constexpr int windows_to_engage = 2;
/// Weight of the newest window in the message rate.
constexpr double rate_weight = 0.5;
/// Pacing, once engaged, stays on until the load falls this far below the engage point, or
/// rises this far above the batched point: no flapping at the edge.
constexpr double hysteresis = 0.85;

double seconds(fanout_pacer::clock::duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

void fanout_pacer::round_started(clock::time_point now, std::size_t messages) {
  if (!started_) {
    started_ = true;
    window_start_ = now;
  }
  if (now - window_start_ >= rate_window) close_window(now);
  last_start_ = now;
  window_messages_ += messages;
}

void fanout_pacer::round_finished(clock::duration cpu) {
  ++window_rounds_;
  window_cpu_ += seconds(cpu);
  if (round_ == 0 && cpu.count() > 0) {
    // The first measure stands until a window closes: "always" pacing starts with it.
    round_ = seconds(cpu);
    decide();
  }
}

void fanout_pacer::close_window(clock::time_point now) {
  const double sample = static_cast<double>(window_messages_) / seconds(now - window_start_);
  rate_ = rate_ == 0 ? sample : rate_ + rate_weight * (sample - rate_);
  if (window_rounds_ > 0) round_ = window_cpu_ / static_cast<double>(window_rounds_);
  window_start_ = now;
  window_messages_ = 0;
  window_rounds_ = 0;
  window_cpu_ = 0;
  decide();
}

void fanout_pacer::decide() {
  const bool was_engaged = engaged_;
  const double load = rate_ * round_;
  const double min_round = seconds(limits_.pace_min_round);
  if (limits_.pace_busy_share <= 0 || limits_.pace_max_hold.count() <= 0) {
    engaged_ = false;
  } else if (limits_.pace_engage_load <= 0) {
    engaged_ = round_ > 0;  // Always (tests, and servers that would rather save processor time).
  } else if (engaged_) {
    engaged_ = round_ >= min_round * hysteresis && load >= limits_.pace_engage_load * hysteresis &&
               load < limits_.pace_batched_load / hysteresis;
  } else {
    const bool wanted =
        round_ >= min_round && load >= limits_.pace_engage_load && load < limits_.pace_batched_load;
    strikes_ = wanted ? strikes_ + 1 : 0;
    engaged_ = strikes_ >= windows_to_engage;
  }
  if (engaged_) strikes_ = 0;
  if (engaged_ != was_engaged) {
    // Rare by construction (two windows to engage, hysteresis to let go): worth a line.
    spdlog::info("fan-out pacing {}: {:.0f} messages/s, {:.2f} ms of CPU per round (load {:.2f})",
                 engaged_ ? "on" : "off", rate_, round_ * 1e3, load);
  }
}

fanout_pacer::clock::time_point fanout_pacer::next_round(clock::time_point now) const {
  if (!engaged_) return now;
  const auto period = std::chrono::duration_cast<clock::duration>(
      std::chrono::duration<double>(round_ / limits_.pace_busy_share));
  const auto spacing = std::min(period, std::chrono::duration_cast<clock::duration>(limits_.pace_max_hold));
  return std::max(now, last_start_ + spacing);
}

}  // namespace message::core
