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

/// The sum of one field over every loop (mod 2^64: a gauge's decrements wrap and cancel).
std::uint64_t sum(const std::vector<const core::loop_counters*>& loops,
                  core::loop_counters::counter core::loop_counters::*field) {
  std::uint64_t total = 0;
  for (const auto* loop : loops) total += core::loop_counters::read(loop->*field);
  return total;
}
}  // namespace

server_metrics::server_metrics(const core::store_counters& store, const std::atomic<std::size_t>& connections,
                               std::function<std::uint64_t()> deliveries, std::filesystem::path journal,
                               std::shared_ptr<redis::redis_status> redis,
                               std::vector<const core::loop_counters*> loops)
    : store_(store),
      connections_(connections),
      deliveries_(std::move(deliveries)),
      journal_(std::move(journal)),
      redis_(std::move(redis)),
      loops_(std::move(loops)),
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
                          .Add({}, commit_bounds())),
      rooms_(prometheus::BuildGauge()
                 .Name("message_rooms")
                 .Help("Rooms with a follower, counted once per I/O loop that has one (a room followed "
                       "from connections on two loops counts twice)")
                 .Register(registry_)
                 .Add({})),
      queue_bytes_(prometheus::BuildGauge()
                       .Name("message_send_queue_bytes")
                       .Help("Bytes waiting in the connections' send queues (queued, not yet written)")
                       .Register(registry_)
                       .Add({})),
      bytes_in_(prometheus::BuildCounter()
                    .Name("message_websocket_received_bytes_total")
                    .Help("Bytes read from WebSocket connections (frames with their headers)")
                    .Register(registry_)
                    .Add({})),
      bytes_out_(prometheus::BuildCounter()
                     .Name("message_websocket_sent_bytes_total")
                     .Help("Bytes written to WebSocket connections (frames with their headers)")
                     .Register(registry_)
                     .Add({})),
      closes_(prometheus::BuildCounter()
                  .Name("message_server_closes_total")
                  .Help("Connections the server closed, by close code (4008: a reader cut for taking "
                        "nothing for the liveness time; 4029: a flood; 1008: a policy refusal; other: 1000, "
                        "1001, 1011)")
                  .Register(registry_)),
      closes_too_slow_(closes_.Add({{"code", "4008"}})),
      closes_flood_(closes_.Add({{"code", "4029"}})),
      closes_policy_(closes_.Add({{"code", "1008"}})),
      closes_other_(closes_.Add({{"code", "other"}})),
      resumes_(prometheus::BuildCounter()
                   .Name("message_resumes_total")
                   .Help("Joins with since, by kind (exact: every message after since was still stored; "
                         "gap: retention had removed some, or since was past what the server holds)")
                   .Register(registry_)),
      resumes_exact_(resumes_.Add({{"kind", "exact"}})),
      resumes_gap_(resumes_.Add({{"kind", "gap"}})) {
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
    auto& links = prometheus::BuildGauge()
                      .Name("message_redis_link_up")
                      .Help(
                          "1 while this Redis connection is up (store: commits and reads; subscriber: "
                          "deliveries from every node; publisher: presence and typing)")
                      .Register(registry_);
    redis_link_up_ = {&links.Add({{"link", "store"}}), &links.Add({{"link", "subscriber"}}),
                      &links.Add({{"link", "publisher"}})};
    prometheus::Histogram::BucketBoundaries bounds;
    for (const auto ms : redis::redis_status::lag_bucket_ms) bounds.push_back(static_cast<double>(ms) / 1e3);
    redis_lag_seconds_ = &prometheus::BuildHistogram()
                              .Name("message_redis_lag_seconds")
                              .Help(
                                  "Time from a message's acceptance (on any node) to its arrival "
                                  "here through Redis; across nodes it includes their clock offset")
                              .Register(registry_)
                              .Add({}, bounds);
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
  using lc = core::loop_counters;
  rooms_.Set(static_cast<double>(static_cast<std::int64_t>(sum(loops_, &lc::rooms))));
  // Left before queued: what left never runs ahead of what was queued, read in this order.
  const auto left = sum(loops_, &lc::queued_out);
  const auto queued = sum(loops_, &lc::queued_in);
  queue_bytes_.Set(queued > left ? static_cast<double>(queued - left) : 0.0);
  advance(bytes_in_, sum(loops_, &lc::bytes_in), seen_bytes_in_);
  advance(bytes_out_, sum(loops_, &lc::bytes_out), seen_bytes_out_);
  advance(closes_too_slow_, sum(loops_, &lc::closes_too_slow), seen_too_slow_);
  advance(closes_flood_, sum(loops_, &lc::closes_flood), seen_flood_);
  advance(closes_policy_, sum(loops_, &lc::closes_policy), seen_policy_);
  advance(closes_other_, sum(loops_, &lc::closes_other), seen_other_);
  advance(resumes_exact_, sum(loops_, &lc::resumes_exact), seen_exact_);
  advance(resumes_gap_, sum(loops_, &lc::resumes_gap), seen_gap_);
  if (journal_bytes_) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(journal_, ec);
    journal_bytes_->Set(ec ? 0.0 : static_cast<double>(size));
  }
  if (redis_) {
    redis_up_->Set(redis_->problem().empty() ? 1.0 : 0.0);
    using link = redis::redis_status::link;
    for (const auto which : {link::store, link::subscriber, link::publisher})
      redis_link_up_[static_cast<std::size_t>(which)]->Set(redis_->is_up(which) ? 1.0 : 0.0);
    const auto lag = redis_->lag();
    std::vector<double> added(lag.buckets.size());
    for (std::size_t b = 0; b < lag.buckets.size(); ++b)
      added[b] = static_cast<double>(lag.buckets[b] - seen_lag_.buckets[b]);
    redis_lag_seconds_->ObserveMultiple(added, static_cast<double>(lag.sum_ms - seen_lag_.sum_ms) / 1e3);
    seen_lag_ = lag;
  }
  return prometheus::TextSerializer().Serialize(registry_.Collect());
}

}  // namespace message::app
