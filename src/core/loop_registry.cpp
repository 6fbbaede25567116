#include "core/loop_registry.hpp"

#include <algorithm>

#include "core/client.hpp"

namespace message::core {

void loop_registry::add(client* c) { clients_.insert(c); }

void loop_registry::remove(client* c) { clients_.erase(c); }

void loop_registry::follow(const std::string& room, client* c) {
  auto& list = rooms_[room];
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
  if (list.empty()) rooms_.erase(it);
}

void loop_registry::deliver(const std::vector<shared_batch>& batches) const {
  for (const auto& batch : batches) {
    auto it = rooms_.find(batch->room);
    if (it == rooms_.end()) continue;
    // client::deliver never changes the lists (closing is deferred by the sink).
    for (client* c : it->second) c->deliver(batch);
  }
}

void loop_registry::deliver_event(const std::string& room, const shared_line& line,
                                  const client* except) const {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  for (client* c : it->second) {
    if (c != except) c->deliver_event(line);
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
