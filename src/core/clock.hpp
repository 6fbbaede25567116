#pragma once

#include <ctime>

#include <chrono>
#include <cstdint>

namespace message::core {

/// Wall-clock milliseconds since the Unix epoch: the `ts` of messages. Safe from any thread.
inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// Processor time the calling thread has used. A system call (about 1 µs here): for measuring
/// work that takes far longer.
inline std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace message::core
