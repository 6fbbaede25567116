#include "store/integrity_check.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace message::store {

integrity_check::integrity_check(std::filesystem::path database)
    : database_(std::move(database)), thread_([this] { run(); }) {}

integrity_check::~integrity_check() {
  stopping_.store(true);
  {
    std::lock_guard lock(mutex_);
    if (db_) sqlite3_interrupt(db_);
  }
  wait();
}

void integrity_check::wait() {
  if (thread_.joinable()) thread_.join();
}

std::optional<std::string> integrity_check::problem() const {
  if (!failed_.load(std::memory_order_acquire)) return std::nullopt;
  return problem_;
}

void integrity_check::run() {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database_.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    spdlog::warn("integrity check: cannot open {}: {}", database_.string(),
                 db ? sqlite3_errmsg(db) : "no memory");
    sqlite3_close(db);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    db_ = db;
  }
  sqlite3_busy_timeout(db, 2000);
  sqlite3_stmt* stmt = nullptr;
  std::string verdict;
  int rc = SQLITE_OK;
  if (!stopping_.load()) {
    rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      verdict = text ? reinterpret_cast<const char*>(text) : "";
    }
  }
  const bool corrupt = rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT;
  if (corrupt && verdict.empty()) verdict = sqlite3_errmsg(db);
  if (rc != SQLITE_ROW && !corrupt && !stopping_.load()) {
    spdlog::warn("integrity check of {} did not run: {}", database_.string(), sqlite3_errmsg(db));
  }
  sqlite3_finalize(stmt);
  {
    std::lock_guard lock(mutex_);
    db_ = nullptr;
  }
  sqlite3_close(db);
  if ((rc == SQLITE_ROW && verdict != "ok") || corrupt) {
    problem_ = "the database " + database_.string() + " is corrupt: " + verdict;
    failed_.store(true, std::memory_order_release);
    spdlog::error(
        "{}; every write is refused from now on: stop the server and restore a backup "
        "(message restore FILE)",
        problem_);
  }
}

}  // namespace message::store
