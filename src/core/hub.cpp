#include "core/hub.hpp"

#include "core/memory_broker.hpp"
#include "protocol/codec.hpp"

namespace message::core {

namespace {
/// The answers of the commit this thread is reporting (hub::on_commit), sorted by loop: the
/// memory_broker hands that commit back to deliver_messages on the same thread, and each loop's
/// answers then join its fan-out step. Null on any other thread (a Redis delivery).
struct answers_in_commit {
  const hub* owner = nullptr;
  std::vector<std::vector<store_thread::answer>>* by_loop = nullptr;
};
thread_local answers_in_commit current_answers;
}  // namespace

hub::hub(const limits& limits, std::unique_ptr<store::sequencing_store> store, std::vector<event_loop*> loops,
         std::unique_ptr<class broker> broker)
    : limits_(limits),
      loops_(std::move(loops)),
      broker_(broker ? std::move(broker) : std::make_unique<memory_broker>()) {
  worker_ = std::make_unique<store_thread>(
      std::move(store), limits_,
      [this](std::vector<chat_message>&& stored, std::vector<store_thread::answer>&& answers) {
        on_commit(std::move(stored), std::move(answers));
      },
      [this] {
        if (auto* search = search_.load(std::memory_order_acquire)) search->pruned();
      });
  for (std::size_t i = 0; i < loops_.size(); ++i)
    pipelines_.push_back(std::make_unique<room_pipeline>(*loops_[i], *worker_, i, limits_));
  presence_.set_local_listener(
      [b = broker_.get()](const std::string& room, const std::string& username, const std::string& device,
                          bool present) { b->presence_changed(room, username, device, present); });
  broker_->start(*this);  // Last: a broker may deliver at once, into the pipelines.
}

hub::~hub() { stop(); }

void hub::stop() {
  // The loops have stopped (their threads ended): what a last turn still held is queued now,
  // so that it is committed like everything queued before.
  for (auto& p : pipelines_) p->flush();
  worker_->stop();
  broker_->stop();
  stopping_ = true;
}

void hub::on_commit(std::vector<chat_message>&& stored, std::vector<store_thread::answer>&& answers) {
  std::vector<std::vector<store_thread::answer>> by_loop(pipelines_.size());
  for (auto& a : answers) {
    if (a.origin < by_loop.size()) {
      by_loop[a.origin].push_back(std::move(a));
    } else {
      a.done(a.outcome);  // Not a loop's send (none today): answered here.
    }
  }
  if (!stored.empty()) {
    struct in_commit {  // Cleared however committed() returns: a throw leaves no stale pointer.
      in_commit(const hub* h, std::vector<std::vector<store_thread::answer>>* a) { current_answers = {h, a}; }
      ~in_commit() { current_answers = {}; }
      in_commit(const in_commit&) = delete;
      in_commit& operator=(const in_commit&) = delete;
    } scope(this, &by_loop);
    broker_->committed(std::move(stored));
  }
  // What the broker did not hand back on this thread (a duplicate, a failed store, a Redis
  // broker): the answers go to their loops on their own, behind what those loops hold.
  for (std::size_t l = 0; l < by_loop.size(); ++l) {
    if (!by_loop[l].empty() && !stopping_) pipelines_[l]->committed(nullptr, std::move(by_loop[l]));
  }
}

void hub::deliver_messages(std::vector<chat_message>&& stored) {
  if (stopping_) return;
  // Every node's index is fed by the commits it receives, whoever made them (Redis).
  if (auto* search = search_.load(std::memory_order_acquire)) search->committed(stored);
  // Runs on the store thread, a loop that committed in place, or the broker's thread. Encode each message
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
  const bool answering = current_answers.owner == this;
  for (std::size_t l = 0; l < pipelines_.size(); ++l) {
    std::vector<store_thread::answer> answers;
    if (answering) answers.swap((*current_answers.by_loop)[l]);
    pipelines_[l]->committed(batches, std::move(answers));
  }
}

void hub::broadcast_event(const std::string& room, shared_line line, const client* except) {
  if (stopping_) return;
  broker_->publish_event(room, std::move(line), except);
}

void hub::resync() {
  if (stopping_) return;
  if (auto* search = search_.load(std::memory_order_acquire)) search->resync();
  for (auto& p : pipelines_) p->event([](loop_registry& followers) { followers.resync(); });
}

void hub::deliver_event(const std::string& room, shared_line line, const client* except) {
  if (stopping_) return;  // Loops are being torn down; nobody is left to tell.
  for (auto& p : pipelines_) {
    p->event([room, line, except](loop_registry& followers) { followers.deliver_event(room, line, except); });
  }
}

}  // namespace message::core
