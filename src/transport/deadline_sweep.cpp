#include "transport/deadline_sweep.hpp"

#include <algorithm>
#include <memory>

namespace message::transport {

/// The tick's timer. Its pending wait owns it, so it goes away with its io_context's handlers
/// (an I/O object must not outlive its io_context, and the sweep does).
class deadline_sweep::ticker : public std::enable_shared_from_this<ticker> {
 public:
  ticker(net::io_context& io, deadline_sweep& sweep) : timer_(io), sweep_(&sweep) {}
  ~ticker() {
    if (sweep_) sweep_->ticker_ = nullptr;
  }
  void arm(clock::duration after) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || !self->sweep_) return;
      if (self->sweep_->sweep()) {
        self->arm(self->sweep_->tick_);
      }  // Otherwise no deadline is left: this ticker ends with this handler.
    });
  }
  void detach() { sweep_ = nullptr; }

 private:
  net::steady_timer timer_;
  deadline_sweep* sweep_;
};

deadline_sweep::deadline_sweep(net::io_context& io, clock::duration tick) : io_(io), tick_(tick) {}

deadline_sweep::~deadline_sweep() {
  if (ticker_) ticker_->detach();
  for (auto& e : entries_) e.who->index_ = member::absent;
}

deadline_sweep::clock::duration deadline_sweep::tick_for(const core::limits& l) {
  const auto shortest = std::min<clock::duration>({l.idle_ping, l.handshake_timeout, l.slow_close_grace});
  return std::clamp<clock::duration>(shortest / 8, std::chrono::milliseconds(10), std::chrono::seconds(1));
}

void deadline_sweep::set(member& m, clock::time_point due) {
  if (m.index_ == member::absent) {
    m.index_ = static_cast<std::uint32_t>(entries_.size());
    entries_.push_back({due, &m});
  } else {
    entries_[m.index_].due = due;
  }
  if (!ticker_) start_ticking();
}

void deadline_sweep::remove(member& m) {
  if (m.index_ == member::absent) return;
  const std::uint32_t i = m.index_;
  m.index_ = member::absent;
  if (i + 1 != entries_.size()) {
    entries_[i] = entries_.back();
    entries_[i].who->index_ = i;
  }
  entries_.pop_back();
}

void deadline_sweep::start_ticking() {
  auto t = std::make_shared<ticker>(io_, *this);
  ticker_ = t.get();
  t->arm(tick_);
}

bool deadline_sweep::sweep() {
  const auto now = clock::now();
  // Members may remove themselves (or others) while this runs: removal moves the last entry
  // into the freed slot, so a slot is looked at again when its occupant changed. An entry
  // moved behind the scan waits for the next tick.
  std::size_t i = 0;
  while (i < entries_.size()) {
    entry& e = entries_[i];
    if (e.due > now) {
      ++i;
      continue;
    }
    member* who = e.who;
    e.due = clock::time_point::max();
    who->on_deadline();
    if (i < entries_.size() && entries_[i].who == who) ++i;
  }
  return std::any_of(entries_.begin(), entries_.end(),
                     [](const entry& e) { return e.due != clock::time_point::max(); });
}

}  // namespace message::transport
