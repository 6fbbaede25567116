#pragma once

#include <chrono>
#include <cstdint>

namespace message::core {

/// Wall-clock milliseconds since the Unix epoch: the `ts` of messages. Safe from any thread.
inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace message::core
