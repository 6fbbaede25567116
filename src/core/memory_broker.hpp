#pragma once

#include "core/broker.hpp"

namespace message::core {

/// The broker of a single node: delivers straight to this node's loops. It serves one node
/// only; several nodes need redis::redis_broker. Thread-safety: as broker.
class memory_broker final : public broker {
 public:
  void start(broker_target& target) override { target_ = &target; }
  void committed(std::vector<chat_message>&& stored) override { target_->deliver_messages(std::move(stored)); }
  void publish_event(const std::string& room, shared_line line, const client* except) override {
    target_->deliver_event(room, std::move(line), except);
  }
  void presence_changed(const std::string&, const std::string&, const std::string&, bool) override {}
  void stop() override {}
  std::string problem() const override { return {}; }

 private:
  broker_target* target_ = nullptr;
};

}  // namespace message::core
