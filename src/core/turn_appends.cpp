#include "core/turn_appends.hpp"

namespace message::core {

void turn_appends::append(new_message message, store_worker::append_callback done) {
  // Behind whatever the loop has queued: the other sends it reads this turn join the group.
  if (pending_.empty()) loop_.post_turn([this] { hand_over(true); });
  pending_.push_back({std::move(message), std::move(done)});
}

void turn_appends::read(store_worker::read_job job) {
  if (!pending_.empty()) hand_over(false);  // Queued ahead of the read, as if each went at once.
  worker_.read(std::move(job));
}

void turn_appends::hand_over(bool may_commit_here) {
  if (pending_.empty()) return;  // A read, or the shutdown, handed them over already.
  std::vector<store_worker::append_request> group;
  group.swap(pending_);
  worker_.append(std::move(group), may_commit_here);
}

}  // namespace message::core
