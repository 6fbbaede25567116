#include "transport/idle_spin.hpp"

namespace message::transport {

void idle_spin::after_sleep(duration slept) {
  if (max_ <= duration::zero()) return;
  if (slept <= max_) {
    // Spinning would have caught it: the whole window again at once (doubling from the
    // floor instead measured a little worse in S1, bench/FINDINGS.md).
    window_ = max_;
  } else {
    // Nothing came within max: halve it, and below the floor stop spinning.
    window_ /= 2;
    if (window_ < floor) window_ = duration::zero();
  }
}

}  // namespace message::transport
