#include "app/sqlite_backup.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace message::app {

namespace {

/// One connection, closed on every way out.
class connection {
 public:
  connection(const std::filesystem::path& file, int flags) {
    if (sqlite3_open_v2(file.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error(fmt::format("cannot open {}: {}", file.string(), why));
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~connection() { sqlite3_close(db_); }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

void backup_database(const std::filesystem::path& from, const std::filesystem::path& to) {
  auto tmp = to;
  tmp += ".tmp";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  {
    connection source(from, SQLITE_OPEN_READONLY);
    connection target(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3_backup* b = sqlite3_backup_init(target.get(), "main", source.get(), "main");
    if (!b)
      throw std::runtime_error(
          fmt::format("cannot back up into {}: {}", tmp.string(), sqlite3_errmsg(target.get())));
    // All pages in one step: one read transaction, so the copy is one snapshot of the source.
    const int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
      std::filesystem::remove(tmp, ec);
      throw std::runtime_error(
          fmt::format("backing up {} into {} failed: {}", from.string(), tmp.string(), sqlite3_errstr(rc)));
    }
    // A backup is one file: no WAL beside it.
    sqlite3_exec(target.get(), "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  }
  std::filesystem::rename(tmp, to, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot write {}: {}", to.string(), ec.message()));
}

void forget_room_epochs(const std::filesystem::path& db) {
  connection target(db, SQLITE_OPEN_READWRITE);
  // The server's schema makes the table again, empty, when it opens the database.
  char* err = nullptr;
  if (sqlite3_exec(target.get(), "DROP TABLE IF EXISTS room_epochs", nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error(fmt::format("cannot give the rooms of {} new epochs: {}", db.string(), why));
  }
}

void check_restorable(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file)) throw std::runtime_error(file.string() + " is not a file");
  connection db(file, SQLITE_OPEN_READONLY);
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db.get(),
                         "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                         "('messages', 'rooms', 'sent_ids')",
                         -1, &q, nullptr) != SQLITE_OK) {
    throw std::runtime_error(
        fmt::format("{} is not a message database: {}", file.string(), sqlite3_errmsg(db.get())));
  }
  const int tables = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
  sqlite3_finalize(q);
  if (tables != 3)
    throw std::runtime_error(file.string() +
                             " is not a message database (its tables are not messages, rooms and sent_ids)");
  sqlite3_prepare_v2(db.get(), "PRAGMA user_version", -1, &q, nullptr);
  const int version = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
  sqlite3_finalize(q);
  if (version > newest_schema_version)
    throw std::runtime_error(fmt::format(
        "{} has schema version {}, newer than this message knows ({}): restore it with a newer message",
        file.string(), version, newest_schema_version));
}

}  // namespace message::app
