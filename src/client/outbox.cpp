#include "client/outbox.hpp"

#include <algorithm>

namespace message::client {

void outbox::connected(const protocol::server_limits& server, clock::time_point now) {
  disconnected();
  rate_ = server.msgs_per_sec * limits_.pace_share;
  // Half the announced burst: the welcome comes a round trip after the server's bucket
  // started, and other frames of this connection (history, ping) draw from it too.
  burst_ = std::max(1.0, server.msgs_burst / 2);
  tokens_ = burst_;
  refilled_ = now;
  not_before_ = now;
}

void outbox::disconnected() {
  // In flight and unanswered: they go first, in their order, on the next connection.
  queued_.insert(queued_.begin(), in_flight_.begin(), in_flight_.end());
  in_flight_.clear();
}

std::vector<outbox::item> outbox::take_ready(clock::time_point now, std::optional<clock::time_point>& next) {
  std::vector<item> out;
  next.reset();
  if (now < not_before_) {
    if (!queued_.empty()) next = not_before_;
    return out;
  }
  if (rate_ > 0) {
    const double elapsed = std::chrono::duration<double>(now - refilled_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    refilled_ = now;
  }
  while (!queued_.empty() && in_flight_.size() < limits_.send_window) {
    if (rate_ > 0) {
      if (tokens_ < 1) {
        const auto wait = std::chrono::duration<double>((1 - tokens_) / rate_);
        next = now + std::chrono::duration_cast<clock::duration>(wait) + std::chrono::microseconds(1);
        break;
      }
      tokens_ -= 1;
    }
    in_flight_.push_back(queued_.front());
    out.push_back(std::move(queued_.front()));
    queued_.pop_front();
  }
  return out;
}

std::optional<std::size_t> outbox::find_in_flight(const std::string& id) const {
  for (std::size_t i = 0; i < in_flight_.size(); ++i)
    if (in_flight_[i].id == id) return i;
  return std::nullopt;
}

void outbox::requeue(std::size_t i, clock::time_point now) {
  // Before every queued message with a higher number: resends keep their input order.
  auto m = std::move(in_flight_[i]);
  in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(i));
  auto at = std::find_if(queued_.begin(), queued_.end(), [&](const item& q) { return q.number > m.number; });
  queued_.insert(at, std::move(m));
  // The refusals of one burst arrive together: only one after the last back-off ended
  // (a resend refused again) doubles it.
  if (now < not_before_) return;
  backoff_ = backoff_.count() == 0 ? limits_.retry_min : std::min(backoff_ * 2, limits_.retry_max);
  not_before_ = now + backoff_;
}

std::optional<outbox::outcome> outbox::on_ack(const protocol::ack_event& ack) {
  const auto i = find_in_flight(ack.id);
  if (!i) return std::nullopt;
  outcome o{std::move(in_flight_[*i]), true, ack.seq, ack.duplicate, {}, {}};
  in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(*i));
  retries_.erase(o.message.id);
  backoff_ = std::chrono::milliseconds(0);
  return o;
}

std::optional<outbox::outcome> outbox::on_error(const protocol::error_event& error, clock::time_point now) {
  if (error.id.empty()) return std::nullopt;
  const auto i = find_in_flight(error.id);
  if (!i) return std::nullopt;
  if (error.code == "rate_limited") {
    // Something else draws from the server's bucket (another client on this address): pace
    // slower, at least once a second.
    if (now >= not_before_) rate_ = std::max(rate_ > 0 ? rate_ / 2 : limits_.fallback_rate, 1.0);
    tokens_ = 0;
    requeue(*i, now);
    return std::nullopt;
  }
  if (error.code == "store_failed" && ++retries_[error.id] <= limits_.store_retries) {
    requeue(*i, now);
    return std::nullopt;
  }
  outcome o{std::move(in_flight_[*i]), false, 0, false, error.code, error.message};
  in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(*i));
  retries_.erase(o.message.id);
  return o;
}

std::vector<outbox::item> outbox::pending() const {
  std::vector<item> out(in_flight_.begin(), in_flight_.end());
  out.insert(out.end(), queued_.begin(), queued_.end());
  std::sort(out.begin(), out.end(), [](const item& a, const item& b) { return a.number < b.number; });
  return out;
}

}  // namespace message::client
