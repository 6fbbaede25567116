#include "store/id_filter_builder.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <string_view>

namespace message::store {

id_filter_builder::id_filter_builder(std::filesystem::path database, std::size_t capacity,
                                     std::function<void()> before_scan)
    : database_(std::move(database)),
      before_scan_(std::move(before_scan)),
      thread_([this, capacity] { run(capacity); }) {}

id_filter_builder::~id_filter_builder() {
  stop_.store(true, std::memory_order_relaxed);
  thread_.join();
}

std::optional<id_filter> id_filter_builder::take() {
  if (!done()) return std::nullopt;
  return std::move(result_);
}

void id_filter_builder::run(std::size_t capacity) {
  if (before_scan_) before_scan_();
  for (;;) {
    id_filter fresh(capacity);
    if (!scan(fresh)) break;
    if (!fresh.full()) {
      result_ = std::move(fresh);
      break;
    }
    capacity = fresh.added() * 2;
  }
  done_.store(true, std::memory_order_release);
}

bool id_filter_builder::scan(id_filter& into) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database_.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    spdlog::warn("id filter: cannot open {}: {}", database_.string(),
                 db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return false;
  }
  sqlite3_busy_timeout(db, 2000);
  // The covering index of (room, id): a scan of it reads no message bodies.
  sqlite3_stmt* q = nullptr;
  int rc = sqlite3_prepare_v2(
      db, "SELECT room, id FROM messages INDEXED BY messages_id UNION ALL SELECT room, id FROM sent_ids", -1,
      &q, nullptr);
  const auto text = [q](int col) {
    const auto* p = sqlite3_column_text(q, col);
    return std::string_view(p ? reinterpret_cast<const char*>(p) : "",
                            static_cast<std::size_t>(sqlite3_column_bytes(q, col)));
  };
  if (rc == SQLITE_OK) {
    while (!stop_.load(std::memory_order_relaxed) && (rc = sqlite3_step(q)) == SQLITE_ROW)
      into.add(text(0), text(1));
  }
  const bool ok = rc == SQLITE_DONE;
  if (!ok && !stop_.load(std::memory_order_relaxed))
    spdlog::warn("id filter: scanning {} failed: {}", database_.string(), sqlite3_errmsg(db));
  sqlite3_finalize(q);
  sqlite3_close(db);
  return ok;
}

}  // namespace message::store
