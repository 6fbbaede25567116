#include "store/sqlite_checkpointer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "core/sequencing_store.hpp"

namespace message::store {

sqlite_checkpointer::sqlite_checkpointer(const std::filesystem::path& file, sqlite3* writer, options opts)
    : writer_(writer), opts_(opts) {
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw store_error(fmt::format("cannot open {} for checkpoints: {}", file.string(), why));
  }
  sqlite3_busy_timeout(db_, 2000);
  // A connection learns that the file is in WAL mode when it first reads it; until then a
  // checkpoint on it does nothing.
  if (sqlite3_exec(db_, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr) != SQLITE_OK) {
    const std::string why = sqlite3_errmsg(db_);
    sqlite3_close(db_);
    throw store_error(fmt::format("cannot read {} for checkpoints: {}", file.string(), why));
  }
  sqlite3_wal_hook(writer_, &sqlite_checkpointer::on_commit, this);
  thread_ = std::thread([this] { run(); });
}

sqlite_checkpointer::~sqlite_checkpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sqlite3_close(db_);
}

bool sqlite_checkpointer::inline_checkpoint_near() const {
  // A commit of one or two messages writes a handful of pages (each B-tree page it touches,
  // and a split's new pages); 64 leaves room for a commit of a few dozen.
  constexpr int near_pages = 64;
  return wal_pages_ + near_pages >= opts_.inline_pages;
}

int sqlite_checkpointer::on_commit(void* self, sqlite3* db, const char* schema, int pages) {
  auto& me = *static_cast<sqlite_checkpointer*>(self);
  me.wal_pages_ = pages;
  if (pages < me.woken_at_) me.woken_at_ = 0;  // The WAL started over.
  if (pages >= me.opts_.inline_pages) {
    // Errors are the next commit's business, as with SQLite's own automatic checkpoint.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    me.woken_at_ = 0;
  } else if (pages >= me.woken_at_ + me.opts_.wake_pages) {
    me.woken_at_ = pages;
    {
      std::lock_guard lock(me.mutex_);
      me.due_ = true;
    }
    me.wake_.notify_one();
  }
  return SQLITE_OK;
}

void sqlite_checkpointer::run() {
  // A PASSIVE checkpoint that meets the writer updating the WAL index's header gives up with
  // SQLITE_BUSY at once (it never waits on the writer). The next wake-up is `wake_pages`
  // frames away, so a busy checkpoint is tried again soon instead, a bounded number of times.
  constexpr auto busy_pause = std::chrono::milliseconds(10);
  constexpr int max_busy_retries = 100;  // One second of retries, then the next wake-up.
  bool warned = false;
  int busy_retries = 0;
  std::unique_lock lock(mutex_);
  while (true) {
    if (busy_retries > 0) {
      wake_.wait_for(lock, busy_pause, [this] { return stopping_; });
    } else {
      wake_.wait(lock, [this] { return due_ || stopping_; });
    }
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc == SQLITE_BUSY) {
      busy_retries = busy_retries < max_busy_retries ? busy_retries + 1 : 0;
    } else {
      busy_retries = 0;
      if (rc != SQLITE_OK && !warned) {
        spdlog::warn("store: background checkpoint failed: {} (the writer checkpoints itself meanwhile)",
                     sqlite3_errmsg(db_));
        warned = true;
      } else if (rc == SQLITE_OK) {
        warned = false;
      }
    }
    lock.lock();
  }
}

}  // namespace message::store
