#include "core/store_thread.hpp"

#include "core/clock.hpp"
#include "core/reply_quote.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace message::core {

namespace {
/// How often retention runs, and how many rows one pass may delete before appends go first.
constexpr auto prune_interval = std::chrono::seconds(30);
constexpr std::size_t prune_rows_per_pass = 2000;
}  // namespace

store_thread::store_thread(std::unique_ptr<store::sequencing_store> store, const limits& limits,
                           commit_listener on_commit, prune_listener on_prune)
    : store_thread(
          std::move(store), limits,
          [on_commit = std::move(on_commit)](std::vector<chat_message>&& stored,
                                             std::vector<answer>&& answers) {
            // Fan-out first, then acks: a sender never holds an ack for a message
            // others cannot see yet.
            if (!stored.empty()) on_commit(std::move(stored));
            for (auto& a : answers) a.done(a.outcome);
          },
          std::move(on_prune)) {}

store_thread::store_thread(std::unique_ptr<store::sequencing_store> store, const limits& limits,
                           commit_report on_commit, prune_listener on_prune)
    : store_(std::move(store)),
      limits_(limits),
      on_commit_(std::move(on_commit)),
      on_prune_(std::move(on_prune)) {
  // spdlog makes its registry (and default logger) on first use, and that making is not safe
  // against a first use on another thread at once: two workers started together (several nodes
  // in one process) raced there under TSan. Made here, before the thread starts, it is shared.
  spdlog::default_logger_raw();
  thread_ = std::thread([this] { run(); });
}

store_thread::~store_thread() { stop(); }

void store_thread::append(new_message message, append_callback done) {
  {
    std::lock_guard lock(mutex_);
    appends_.push_back({std::move(message), std::move(done)});
  }
  wake_.notify_one();
}

void store_thread::append(std::vector<append_request> group, bool at_turn_end) {
  {
    std::unique_lock lock(mutex_);
    // Idle and nothing queued: nothing committed earlier can come after this group. The store
    // is asked only now, while nobody else uses it.
    step_facts facts;
    facts.on_own_loop = at_turn_end;
    facts.nothing_ahead = !busy_ && !stopping_ && appends_.empty() && reads_.empty();
    facts.sends = group.size();
    facts.store_never_waits = facts.on_own_loop && facts.nothing_ahead && store_->commit_never_waits();
    if (runs_now(pipeline_step::commit_sends, facts)) {
      busy_ = true;
      lock.unlock();
      commit(group);
      const bool deferred = store_->has_deferred_work();  // The store is still ours to ask.
      lock.lock();
      busy_ = false;
      // The first commit that leaves deferred work tells the worker when to do it; the ones
      // after it, until then, wake nobody.
      const bool tell = deferred && !deferred_due_;
      if (tell) deferred_due_ = std::chrono::steady_clock::now() + limits_.store_defer;
      // What arrived meanwhile (a stop, a due prune) waited for the store: the worker takes it.
      if (!tell && appends_.empty() && reads_.empty() && !stopping_ && !wants_store_) return;
    } else {
      for (auto& request : group) appends_.push_back(std::move(request));
    }
  }
  wake_.notify_one();
}

