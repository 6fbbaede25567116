#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "store/id_filter.hpp"

namespace message::store {

/// Builds an id_filter of every (room, id) of a database on a thread of its own, over its own
/// read-only connection, so that opening the store does not wait for a scan of the whole id
/// index (about a second per million messages): restart time stays flat as history grows.
///
/// The scan reads one snapshot, taken when it starts; ids stored after that are the owner's
/// to add (journaled_message_store records them while the build runs). It takes every id the
/// database holds, also those past retention's id cutoff: a filter may say "maybe" too often,
/// never "no" wrongly. It grows its capacity and scans again while the filter comes out full.
///
/// Thread-safety: done() and take() from the owner's thread; the scan runs on ours. The
/// destructor stops a scan under way and joins it.
class id_filter_builder {
 public:
  /// `capacity`: the first size tried. `before_scan` runs on the builder's thread first (tests
  /// hold it there to act while the build is incomplete); may be empty.
  id_filter_builder(std::filesystem::path database, std::size_t capacity,
                    std::function<void()> before_scan = {});
  ~id_filter_builder();
  id_filter_builder(const id_filter_builder&) = delete;
  id_filter_builder& operator=(const id_filter_builder&) = delete;

  /// True once the filter is ready (or the scan failed: take() then returns nullopt).
  bool done() const { return done_.load(std::memory_order_acquire); }
  /// After done(): whether the filter is there (false: the scan failed, and was logged).
  bool succeeded() const { return done() && result_.has_value(); }
  /// The filter, once done(); nullopt if the scan failed (the owner then builds again later).
  std::optional<id_filter> take();

 private:
  void run(std::size_t capacity);
  /// One scan into a filter of `capacity`; false when stopped or failed.
  bool scan(id_filter& into);

  std::filesystem::path database_;
  std::function<void()> before_scan_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::optional<id_filter> result_;  // Written by the thread before done_; read after.
  std::thread thread_;               // Last: starts after the members above exist.
};

}  // namespace message::store
