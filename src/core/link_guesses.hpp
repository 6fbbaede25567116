#pragma once

#include <mutex>

#include "common/limits.hpp"
#include "core/token_bucket.hpp"

namespace message::core {

/// The node's budget of wrong device link codes (limits::link_failures_*): all connections
/// share it, since a new identity token costs a guesser nothing.
///
/// Thread-safety: safe from any thread (every loop's connections spend from it).
class link_guesses {
 public:
  explicit link_guesses(const limits& l)
      : bucket_(l.link_failures_per_sec, l.link_failures_burst, token_bucket::clock::now()) {}

  /// False when the budget is spent: the code must not even be tried.
  bool may_try() {
    std::lock_guard lock(mutex_);
    return bucket_.has(1, token_bucket::clock::now());
  }
  /// Spends one guess for a wrong code.
  void failed() {
    std::lock_guard lock(mutex_);
    bucket_.take(1, token_bucket::clock::now());
  }

 private:
  std::mutex mutex_;
  token_bucket bucket_;
};

}  // namespace message::core
