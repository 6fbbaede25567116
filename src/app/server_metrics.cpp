#include "app/server_metrics.hpp"

#include <prometheus/text_serializer.h>

#include <system_error>
#include <vector>

namespace message::app {

namespace {
prometheus::Histogram::BucketBoundaries commit_bounds() {
  prometheus::Histogram::BucketBoundaries bounds;
  for (const auto us : core::store_counters::bucket_us) bounds.push_back(static_cast<double>(us) / 1e6);
  return bounds;
}
}  // namespace

server_metrics::server_metrics(const core::store_counters& store, const std::atomic<std::size_t>& connections,
                               std::function<std::uint64_t()> deliveries, std::filesystem::path journal,
                               std::shared_ptr<redis::redis_status> redis)
    : store_(store),
      connections_(connections),
      deliveries_(std::move(deliveries)),
      journal_(std::move(journal)),
      redis_(std::move(redis)),
      connections_gauge_(prometheus::BuildGauge()
                             .Name("message_connections")
                             .Help("Open WebSocket connections")
                             .Register(registry_)
                             .Add({})),
      stored_(prometheus::BuildCounter()
                  .Name("message_messages_accepted_total")
                  .Help("Messages stored and given a seq")
                  .Register(registry_)
                  .Add({})),
      delivered_(prometheus::BuildCounter()
                     .Name("message_deliveries_total")
                     .Help("Messages handed to a follower's connection (one per message and follower)")
                     .Register(registry_)
                     .Add({})),
      refused_(prometheus::BuildCounter()
                   .Name("message_messages_refused_total")
                   .Help("Sends not stored, by reason (duplicate: the id was stored before, and its seq is "
                         "answered again; store_failed: the store refused the commit)")
                   .Register(registry_)),
      refused_duplicate_(refused_.Add({{"reason", "duplicate"}})),
      refused_store_failed_(refused_.Add({{"reason", "store_failed"}})),
      commit_seconds_(prometheus::BuildHistogram()
                          .Name("message_store_commit_seconds")
                          .Help("Time one store commit (a group of sends) takes")
                          .Register(registry_)
                          .Add({}, commit_bounds())) {
  prometheus::BuildGauge()
      .Name("message_build_info")
      .Help("The running version (always 1)")
      .Register(registry_)
      .Add({{"version", MESSAGE_VERSION}})
      .Set(1);
  if (!journal_.empty()) {
    journal_bytes_ = &prometheus::BuildGauge()
                          .Name("message_journal_bytes")
                          .Help("Size of the journal file")
                          .Register(registry_)
                          .Add({});
  }
  if (redis_) {
    redis_up_ = &prometheus::BuildGauge()
                     .Name("message_redis_up")
                     .Help("1 while every Redis link is up, 0 while one is down")
                     .Register(registry_)
                     .Add({});
  }
}

void server_metrics::advance(prometheus::Counter& counter, std::uint64_t now, std::uint64_t& seen) {
  if (now > seen) counter.Increment(static_cast<double>(now - seen));
  seen = now;
}

std::string server_metrics::render() {
  std::lock_guard lock(mutex_);
  connections_gauge_.Set(static_cast<double>(connections_.load(std::memory_order_relaxed)));
  advance(stored_, store_.stored.load(std::memory_order_relaxed), seen_stored_);
  advance(delivered_, deliveries_(), seen_delivered_);
  advance(refused_duplicate_, store_.duplicates.load(std::memory_order_relaxed), seen_duplicates_);
  advance(refused_store_failed_, store_.failed.load(std::memory_order_relaxed), seen_failed_);
  std::vector<double> increments(seen_buckets_.size());
  for (std::size_t b = 0; b < seen_buckets_.size(); ++b) {
    const auto now = store_.commit_buckets[b].load(std::memory_order_relaxed);
    increments[b] = static_cast<double>(now - seen_buckets_[b]);
    seen_buckets_[b] = now;
  }
  const auto sum_us = store_.commit_us_sum.load(std::memory_order_relaxed);
  commit_seconds_.ObserveMultiple(increments, static_cast<double>(sum_us - seen_commit_us_) / 1e6);
  seen_commit_us_ = sum_us;
  if (journal_bytes_) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(journal_, ec);
    journal_bytes_->Set(ec ? 0.0 : static_cast<double>(size));
  }
  if (redis_up_) redis_up_->Set(redis_->problem().empty() ? 1.0 : 0.0);
  return prometheus::TextSerializer().Serialize(registry_.Collect());
}

}  // namespace message::app
