#include "store/room_epoch.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <random>

namespace message::store {

std::string make_room_epoch() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

}  // namespace message::store
