#include "transport/asio_event_loop.hpp"

#include <sched.h>

namespace message::transport {

void asio_event_loop::run() {
  using clock = std::chrono::steady_clock;
  while (!context_.stopped()) {
    if (const auto window = spin_.window(); window.count() > 0) {
      // Poll (epoll_wait with no timeout) while events keep coming, and for `window` after
      // the last one. The yield lets a thread that shares the core (the store thread, pinned
      // beside the loop) run instead of waiting for our time slice to end.
      auto last = clock::now();
      while (!context_.stopped()) {
        if (context_.poll() > 0) {
          last = clock::now();
          continue;
        }
        if (clock::now() - last >= window) break;
        ::sched_yield();
      }
    }
    const auto before = clock::now();
    if (context_.run_one() == 0) break;  // Stopped.
    spin_.after_sleep(clock::now() - before);
  }
}

}  // namespace message::transport
