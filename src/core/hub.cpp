#include "core/hub.hpp"

#include "core/memory_broker.hpp"
#include "protocol/codec.hpp"

namespace message::core {

hub::hub(const limits& limits, std::unique_ptr<store::message_store> store, std::vector<event_loop*> loops,
         std::unique_ptr<class broker> broker)
    : limits_(limits),
      loops_(std::move(loops)),
      broker_(broker ? std::move(broker) : std::make_unique<memory_broker>()) {
  for (auto* loop : loops_) {
    registries_.push_back(std::make_unique<loop_registry>(*loop, limits_));
    lanes_.push_back(std::make_unique<lane>());
  }
  presence_.set_local_listener(
      [b = broker_.get()](const std::string& room, const std::string& username, const std::string& device,
                          bool present) { b->presence_changed(room, username, device, present); });
  broker_->start(*this);
  worker_ = std::make_unique<store_worker>(
      std::move(store), limits_, [this](std::vector<chat_message>&& stored) { on_commit(std::move(stored)); },
      [this] {
        if (auto* search = search_.load(std::memory_order_acquire)) search->pruned();
      });
  for (auto* loop : loops_) appends_.push_back(std::make_unique<turn_appends>(*loop, *worker_));
}

hub::~hub() { stop(); }

void hub::stop() {
  // The loops have stopped (their threads ended): what a last turn still held is queued now,
  // so that it is committed like everything queued before.
  for (auto& a : appends_) a->flush();
  worker_->stop();
  broker_->stop();
  stopping_ = true;
}

void hub::on_commit(std::vector<chat_message>&& stored) { broker_->committed(std::move(stored)); }

void hub::on_loop(std::size_t l, bool may_run_now, std::function<void()> task) {
  lane& ln = *lanes_[l];
  const auto run = [&ln](const std::function<void()>& t) {
    ln.running = true;
    t();
    ln.running = false;
  };
  // `posted` is raised before a post and only a loop task lowers it, so zero seen on the loop's
  // thread means no earlier task of ours is queued there: running now cannot overtake one.
  // (A client that saw a later batch first would still recover, by reading the gap from the
  // store: client::deliver. This keeps that read from happening.)
  if (may_run_now && loops_[l]->runs_here() && !ln.running &&
      ln.posted.load(std::memory_order_acquire) == 0) {
    run(task);
    return;
  }
  ln.posted.fetch_add(1, std::memory_order_acq_rel);
  loops_[l]->post([&ln, run, task = std::move(task)] {
    ln.posted.fetch_sub(1, std::memory_order_acq_rel);
    run(task);
  });
}

void hub::deliver_messages(std::vector<chat_message>&& stored) {
  if (stopping_) return;
  // Every node's index is fed by the commits it receives, whoever made them (Redis).
  if (auto* search = search_.load(std::memory_order_acquire)) search->committed(stored);
  // Runs on the store worker, a loop that committed in place, or the broker's thread. Encode each message
  // once; group consecutive messages of a room into one batch whose joined bytes every live follower shares.
  auto batches = std::make_shared<std::vector<shared_batch>>();
  std::size_t i = 0;
  while (i < stored.size()) {
    auto batch = std::make_shared<room_batch>();
    batch->room = stored[i].room;
    batch->first_seq = stored[i].seq;
    std::string joined;
    std::size_t j = i;
    // Only consecutive seqs of the same room share a batch.
    for (; j < stored.size() && stored[j].room == batch->room && stored[j].seq == batch->first_seq + (j - i);
         ++j) {
      auto line = std::make_shared<const std::string>(protocol::encode_message(stored[j]));
      if (!joined.empty()) joined.push_back('\n');
      joined.append(*line);
      batch->lines.push_back(std::move(line));
      batch->ids.push_back(stored[j].id);
    }
    batch->last_seq = stored[j - 1].seq;
    batch->joined = std::make_shared<const std::string>(std::move(joined));
    batches->push_back(std::move(batch));
    i = j;
  }
  for (std::size_t l = 0; l < loops_.size(); ++l) {
    on_loop(l, true, [registry = registries_[l].get(), batches] { registry->deliver(*batches); });
  }
}

void hub::broadcast_event(const std::string& room, shared_line line, const client* except) {
  if (stopping_) return;
  broker_->publish_event(room, std::move(line), except);
}

void hub::resync() {
  if (stopping_) return;
  if (auto* search = search_.load(std::memory_order_acquire)) search->resync();
  for (std::size_t l = 0; l < loops_.size(); ++l) {
    on_loop(l, false, [registry = registries_[l].get()] { registry->resync(); });
  }
}

void hub::deliver_event(const std::string& room, shared_line line, const client* except) {
  if (stopping_) return;  // Loops are being torn down; nobody is left to tell.
  for (std::size_t l = 0; l < loops_.size(); ++l) {
    // Events come from inside a client's own handlers (typing, a leave while a session ends):
    // always a task of their own.
    on_loop(l, false, [registry = registries_[l].get(), room, line, except] {
      registry->deliver_event(room, line, except);
    });
  }
}

}  // namespace message::core