void store_thread::read(read_job job) {
  {
    std::lock_guard lock(mutex_);
    reads_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void store_thread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void store_thread::run() {
  using clock = std::chrono::steady_clock;
  auto next_prune = clock::now();  // Retention's first pass runs in the first round.
  std::vector<append_request> batch;
  std::deque<read_job> reads;
  bool deferred_failing = false;
  for (;;) {
    std::optional<clock::time_point> deferred_due;
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      // While a loop commits in place the store is taken; the loop wakes us when it is done if
      // work is waiting, so an idle worker sleeps through in-place commits.
      for (;;) {
        if (!busy_ && (stopping_ || !appends_.empty() || !reads_.empty())) break;
        const auto due = deferred_due_ ? std::min(next_prune, *deferred_due_) : next_prune;
        if (clock::now() >= due) break;
        wake_.wait_until(lock, due);
      }
      if (busy_) {
        // A prune or the deferred work came due while a loop had the store.
        wants_store_ = true;
        wake_.wait(lock, [&] { return !busy_; });
        wants_store_ = false;
      }
      if (appends_.empty() && reads_.empty() && stopping_) return;
      busy_ = true;
      // Take everything that arrived while the last commit ran: that is the group commit.
      const auto n = std::min(appends_.size(), limits_.max_commit_batch);
      batch.assign(std::make_move_iterator(appends_.begin()),
                   std::make_move_iterator(appends_.begin() + static_cast<std::ptrdiff_t>(n)));
      appends_.erase(appends_.begin(), appends_.begin() + static_cast<std::ptrdiff_t>(n));
      // Reads queued now run after this commit, so they see every append queued before them.
      reads.swap(reads_);
      deferred_due = deferred_due_;
      stopping = stopping_;
    }
    if (!batch.empty()) commit(batch);
    // Retention before the reads of the same round: the first round's reads (a client resuming
    // right after a restart) are never replayed what the limits already remove.
    if (clock::now() >= next_prune) {
      // A pass that used its whole budget comes back at once (after any queued appends).
      const bool more = prune_some();
      next_prune = clock::now() + (more ? std::chrono::seconds(0) : prune_interval);
    }
    for (auto& job : reads) {
      try {
        job(*store_);
      } catch (const std::exception& e) {
        spdlog::error("store read failed: {}", e.what());
      }
    }
    reads.clear();
    if (store_->has_deferred_work()) {
      const auto now = clock::now();
      if (!deferred_due) deferred_due = now + limits_.store_defer;  // Left by this thread's commit.
      if (now >= *deferred_due || stopping) {
        try {
          store_->do_deferred_work();
          deferred_due.reset();
          if (deferred_failing) spdlog::info("deferred store work done again");
          deferred_failing = false;
        } catch (const std::exception& e) {
          // Kept by the store (journaled messages stay journaled); tried again in a while.
          if (!deferred_failing)
            spdlog::warn("deferred store work failed, retrying every second: {}", e.what());
          deferred_failing = true;
          deferred_due = now + std::chrono::seconds(1);
        }
      }
    } else {
      deferred_due.reset();
    }
    std::lock_guard lock(mutex_);
    deferred_due_ = deferred_due;
    busy_ = false;
  }
}

void store_thread::commit(std::vector<append_request>& batch) {
  std::vector<new_message> messages;
  messages.reserve(batch.size());
  for (auto& p : batch) messages.push_back(std::move(p.message));
  std::vector<store::append_result> results;
  const auto began = std::chrono::steady_clock::now();
  try {
    results = store_->commit_group(messages);
  } catch (const std::exception& e) {
    counters_.failed.fetch_add(messages.size(), std::memory_order_relaxed);
    // Nothing of the batch was stored: every sender hears so and keeps its message pending.
    spdlog::error("storing {} message(s) failed: {}", messages.size(), e.what());
    const append_outcome failed{std::nullopt, e.what()};
    std::vector<answer> answers;
    answers.reserve(batch.size());
    for (auto& p : batch) answers.push_back({p.origin, std::move(p.done), failed});
    batch.clear();
    on_commit_({}, std::move(answers));
    return;
  }
  counters_.observe_commit(std::chrono::steady_clock::now() - began);
  std::vector<chat_message> stored;
  stored.reserve(messages.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (results[i].duplicate) counters_.duplicates.fetch_add(1, std::memory_order_relaxed);
    if (!results[i].duplicate) {
      auto& m = messages[i];
      chat_message c;
      c.room = std::move(m.room);
      c.seq = results[i].seq;
      c.id = std::move(m.id);
      c.username = std::move(m.username);
      c.text = std::move(m.text);
      c.device = std::move(m.device);
      c.ts = m.ts;
      c.kind = m.kind;
      c.target = m.target;
      c.reply_to = m.reply_to;
      c.mentions = std::move(m.mentions);
      c.file = std::move(m.file);
      stored.push_back(std::move(c));
    }
  }
  // A reply's live frame quotes its target as it is at this commit. Only replies read here
  // (the client checked the target before the append): a plain message costs nothing more.
  for (auto& c : stored) {
    if (!c.reply_to) continue;
    try {
      if (auto target = store_->find(c.room, c.reply_to))
        c.reply = quote_of(*target, limits_.reply_quote_chars);
    } catch (const std::exception& e) {
      // Stored already: the frame goes without its quote; history and replay carry it.
      spdlog::warn("reading the message a reply quotes failed: {}", e.what());
    }
  }
  counters_.stored.fetch_add(stored.size(), std::memory_order_relaxed);
  std::vector<answer> answers;
  answers.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i)
    answers.push_back({batch[i].origin, std::move(batch[i].done), {results[i], {}}});
  batch.clear();
  on_commit_(std::move(stored), std::move(answers));
}

bool store_thread::prune_some() {
  const auto now = now_ms();
  const std::int64_t day_ms = 24LL * 3600 * 1000;
  const std::int64_t older_than = limits_.keep_days > 0 ? now - limits_.keep_days * day_ms : 0;
  const std::int64_t id_cutoff =
      now - std::chrono::duration_cast<std::chrono::milliseconds>(limits_.id_memory).count();
  try {
    const auto removed = store_->prune(limits_.keep_messages, older_than, id_cutoff, prune_rows_per_pass);
    if (removed > 0) spdlog::debug("retention removed {} row(s)", removed);
    const bool more = removed >= prune_rows_per_pass;
    // Told after every round, not only one that removed rows: on a shared Redis another node's
    // round may have removed them.
    if (!more && on_prune_ && (limits_.keep_days > 0 || limits_.keep_messages > 0)) on_prune_();
    return more;
  } catch (const std::exception& e) {
    spdlog::warn("retention pass failed: {}", e.what());
    return false;
  }
}

}  // namespace message::core
