#include "core/write_round.hpp"

#include <utility>

namespace message::core {

void write_round::add(std::shared_ptr<client_sink> sink) {
  if (in_turn_) {
    turn_.push_back(std::move(sink));
    return;
  }
  auto open = open_.lock();
  if (!open) {
    open = std::make_shared<members>();
    open_ = open;
    loop_.post([this, open] {
      open_.reset();  // Whoever asks from now on goes in the next round.
      write(*open);
    });
  }
  open->push_back(std::move(sink));
}

void write_round::end_turn() {
  in_turn_ = false;  // A sink asking from its own write goes in a posted round.
  if (turn_.empty()) return;
  members due;
  due.swap(turn_);
  write(due);
  due.clear();
  if (turn_.empty()) turn_.swap(due);  // Keeps the capacity for the next turn.
}

void write_round::write(const members& sinks) {
  for (const auto& sink : sinks) sink->write_round_due();
}

}  // namespace message::core
