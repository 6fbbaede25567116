#include "store/sqlite_message_store.hpp"
#include "store/integrity_check.hpp"
#include "store/room_epoch.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>

#include "core/identity.hpp"

namespace message::store {

namespace {

// Each commit writes two B-trees, `messages` and its `messages_id` index: every page a commit
// touches is written to the WAL again (4 KiB each), so pages per commit is most of a message's
// cost (bench/FINDINGS.md: 5 B-trees cost 106 us of CPU per single-message commit, 2 cost 81).
// Hence no `ts` index (retention walks each room from its oldest seq), `rooms.last_seq` is
// written when a room is created and before retention deletes (the live value is
// max(last_seq, max(seq))), and `sent_ids` only keeps the ids of messages that retention
// removed while their id must still be remembered.
constexpr const char* schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS rooms(
  room TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS messages(
  room TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  username TEXT NOT NULL,
  body TEXT NOT NULL,
  device TEXT NOT NULL,
  ts INTEGER NOT NULL,
  PRIMARY KEY(room, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sent_ids(
  room TEXT NOT NULL,
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  PRIMARY KEY(room, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sent_ids_ts ON sent_ids(ts);
CREATE INDEX IF NOT EXISTS messages_id ON messages(room, id, ts);
DROP INDEX IF EXISTS messages_ts;
CREATE TABLE IF NOT EXISTS names(
  folded TEXT PRIMARY KEY,
  identity TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS follows(
  identity TEXT NOT NULL,
  room TEXT NOT NULL,
  PRIMARY KEY(identity, room)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS room_epochs(
  room TEXT PRIMARY KEY,
  epoch TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS private_rooms(
  room TEXT PRIMARY KEY,
  secret TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS members(
  room TEXT NOT NULL,
  identity TEXT NOT NULL,
  PRIMARY KEY(room, identity)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reads(
  room TEXT NOT NULL,
  identity TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY(room, identity)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_codes(
  code TEXT PRIMARY KEY,
  identity TEXT NOT NULL,
  expires INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS device_links(
  device TEXT PRIMARY KEY,
  identity TEXT NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

// An id is found among the messages (while younger than the last id cutoff) or, for a message
// that retention removed, in sent_ids.
constexpr const char* find_id_sql =
    "SELECT seq FROM messages INDEXED BY messages_id WHERE room = ?1 AND id = ?2 AND ts >= ?3 "
    "UNION ALL SELECT seq FROM sent_ids WHERE room = ?1 AND id = ?2 LIMIT 1";

/// The schema marker in the database header (PRAGMA application_id): "msg1". Other programs'
/// SQLite files carry their own or none, and are refused rather than adopted.
constexpr std::int32_t application_id = 0x6d736731;
/// Tables and columns by which a database of ours from before the marker is recognised.
constexpr const char* our_tables_sql =
    "SELECT count(*) FROM pragma_table_info('messages') "
    "WHERE name IN ('room', 'seq', 'id', 'username', 'body', 'device', 'ts')";

const std::string& set_application_id_sql() {
  static const std::string sql = fmt::format("PRAGMA application_id = {}", application_id);
  return sql;
}

/// Messages per INSERT when moving many: a third less CPU per row than one at a time; 32 measured
/// 2% better than 16, 64 worse (bench/FINDINGS.md, twelfth pass).
constexpr std::size_t rows_per_insert = 16;

std::string text_column(sqlite3_stmt* s, int col) {
  const auto* p = sqlite3_column_text(s, col);
  const auto n = sqlite3_column_bytes(s, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

/// A prepared statement, reset after each use.
class sqlite_message_store::statement {
 public:
  statement(sqlite_message_store& owner, const char* sql) : owner_(owner) {
    if (sqlite3_prepare_v3(owner.db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
      owner.fail("preparing a statement");
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, std::string_view v) {
    check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
    return *this;
  }
  statement& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  /// Steps once; true while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(stmt_);
    owner_.fail("running a statement");
  }
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  /// Steps once and resets: the first column of the row as text, "" when there is no row.
  std::string first_text() {
    std::string out = step() ? text_column(stmt_, 0) : std::string();
    reset();
    return out;
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) owner_.fail("binding a value");
  }
  sqlite_message_store& owner_;
  sqlite3_stmt* stmt_ = nullptr;
};

sqlite_message_store::sqlite_message_store(const std::filesystem::path& file, durability mode)
    : file_(file), mode_(mode) {
  // SQLITE_OPEN_CREATE makes a new file only where none exists; an existing file that is not
  // a database makes the first statement fail with SQLITE_NOTADB, reported below.
  const int rc = sqlite3_open_v2(file.c_str(), &db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw store_error(fmt::format("cannot open the database {}: {}", file.string(), why));
  }
  sqlite3_extended_result_codes(db_, 1);
  try {
    // Wait a little for a lock held by another program, then fail clearly instead of hanging.
    sqlite3_busy_timeout(db_, 2000);
    // Before anything writes (WAL, the schema): another program's database stays as it was.
    const bool marked = check_ownership();
    exec("PRAGMA journal_mode=WAL");
    exec(mode == durability::power ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=OFF");
    exec("BEGIN IMMEDIATE");
    exec(schema_sql);
    if (!marked) exec(set_application_id_sql().c_str());
    exec("COMMIT");
    checkpointer_ = std::make_unique<sqlite_checkpointer>(file, db_, sqlite_checkpointer::options{});
    // A damaged header or schema fails the statements above; damage deeper in the file is
    // found by quick_check, which reads every page: in the background, so that start-up does
    // not grow with history. Writes are refused once it finds any (refuse_if_damaged).
    integrity_ = std::make_unique<integrity_check>(file);
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

bool sqlite_message_store::check_ownership() {
  std::int64_t id = 0;
  {
    statement q(*this, "PRAGMA application_id");
    if (q.step()) id = sqlite3_column_int64(q.get(), 0);
  }
  if (id == application_id) return true;
  std::vector<std::string> tables;
  {
    statement q(
        *this,
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
    while (q.step()) tables.push_back(text_column(q.get(), 0));
  }
  if (id == 0 && tables.empty()) return false;  // A new file: marked with the schema.
  if (id == 0) {
    // Ours from before the marker: its messages table has our columns.
    statement q(*this, our_tables_sql);
    if (q.step() && sqlite3_column_int64(q.get(), 0) == 7) return false;
  }
  std::string names;
  for (const auto& t : tables) names += (names.empty() ? "" : ", ") + t;
  throw store_error(fmt::format(
      "the database {} belongs to another program (application id {}, tables: {}); it was left as it "
      "was: give this server another --data directory",
      file_.string(), id, names.empty() ? "none" : names));
}

sqlite_message_store::~sqlite_message_store() {
  checkpointer_.reset();  // Before the close, which checkpoints what is left and removes the WAL.
  statements_.clear();
  if (db_) sqlite3_close(db_);
}

void sqlite_message_store::fail(const std::string& what) const {
  const int code = sqlite3_extended_errcode(db_);
  const int primary = code & 0xff;
  std::string hint;
  if (primary == SQLITE_NOTADB)
    hint = " (the file is not an SQLite database: move it away or use another --data)";
  else if (primary == SQLITE_CORRUPT)
    hint = " (the database is corrupt: restore a backup or move it away)";
  else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    hint = " (another program holds a lock on it)";
  else if (primary == SQLITE_FULL)
    hint = " (the disk is full)";
  else if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_PERM)
    hint = " (check the file's permissions)";
  throw store_error(fmt::format("{} failed on {}: {}{}", what, file_.string(), sqlite3_errmsg(db_), hint));
}

void sqlite_message_store::refuse_if_damaged() const {
  if (!integrity_) return;
  if (auto problem = integrity_->problem()) throw store_error(*problem);
}

void sqlite_message_store::wait_for_integrity_check() {
  if (integrity_) integrity_->wait();
}

void sqlite_message_store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    fail(fmt::format("'{}'", std::string_view(sql).substr(0, 40)));
  }
}

sqlite_message_store::statement& sqlite_message_store::prepared(const char* sql) {
  auto& slot = statements_[sql];
  if (!slot) slot = std::make_unique<statement>(*this, sql);
  return *slot;
}

sqlite_message_store::room_state& sqlite_message_store::room(const std::string& name) {
  if (auto it = rooms_.find(name); it != rooms_.end()) return it->second;
  auto& q = prepared(
      "SELECT max(last_seq, coalesce((SELECT seq FROM messages WHERE room = ?1 ORDER BY seq DESC LIMIT 1), "
      "0)) "
      "FROM rooms WHERE room = ?1");
  q.bind(1, name);
  room_state state;
  if (q.step()) {
    state.last_seq = static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 0));
    state.has_row = true;
  }
  q.reset();
  return rooms_.emplace(name, state).first->second;
}

std::uint64_t sqlite_message_store::last_seq(const std::string& name) { return room(name).last_seq; }

std::optional<std::uint64_t> sqlite_message_store::oldest_seq(const std::string& name) {
  auto& q = prepared("SELECT seq FROM messages WHERE room = ?1 ORDER BY seq LIMIT 1");
  q.bind(1, name);
  std::optional<std::uint64_t> out;
  if (q.step()) out = static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 0));
  q.reset();
  return out;
}

std::string sqlite_message_store::room_epoch(const std::string& name) {
  auto& read = prepared("SELECT epoch FROM room_epochs WHERE room = ?1");
  read.bind(1, name);
  std::string epoch;
  if (read.step()) epoch = reinterpret_cast<const char*>(sqlite3_column_text(read.get(), 0));
  read.reset();
  if (!epoch.empty()) return epoch;
  // The first ask: made and kept, in a statement of its own (no append is open on this, the
  // store's one caller).
  epoch = make_room_epoch();
  auto& write = prepared("INSERT OR IGNORE INTO room_epochs(room, epoch) VALUES(?1, ?2)");
  write.bind(1, name);
  write.bind(2, epoch);
  write.step();
  write.reset();
  return epoch;
}

bool sqlite_message_store::commit_never_waits() const {
  return mode_ != durability::power && !checkpointer_->inline_checkpoint_near();
}

std::vector<append_result> sqlite_message_store::append(const std::vector<core::new_message>& batch) {
  return append_after({}, batch);
}

void sqlite_message_store::insert(const std::vector<core::chat_message>& messages) {
  append_after(messages, {});
}

namespace {
/// The insert of `rows_per_insert` messages at once, made once.
const std::string& insert_rows_sql() {
  static const std::string sql = [] {
    std::string s = "INSERT OR IGNORE INTO messages(room, seq, id, username, body, device, ts) VALUES";
    for (std::size_t i = 0; i < rows_per_insert; ++i) s += i ? ",(?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?)";
    return s;
  }();
  return sql;
}
}  // namespace

std::vector<append_result> sqlite_message_store::append_after(const std::vector<core::chat_message>& stored,
                                                              const std::vector<core::new_message>& batch) {
  refuse_if_damaged();
  std::vector<append_result> results;
  results.reserve(batch.size());
  std::unordered_map<std::string, std::uint64_t> next;  // Room -> last seq within this transaction.
  // Prepared like the rest: sqlite3_exec would parse BEGIN and COMMIT on every commit, a few
  // percent of a lone message's CPU (bench/FINDINGS.md, sixth pass).
  prepared("BEGIN IMMEDIATE").run();
  try {
    auto& lookup = prepared(find_id_sql);
    // OR IGNORE: a message moved in before (a journal replayed twice) stays as it is.
    auto& insert_msg = prepared(
        "INSERT OR IGNORE INTO messages(room, seq, id, username, body, device, ts) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7)");
    auto& insert_room = prepared("INSERT OR IGNORE INTO rooms(room, last_seq) VALUES(?1, 0)");
    const auto last_of = [&](const std::string& name) -> std::uint64_t& {
      auto [it, fresh] = next.try_emplace(name, 0);
      if (fresh) {
        const auto& state = room(name);
        it->second = state.last_seq;
        if (!state.has_row) insert_room.bind(1, name).run();
      }
      return it->second;
    };
    // A message's seven columns, bound from parameter `at + 1` on.
    const auto bind_row = [](statement& insert, int at, const auto& m, std::uint64_t seq) {
      insert.bind(at + 1, m.room).bind(at + 2, static_cast<std::int64_t>(seq)).bind(at + 3, m.id);
      insert.bind(at + 4, m.username).bind(at + 5, m.text).bind(at + 6, m.device).bind(at + 7, m.ts);
    };
    const auto insert_row = [&](const auto& m, std::uint64_t seq) {
      bind_row(insert_msg, 0, m, seq);
      insert_msg.run();
    };
    for (const auto& m : stored) {
      auto& last = last_of(m.room);
      last = std::max(last, m.seq);
    }
    // The move (messages already given their seqs) goes in rows_per_insert rows per statement:
    // each statement run has a cost of its own, and one by one the move took 2.2 us of CPU per
    // message, 16 at a time 1.5 (bench/FINDINGS.md, twelfth pass).
    std::size_t next_row = 0;
    if (stored.size() >= rows_per_insert) {
      auto& insert_rows = prepared(insert_rows_sql().c_str());
      for (; next_row + rows_per_insert <= stored.size(); next_row += rows_per_insert) {
        for (std::size_t k = 0; k < rows_per_insert; ++k) {
          const auto& m = stored[next_row + k];
          bind_row(insert_rows, static_cast<int>(k) * 7, m, m.seq);
        }
        insert_rows.run();
      }
    }
    for (; next_row < stored.size(); ++next_row) insert_row(stored[next_row], stored[next_row].seq);
    for (const auto& m : batch) {
      lookup.bind(1, m.room).bind(2, m.id).bind(3, id_cutoff_ms_);
      if (lookup.step()) {
        results.push_back({static_cast<std::uint64_t>(sqlite3_column_int64(lookup.get(), 0)), true});
        lookup.reset();
        continue;
      }
      lookup.reset();
      const auto seq = ++last_of(m.room);
      insert_row(m, seq);
      results.push_back({seq, false});
    }
    prepared("COMMIT").run();
  } catch (...) {
    // Nothing is stored; the cached seqs were not touched (see `next`).
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    for (auto& [name, stmt] : statements_) stmt->reset();
    throw;
  }
  for (const auto& [name, seq] : next) rooms_[name] = {seq, true};
  return results;
}

std::optional<std::uint64_t> sqlite_message_store::find_id(const std::string& room, const std::string& id) {
  auto& q = prepared(find_id_sql);
  q.bind(1, room).bind(2, id).bind(3, id_cutoff_ms_);
  std::optional<std::uint64_t> seq;
  if (q.step()) seq = static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 0));
  q.reset();
  return seq;
}

std::optional<std::string> sqlite_message_store::id_at(const std::string& room, std::uint64_t seq) {
  auto& q = prepared(
      "SELECT id FROM messages WHERE room = ?1 AND seq = ?2 "
      "UNION ALL SELECT id FROM sent_ids WHERE room = ?1 AND seq = ?2 LIMIT 1");
  q.bind(1, room).bind(2, static_cast<std::int64_t>(seq));
  std::optional<std::string> id;
  if (q.step()) id = text_column(q.get(), 0);
  q.reset();
  return id;
}

void sqlite_message_store::for_each_id(const std::function<void(std::string_view, std::string_view)>& visit) {
  auto& q = prepared(
      "SELECT room, id FROM messages INDEXED BY messages_id WHERE ts >= ?1 "
      "UNION ALL SELECT room, id FROM sent_ids");
  q.bind(1, id_cutoff_ms_);
  const auto text = [&](int col) {
    const auto* p = sqlite3_column_text(q.get(), col);
    return std::string_view(p ? reinterpret_cast<const char*>(p) : "",
                            static_cast<std::size_t>(sqlite3_column_bytes(q.get(), col)));
  };
  try {
    while (q.step()) visit(text(0), text(1));
  } catch (...) {
    q.reset();
    throw;
  }
  q.reset();
}

namespace {
core::chat_message row_to_message(sqlite3_stmt* s, const std::string& room) {
  core::chat_message m;
  m.room = room;
  m.seq = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
  m.id = text_column(s, 1);
  m.username = text_column(s, 2);
  m.text = text_column(s, 3);
  m.device = text_column(s, 4);
  m.ts = sqlite3_column_int64(s, 5);
  return m;
}
}  // namespace

std::vector<core::chat_message> sqlite_message_store::read_after(const std::string& room, std::uint64_t after,
                                                                 std::size_t limit) {
  auto& q = prepared(
      "SELECT seq, id, username, body, device, ts FROM messages "
      "WHERE room = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
  q.bind(1, room).bind(2, static_cast<std::int64_t>(after)).bind(3, static_cast<std::int64_t>(limit));
  std::vector<core::chat_message> out;
  while (q.step()) out.push_back(row_to_message(q.get(), room));
  q.reset();
  return out;
}

history_page sqlite_message_store::read_before(const std::string& room, std::optional<std::uint64_t> before,
                                               std::size_t limit) {
  auto& q = prepared(
      "SELECT seq, id, username, body, device, ts FROM messages "
      "WHERE room = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3");
  const auto bound = before ? static_cast<std::int64_t>(*before) : INT64_MAX;
  // One row more than asked tells whether older messages exist.
  q.bind(1, room).bind(2, bound).bind(3, static_cast<std::int64_t>(limit) + 1);
  history_page page;
  while (q.step()) page.messages.push_back(row_to_message(q.get(), room));
  q.reset();
  if (page.messages.size() > limit) {
    page.messages.pop_back();
    page.more = true;
  }
  std::reverse(page.messages.begin(), page.messages.end());
  return page;
}

std::vector<std::string> sqlite_message_store::room_names() {
  auto& q = prepared("SELECT room FROM rooms ORDER BY room");
  std::vector<std::string> out;
  while (q.step()) out.push_back(text_column(q.get(), 0));
  q.reset();
  return out;
}

std::vector<room_info> sqlite_message_store::rooms() {
  std::vector<room_info> out;
  for (auto& name : room_names()) {
    const auto last = last_seq(name);
    out.push_back({std::move(name), last});
  }
  return out;
}

std::uint64_t sqlite_message_store::retention_cut(const std::string& name, std::uint64_t keep_per_room,
                                                  std::int64_t older_than_ms, std::size_t max_rows) {
  const auto last = last_seq(name);
  std::uint64_t cut = keep_per_room > 0 && last > keep_per_room ? last - keep_per_room : 0;
  if (older_than_ms > 0) {
    // Oldest first, up to the first message young enough to stay: a room's seqs follow time.
    auto& q = prepared("SELECT seq, ts FROM messages WHERE room = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
    q.bind(1, name).bind(2, static_cast<std::int64_t>(cut)).bind(3, static_cast<std::int64_t>(max_rows));
    while (q.step() && sqlite3_column_int64(q.get(), 1) < older_than_ms)
      cut = static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 0));
    q.reset();
  }
  return cut;
}

std::size_t sqlite_message_store::prune(std::uint64_t keep_per_room, std::int64_t older_than_ms,
                                        std::int64_t id_cutoff_ms, std::size_t max_rows) {
  refuse_if_damaged();
  const auto names = room_names();
  std::size_t removed = 0;
  prepared("BEGIN IMMEDIATE").run();
  try {
    auto& keep_last = prepared("UPDATE rooms SET last_seq = ?2 WHERE room = ?1 AND last_seq < ?2");
    auto& keep_ids = prepared(
        "INSERT OR IGNORE INTO sent_ids(room, id, seq, ts) SELECT room, id, seq, ts FROM messages "
        "WHERE room = ?1 AND seq <= ?2 AND ts >= ?3 ORDER BY seq LIMIT ?4");
    auto& drop = prepared(
        "DELETE FROM messages WHERE room = ?1 AND seq IN "
        "(SELECT seq FROM messages WHERE room = ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3)");
    for (const auto& name : names) {
      if (removed >= max_rows) break;
      const auto budget = static_cast<std::int64_t>(max_rows - removed);
      const auto cut = static_cast<std::int64_t>(retention_cut(name, keep_per_room, older_than_ms, max_rows));
      if (cut == 0) continue;
      // The room's seqs must go on from last_seq even once none of its messages is left.
      keep_last.bind(1, name).bind(2, static_cast<std::int64_t>(last_seq(name))).run();
      keep_ids.bind(1, name).bind(2, cut).bind(3, id_cutoff_ms).bind(4, budget).run();
      drop.bind(1, name).bind(2, cut).bind(3, budget).run();
      removed += static_cast<std::size_t>(sqlite3_changes(db_));
    }
    auto& ids = prepared(
        "DELETE FROM sent_ids WHERE (room, id) IN (SELECT room, id FROM sent_ids WHERE ts < ?1 LIMIT ?2)");
    ids.bind(1, id_cutoff_ms).bind(2, static_cast<std::int64_t>(max_rows)).run();
    removed += static_cast<std::size_t>(sqlite3_changes(db_));
    prepared("COMMIT").run();
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    for (auto& [name, stmt] : statements_) stmt->reset();
    throw;
  }
  id_cutoff_ms_ = std::max(id_cutoff_ms_, id_cutoff_ms);
  return removed;
}

// --- identity_directory: one row per identity that owns a name ------------------------------

name_claim sqlite_message_store::claim_name(const std::string& identity, const std::string& name) {
  const std::string folded = core::fold_name(name);
  name_claim out;
  prepared("BEGIN IMMEDIATE").run();
  try {
    out.owner = prepared("SELECT identity FROM names WHERE folded = ?1").bind(1, folded).first_text();
    if (!out.owner.empty() && out.owner != identity) {
      prepared("COMMIT").run();
      return out;
    }
    out.owner.clear();
    out.previous = prepared("SELECT name FROM names WHERE identity = ?1").bind(1, identity).first_text();
    prepared("DELETE FROM names WHERE identity = ?1").bind(1, identity).run();
    prepared("INSERT INTO names(folded, identity, name) VALUES(?1, ?2, ?3)")
        .bind(1, folded)
        .bind(2, identity)
        .bind(3, name)
        .run();
    prepared("COMMIT").run();
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    for (auto& [sql, stmt] : statements_) stmt->reset();
    throw;
  }
  out.granted = true;
  return out;
}

std::string sqlite_message_store::release_name(const std::string& identity) {
  auto& q = prepared("DELETE FROM names WHERE identity = ?1 RETURNING name");
  q.bind(1, identity);
  std::string name;
  if (q.step()) name = text_column(q.get(), 0);
  q.run();
  return name;
}

std::string sqlite_message_store::name_owner(const std::string& name) {
  auto& q = prepared("SELECT identity FROM names WHERE folded = ?1");
  return q.bind(1, core::fold_name(name)).first_text();
}

std::unordered_map<std::string, std::string> sqlite_message_store::names_of(
    const std::vector<std::string>& identities) {
  std::unordered_map<std::string, std::string> out;
  auto& q = prepared("SELECT name FROM names WHERE identity = ?1");
  for (const auto& id : identities) {
    if (out.count(id)) continue;
    q.bind(1, id);
    if (q.step()) out.emplace(id, text_column(q.get(), 0));
    q.reset();
  }
  return out;
}

// --- identity_directory: follows, private rooms and their members ---------------------------

void sqlite_message_store::set_following(const std::string& identity, const std::string& room,
                                         bool following) {
  auto& q = following ? prepared("INSERT OR IGNORE INTO follows(identity, room) VALUES(?1, ?2)")
                      : prepared("DELETE FROM follows WHERE identity = ?1 AND room = ?2");
  q.bind(1, identity).bind(2, room).run();
}

std::vector<std::string> sqlite_message_store::followed(const std::string& identity) {
  auto& q = prepared("SELECT room FROM follows WHERE identity = ?1 ORDER BY room");
  q.bind(1, identity);
  std::vector<std::string> out;
  while (q.step()) out.push_back(text_column(q.get(), 0));
  q.reset();
  return out;
}

bool sqlite_message_store::create_private_room(const std::string& room, const std::string& creator,
                                               const std::string& secret) {
  prepared("BEGIN IMMEDIATE").run();
  try {
    prepared("INSERT OR IGNORE INTO private_rooms(room, secret) VALUES(?1, ?2)")
        .bind(1, room)
        .bind(2, secret)
        .run();
    const bool made = sqlite3_changes(db_) > 0;
    if (made)
      prepared("INSERT OR IGNORE INTO members(room, identity) VALUES(?1, ?2)")
          .bind(1, room)
          .bind(2, creator)
          .run();
    prepared("COMMIT").run();
    return made;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    for (auto& [sql, stmt] : statements_) stmt->reset();
    throw;
  }
}

void sqlite_message_store::add_member(const std::string& room, const std::string& identity) {
  prepared("INSERT OR IGNORE INTO members(room, identity) SELECT room, ?2 FROM private_rooms WHERE room = ?1")
      .bind(1, room)
      .bind(2, identity)
      .run();
}

room_access sqlite_message_store::access(const std::string& room, const std::string& identity) {
  auto& q = prepared(
      "SELECT EXISTS(SELECT 1 FROM members WHERE room = ?1 AND identity = ?2) FROM private_rooms WHERE room "
      "= ?1");
  q.bind(1, room).bind(2, identity);
  room_access out;
  if (q.step()) out = {true, sqlite3_column_int64(q.get(), 0) != 0};
  q.reset();
  return out;
}

std::string sqlite_message_store::room_secret(const std::string& room) {
  auto& q = prepared("SELECT secret FROM private_rooms WHERE room = ?1");
  return q.bind(1, room).first_text();
}

std::vector<std::string> sqlite_message_store::hidden_rooms(const std::string& identity) {
  auto& q = prepared(
      "SELECT room FROM private_rooms WHERE room NOT IN (SELECT room FROM members WHERE identity = ?1) "
      "ORDER BY room");
  q.bind(1, identity);
  std::vector<std::string> out;
  while (q.step()) out.push_back(text_column(q.get(), 0));
  q.reset();
  return out;
}

// --- identity_directory: read positions ------------------------------------------------------

bool sqlite_message_store::raise_read(const std::string& identity, const std::string& room,
                                      std::uint64_t seq) {
  prepared(
      "INSERT INTO reads(room, identity, seq) VALUES(?1, ?2, ?3) ON CONFLICT(room, identity) DO UPDATE SET "
      "seq "
      "= excluded.seq WHERE excluded.seq > reads.seq")
      .bind(1, room)
      .bind(2, identity)
      .bind(3, static_cast<std::int64_t>(seq))
      .run();
  return sqlite3_changes(db_) > 0;
}

std::uint64_t sqlite_message_store::read_position(const std::string& identity, const std::string& room) {
  auto& q = prepared("SELECT seq FROM reads WHERE room = ?1 AND identity = ?2");
  q.bind(1, room).bind(2, identity);
  std::uint64_t out = 0;
  if (q.step()) out = static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 0));
  q.reset();
  return out;
}

std::vector<std::pair<std::string, std::uint64_t>> sqlite_message_store::readers(const std::string& room) {
  auto& q = prepared("SELECT identity, seq FROM reads WHERE room = ?1 ORDER BY identity");
  q.bind(1, room);
  std::vector<std::pair<std::string, std::uint64_t>> out;
  while (q.step())
    out.emplace_back(text_column(q.get(), 0), static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 1)));
  q.reset();
  return out;
}

// --- identity_directory: link codes and linked devices ---------------------------------------

void sqlite_message_store::put_link_code(const std::string& code, const std::string& identity,
                                         std::int64_t expires_ms) {
  // Codes long expired go when a new one comes, so the table stays as small as the codes in use.
  prepared("DELETE FROM link_codes WHERE expires < ?1").bind(1, expires_ms - 3600000).run();
  prepared("INSERT OR REPLACE INTO link_codes(code, identity, expires) VALUES(?1, ?2, ?3)")
      .bind(1, code)
      .bind(2, identity)
      .bind(3, expires_ms)
      .run();
}

std::string sqlite_message_store::take_link_code(const std::string& code, std::int64_t now_ms) {
  auto& q = prepared("DELETE FROM link_codes WHERE code = ?1 RETURNING identity, expires");
  q.bind(1, code);
  std::string identity;
  if (q.step() && sqlite3_column_int64(q.get(), 1) > now_ms) identity = text_column(q.get(), 0);
  q.run();
  return identity;
}

void sqlite_message_store::link_device(const std::string& device, const std::string& identity) {
  prepared("INSERT OR REPLACE INTO device_links(device, identity) VALUES(?1, ?2)")
      .bind(1, device)
      .bind(2, identity)
      .run();
}

std::string sqlite_message_store::identity_of_device(const std::string& device) {
  auto linked = prepared("SELECT identity FROM device_links WHERE device = ?1").bind(1, device).first_text();
  return linked.empty() ? device : linked;
}

}  // namespace message::store
