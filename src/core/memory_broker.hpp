#pragma once

#include <mutex>

#include "core/broker.hpp"

namespace message::core {

/// The broker of a single node: delivers straight to this node's loops. It serves one node
/// only; several nodes need redis::redis_broker. Thread-safety: as broker. Deliveries hold a
/// mutex so that stop() can promise no call after it returns. It is taken once per commit
/// group, and held while the hub encodes the group and hands it to each loop's room_pipeline:
/// a post to the other loops, but on a loop that committed in place, the walk over that loop's
/// followers (the rule in core/now_or_post.hpp runs that fan-out at once). Events
/// (publish_event) take it too.
class memory_broker final : public broker {
 public:
  void start(broker_target& target) override {
    std::lock_guard lock(mutex_);
    target_ = &target;
  }
  void committed(std::vector<chat_message>&& stored) override {
    std::lock_guard lock(mutex_);
    if (target_) target_->deliver_messages(std::move(stored));
  }
  void publish_event(const std::string& room, shared_line line, const client* except) override {
    std::lock_guard lock(mutex_);
    if (target_) target_->deliver_event(room, std::move(line), except);
  }
  void presence_changed(const std::string&, const std::string&, const std::string&, bool) override {}
  void stop() override {
    std::lock_guard lock(mutex_);
    target_ = nullptr;
  }
  std::string problem() const override { return {}; }

 private:
  std::mutex mutex_;
  broker_target* target_ = nullptr;
};

}  // namespace message::core
