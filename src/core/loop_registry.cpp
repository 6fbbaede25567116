#include "core/loop_registry.hpp"

#include <algorithm>

#include "core/client.hpp"
#include "core/clock.hpp"

namespace message::core {

namespace {
/// Rounds to fewer followers than this are not timed: at a few µs per write they are far
/// below limits::pace_min_round, and reading the thread's clock is a system call.
constexpr std::size_t min_timed_followers = 64;
}  // namespace

void loop_registry::add(client* c) { clients_.insert(c); }

void loop_registry::remove(client* c) { clients_.erase(c); }

void loop_registry::follow(const std::string& room, client* c) {
  auto [room_it, added] = rooms_.try_emplace(room);
  if (added) loop_counters::add(counters_.rooms, 1);
  auto& list = room_it->second;
  if (std::find(list.begin(), list.end(), c) == list.end()) list.push_back(c);
}

void loop_registry::unfollow(const std::string& room, client* c) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  auto& list = it->second;
  if (auto pos = std::find(list.begin(), list.end(), c); pos != list.end()) {
    *pos = list.back();
    list.pop_back();
  }
  if (list.empty()) {
    rooms_.erase(it);
    loop_counters::add(counters_.rooms, static_cast<std::uint64_t>(-1));  // Wraps: one fewer.
  }
}

void loop_registry::deliver(const std::vector<shared_batch>& batches) {
  const auto now = fanout_pacer::clock::now();
  const auto due = pacer_.next_round(now);
  if (held_.empty() && due <= now) return write_round(batches);
  // Commits are held exactly while a round is due: the first one held asks for it.
  const bool first_held = held_.empty();
  held_.insert(held_.end(), batches.begin(), batches.end());
  if (first_held) loop_.post_at(due, [this] { write_held(); });
}

void loop_registry::write_held() {
  std::vector<shared_batch> held;
  held.swap(held_);
  write_round(join_consecutive(std::move(held)));
}

void loop_registry::write_round(const std::vector<shared_batch>& batches) {
  const auto start = fanout_pacer::clock::now();
  std::size_t messages = 0;
  std::uint64_t delivered = 0;
  bool timed = false;
  std::chrono::nanoseconds cpu_before{};
  for (const auto& batch : batches) {
    auto it = rooms_.find(batch->room);
    if (it == rooms_.end()) continue;
    if (!timed && it->second.size() >= min_timed_followers) {
      timed = true;
      cpu_before = thread_cpu_time();
    }
    const auto in_batch = batch->last_seq - batch->first_seq + 1;
    messages += in_batch;
    delivered += in_batch * it->second.size();
    // client::deliver never changes the lists (closing is deferred by the sink).
    for (client* c : it->second) c->deliver(batch);
  }
  if (messages == 0) return;
  deliveries_.fetch_add(delivered, std::memory_order_relaxed);
  pacer_.round_started(start, messages);
  if (!timed) {
    pacer_.round_finished({});  // Far below pace_min_round: not worth two clock reads.
    return;
  }
  // The writes this round scheduled run before anything posted after them: when this runs,
  // the round has been written (the pacer's measure of what a round costs).
  loop_.post([this, cpu_before] { pacer_.round_finished(thread_cpu_time() - cpu_before); });
}

void loop_registry::deliver_event(const std::string& room, const shared_line& line,
                                  const client* except) const {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  for (client* c : it->second) {
    if (c != except) c->deliver_event(room, line);
  }
}

void loop_registry::resync() const {
  for (client* c : clients_) c->resync();
}

void loop_registry::close_all(close_code code, std::string_view reason) const {
  // Copy: a sink may finish closing synchronously and remove itself.
  const std::vector<client*> all(clients_.begin(), clients_.end());
  for (client* c : all) c->close(code, reason);
}

}  // namespace message::core
