#pragma once

#include <mutex>
#include <string>

namespace message::redis {

/// What this node knows about its Redis connections, for /healthz and the log: each
/// connection (store, subscriber, publisher) reports here when it breaks and when it is back.
/// Thread-safety: every method is safe from any thread.
class redis_status {
 public:
  enum class link { store, subscriber, publisher };

  /// Records that `which` is down because of `why` (logged once per change).
  void down(link which, const std::string& why);
  /// Records that `which` works again (logged once per change).
  void up(link which);
  /// Empty when every link is up; otherwise which are down and why.
  std::string problem() const;

 private:
  static const char* name(link which);
  mutable std::mutex mutex_;
  std::string why_[3];
  bool down_[3] = {false, false, false};
};

}  // namespace message::redis
