#include "transport/idle_spin.hpp"

namespace message::transport {

void idle_spin::after_sleep(duration slept) {
  if (max_ <= duration::zero()) return;
  if (slept <= max_) {
    // Spinning would have caught it: the whole window again at once. Doubling from the floor
    // instead would sleep through the next few events of a round trip that has just resumed.
    window_ = max_;
  } else {
    // Nothing came within max: halve it, and below the floor stop spinning.
    window_ /= 2;
    if (window_ < floor) window_ = duration::zero();
  }
}

}  // namespace message::transport
