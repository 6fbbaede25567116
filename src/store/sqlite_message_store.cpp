#include "store/sqlite_message_store.hpp"
#include "store/conversation_fold.hpp"
#include "store/integrity_check.hpp"
#include "store/room_epoch.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>

#include "common/identity.hpp"
#include "common/limits.hpp"

namespace message::store {

namespace {

// Each commit writes two B-trees, `messages` and its `messages_id` index: every page a commit
// touches is written to the WAL again (4 KiB each), so pages per commit is most of a message's
// cost.
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
-- Who reacts to which message now, in the order of reacting (`at`: the react event's seq), so
-- a history page reads its range without a sort. The primary key's columns come first:
-- SQLite 3.40's quick_check reports NOT NULL columns of a WITHOUT ROWID table as NULL when they
-- are declared before primary key columns that follow them.
CREATE TABLE IF NOT EXISTS reactions(
  room TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  emoji TEXT NOT NULL,
  identity TEXT NOT NULL,
  username TEXT NOT NULL,
  PRIMARY KEY(room, seq, at)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS reactions_set ON reactions(room, seq, emoji, identity);
)sql";

// The conversation's columns (docs/protocol.md, "Conversation"), added by ALTER TABLE to a
// database made before them, so that it opens with every message it holds. `mentions` is the
// identity ids joined by spaces.
constexpr const char* conversation_columns[][2] = {
    {"kind", "ALTER TABLE messages ADD COLUMN kind INTEGER NOT NULL DEFAULT 0"},
    {"target", "ALTER TABLE messages ADD COLUMN target INTEGER NOT NULL DEFAULT 0"},
    {"reply_to", "ALTER TABLE messages ADD COLUMN reply_to INTEGER NOT NULL DEFAULT 0"},
    {"mentions", "ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT ''"},
    {"edited", "ALTER TABLE messages ADD COLUMN edited INTEGER NOT NULL DEFAULT 0"},
    {"deleted", "ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0"},
    // A shared file (docs/protocol.md, "Files"): core::file_ref_text, '' for none. Set after the
    // row's insert, so the batched insert of plain messages binds no more columns than before.
    {"file", "ALTER TABLE messages ADD COLUMN file TEXT NOT NULL DEFAULT ''"},
};

// Change events by target, so that a delete finds the edits it scrubs. Partial: a plain
// message, most of every commit, writes no entry into it. History reads the primary key
// backwards and skips the events (kind != 0) in the messages' range: a message's changes are
// folded into its row and the `reactions` table at append, never replayed by a read.
constexpr const char* events_index_sql =
    "CREATE INDEX IF NOT EXISTS messages_events ON messages(room, target) WHERE kind != 0";

// Messages by the blob they share (docs/protocol.md, "Files"): who may download a blob is
// whoever may read a room holding one. An index on the expression rather than a column or a
// table of its own: it needs no migration, and SQLite keeps it in the append's transaction.
// Partial: plain messages (file = '') write no entry. A delete sets file to '' and retention
// deletes the row, so only live messages are ever found.
constexpr const char* files_index_sql =
    "CREATE INDEX IF NOT EXISTS messages_files ON messages(json_extract(file, '$.sha256'), room, seq) "
    "WHERE file != ''";

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

/// Messages per INSERT when moving many: each statement run has a cost of its own, so a row
/// costs less in a multi-row INSERT; past a few dozen rows the gain stops.
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
    // A delete's text must not stay readable in freed pages of the file (docs/security.md).
    exec("PRAGMA secure_delete=ON");
    exec("BEGIN IMMEDIATE");
    exec(schema_sql);
    add_conversation_columns();
    exec(events_index_sql);
    exec(files_index_sql);
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

void sqlite_message_store::add_conversation_columns() {
  std::vector<std::string> have;
  {
    statement q(*this, "SELECT name FROM pragma_table_info('messages')");
    while (q.step()) have.push_back(text_column(q.get(), 0));
  }
  for (const auto& [column, sql] : conversation_columns)
    if (std::find(have.begin(), have.end(), column) == have.end()) exec(sql);
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

void sqlite_message_store::do_deferred_work() {
  if (!wal_holds_deleted_) return;
  // TRUNCATE: every frame is copied into the database, whose pages hold the text zeroed, and
  // the WAL is cut to nothing. A reader in the way (busy = 1) leaves it for the next time.
  auto& q = prepared("PRAGMA wal_checkpoint(TRUNCATE)");
  const bool done = q.step() && sqlite3_column_int64(q.get(), 0) == 0;
  q.reset();
  if (done) wal_holds_deleted_ = false;
}

bool sqlite_message_store::commit_never_waits() const {
  return mode_ != durability::power && !checkpointer_->inline_checkpoint_near();
}

std::vector<append_result> sqlite_message_store::commit_group(const std::vector<core::new_message>& batch) {
  return append_after({}, batch);
}

void sqlite_message_store::insert(const std::vector<core::chat_message>& messages) {
  append_after(messages, {});
}

namespace {
/// A row's columns in `messages`, in the order the inserts bind them.
constexpr int row_columns = 11;
constexpr const char* row_columns_sql =
    "INSERT OR IGNORE INTO messages(room, seq, id, username, body, device, ts, kind, target, reply_to, "
    "mentions) VALUES";

/// The insert of `rows_per_insert` messages at once, made once.
const std::string& insert_rows_sql() {
  static const std::string sql = [] {
    std::string s = row_columns_sql;
    for (std::size_t i = 0; i < rows_per_insert; ++i)
      s += i ? ",(?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?)";
    return s;
  }();
  return sql;
}

std::string join_mentions(const std::vector<std::string>& mentions) {
  std::string out;
  for (const auto& m : mentions) {
    if (!out.empty()) out += ' ';
    out += m;
  }
  return out;
}

std::vector<std::string> split_mentions(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const auto space = joined.find(' ');
    out.emplace_back(joined.substr(0, space));
    joined = space == std::string_view::npos ? std::string_view() : joined.substr(space + 1);
  }
  return out;
}
}  // namespace

std::string sqlite_message_store::fold_change(const std::string& room, std::uint64_t seq,
                                              core::event_kind kind, std::uint64_t target,
                                              const std::string& text,
                                              const std::vector<std::string>& mentions, std::int64_t ts,
                                              const std::string& device, const std::string& username) {
  using core::event_kind;
  auto& look = prepared("SELECT kind, deleted FROM messages WHERE room = ?1 AND seq = ?2");
  look.bind(1, room).bind(2, static_cast<std::int64_t>(target));
  bool message = false;
  bool deleted = false;
  if (look.step()) {
    message = sqlite3_column_int64(look.get(), 0) == 0;
    deleted = sqlite3_column_int64(look.get(), 1) != 0;
  }
  look.reset();
  const bool live = message && !deleted;
  const auto t = static_cast<std::int64_t>(target);
  switch (kind) {
    case event_kind::message:
      break;
    case event_kind::edit: {
      if (message && deleted) return {};
      if (!live) break;
      const auto joined = join_mentions(mentions);
      prepared("UPDATE messages SET body = ?3, mentions = ?4, edited = ?5 WHERE room = ?1 AND seq = ?2")
          .bind(1, room)
          .bind(2, t)
          .bind(3, text)
          .bind(4, joined)
          .bind(5, ts)
          .run();
      break;
    }
    case event_kind::remove:
      if (!live) break;
      // The message and every edit of it lose their text in this transaction; secure_delete
      // zeroes the freed bytes of their pages, and the deferred work empties the WAL.
      wal_holds_deleted_ = true;
      prepared(
          "UPDATE messages SET body = '', mentions = '', file = '', deleted = 1 WHERE room = ?1 AND seq = ?2")
          .bind(1, room)
          .bind(2, t)
          .run();
      prepared(
          "UPDATE messages SET body = '', mentions = '' WHERE room = ?1 AND target = ?2 AND kind != 0 AND "
          "kind = 1")
          .bind(1, room)
          .bind(2, t)
          .run();
      prepared("DELETE FROM reactions WHERE room = ?1 AND seq = ?2").bind(1, room).bind(2, t).run();
      break;
    case event_kind::react:
      if (!live) break;
      prepared(
          "INSERT OR IGNORE INTO reactions(room, seq, emoji, identity, username, at) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6)")
          .bind(1, room)
          .bind(2, t)
          .bind(3, text)
          .bind(4, device)
          .bind(5, username)
          .bind(6, static_cast<std::int64_t>(seq))
          .run();
      break;
    case event_kind::unreact:
      if (!live) break;
      prepared("DELETE FROM reactions WHERE room = ?1 AND seq = ?2 AND emoji = ?3 AND identity = ?4")
          .bind(1, room)
          .bind(2, t)
          .bind(3, text)
          .bind(4, device)
          .run();
      break;
  }
  return text;
}

std::vector<append_result> sqlite_message_store::append_after(const std::vector<core::chat_message>& stored,
                                                              const std::vector<core::new_message>& batch) {
  refuse_if_damaged();
  std::vector<append_result> results;
  results.reserve(batch.size());
  std::unordered_map<std::string, std::uint64_t> next;  // Room -> last seq within this transaction.
  // Prepared like the rest: sqlite3_exec would parse BEGIN and COMMIT on every commit, which
  // shows in a lone message's CPU.
  prepared("BEGIN IMMEDIATE").run();
  try {
    auto& lookup = prepared(find_id_sql);
    // OR IGNORE: a message moved in before (a journal replayed twice) stays as it is.
    auto& insert_msg = prepared(
        "INSERT OR IGNORE INTO messages(room, seq, id, username, body, device, ts, kind, target, reply_to, "
        "mentions) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
    auto& insert_room = prepared("INSERT OR IGNORE INTO rooms(room, last_seq) VALUES(?1, 0)");
    auto& exists = prepared("SELECT 1 FROM messages WHERE room = ?1 AND seq = ?2");
    const auto last_of = [&](const std::string& name) -> std::uint64_t& {
      auto [it, fresh] = next.try_emplace(name, 0);
      if (fresh) {
        const auto& state = room(name);
        it->second = state.last_seq;
        if (!state.has_row) insert_room.bind(1, name).run();
      }
      return it->second;
    };
    // The mentions joined, per row of one statement: bound as text that must outlive its run.
    std::vector<std::string> joined(rows_per_insert);
    // A row's columns, bound from parameter `at + 1` on, with `body` as its text.
    const auto bind_row = [](statement& insert, int at, const auto& m, std::uint64_t seq,
                             const std::string& body, const std::string& mentions) {
      insert.bind(at + 1, m.room).bind(at + 2, static_cast<std::int64_t>(seq)).bind(at + 3, m.id);
      insert.bind(at + 4, m.username).bind(at + 5, body).bind(at + 6, m.device).bind(at + 7, m.ts);
      insert.bind(at + 8, static_cast<std::int64_t>(m.kind))
          .bind(at + 9, static_cast<std::int64_t>(m.target));
      insert.bind(at + 10, static_cast<std::int64_t>(m.reply_to)).bind(at + 11, mentions);
    };
    // One row, a change folded into its target first (whose row is in by then: a lower seq).
    const auto insert_row = [&](const auto& m, std::uint64_t seq, bool fold) {
      std::string body = m.text;
      if (fold && is_change(m.kind))
        body = fold_change(m.room, seq, m.kind, m.target, m.text, m.mentions, m.ts, m.device, m.username);
      // An edit stored scrubbed (its target is deleted) keeps no mentions either.
      joined[0] = body == m.text ? join_mentions(m.mentions) : std::string();
      bind_row(insert_msg, 0, m, seq, body, joined[0]);
      insert_msg.run();
      if (m.file)
        prepared("UPDATE messages SET file = ?3 WHERE room = ?1 AND seq = ?2")
            .bind(1, m.room)
            .bind(2, static_cast<std::int64_t>(seq))
            .bind(3, core::file_ref_text(*m.file))
            .run();
    };
    for (const auto& m : stored) {
      auto& last = last_of(m.room);
      last = std::max(last, m.seq);
    }
    // The move (messages already given their seqs) goes in rows_per_insert rows per statement:
    // each statement run has a cost of its own, which a multi-row INSERT shares. A change (or a message with
    // a file) goes alone, after the rows before it, and folds only when it is new (a journal replayed twice
    // folds once).
    std::size_t next_row = 0;
    while (next_row < stored.size()) {
      std::size_t run = 0;
      while (run < rows_per_insert && next_row + run < stored.size() &&
             !is_change(stored[next_row + run].kind) && !stored[next_row + run].file)
        ++run;
      if (run == rows_per_insert) {
        auto& insert_rows = prepared(insert_rows_sql().c_str());
        for (std::size_t k = 0; k < rows_per_insert; ++k) {
          const auto& m = stored[next_row + k];
          joined[k] = join_mentions(m.mentions);
          bind_row(insert_rows, static_cast<int>(k) * row_columns, m, m.seq, m.text, joined[k]);
        }
        insert_rows.run();
        next_row += rows_per_insert;
        continue;
      }
      for (std::size_t k = 0; k < run; ++k) insert_row(stored[next_row + k], stored[next_row + k].seq, false);
      next_row += run;
      if (next_row == stored.size()) break;
      const auto& change = stored[next_row++];
      exists.bind(1, change.room).bind(2, static_cast<std::int64_t>(change.seq));
      const bool there = exists.step();
      exists.reset();
      if (!there) insert_row(change, change.seq, true);
    }
    for (const auto& m : batch) {
      lookup.bind(1, m.room).bind(2, m.id).bind(3, id_cutoff_ms_);
      if (lookup.step()) {
        results.push_back({static_cast<std::uint64_t>(sqlite3_column_int64(lookup.get(), 0)), true});
        lookup.reset();
        continue;
      }
      lookup.reset();
      const auto seq = ++last_of(m.room);
      insert_row(m, seq, true);
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
/// The columns every read selects: the row, then its reply's target (NULL when it has none).
#define MESSAGE_ROW_SQL                                                                                    \
  "SELECT m.seq, m.id, m.username, m.body, m.device, m.ts, m.kind, m.target, m.reply_to, m.mentions, "     \
  "m.edited, m.deleted, t.seq, t.username, t.body, t.device, t.deleted, m.file FROM messages m LEFT JOIN " \
  "messages t ON m.reply_to != 0 AND t.room = m.room AND t.seq = m.reply_to AND t.kind = 0 "

core::chat_message row_to_message(sqlite3_stmt* s, const std::string& room) {
  core::chat_message m;
  m.room = room;
  m.seq = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
  m.id = text_column(s, 1);
  m.username = text_column(s, 2);
  m.text = text_column(s, 3);
  m.device = text_column(s, 4);
  m.ts = sqlite3_column_int64(s, 5);
  m.kind = static_cast<core::event_kind>(sqlite3_column_int64(s, 6));
  m.target = static_cast<std::uint64_t>(sqlite3_column_int64(s, 7));
  m.reply_to = static_cast<std::uint64_t>(sqlite3_column_int64(s, 8));
  m.mentions = split_mentions(text_column(s, 9));
  m.edited = sqlite3_column_int64(s, 10);
  m.deleted = sqlite3_column_int64(s, 11) != 0;
  if (sqlite3_column_type(s, 12) != SQLITE_NULL) {
    core::chat_message target;
    target.seq = static_cast<std::uint64_t>(sqlite3_column_int64(s, 12));
    target.username = text_column(s, 13);
    target.text = text_column(s, 14);
    target.device = text_column(s, 15);
    target.deleted = sqlite3_column_int64(s, 16) != 0;
    m.reply = quote_of(target);
  }
  if (const auto file = text_column(s, 17); !file.empty()) m.file = core::parse_file_ref(file);
  return m;
}
}  // namespace

std::vector<core::chat_message> sqlite_message_store::read_after(const std::string& room, std::uint64_t after,
                                                                 std::size_t limit) {
  auto& q = prepared(MESSAGE_ROW_SQL "WHERE m.room = ?1 AND m.seq > ?2 ORDER BY m.seq LIMIT ?3");
  q.bind(1, room).bind(2, static_cast<std::int64_t>(after)).bind(3, static_cast<std::int64_t>(limit));
  std::vector<core::chat_message> out;
  while (q.step()) out.push_back(row_to_message(q.get(), room));
  q.reset();
  return out;
}

void sqlite_message_store::add_reactions(const std::string& room, std::vector<core::chat_message>& messages,
                                         const std::string& viewer) {
  if (messages.empty()) return;
  // One range read for the whole page, in the primary key's order (message, then order of
  // reacting): a message's reactions are its rows in `reactions`, never the events that made
  // them. Summed up as they stream by, so a popular message copies only the few names shown.
  auto& q = prepared(
      "SELECT seq, emoji, identity, username FROM reactions WHERE room = ?1 AND seq >= ?2 AND seq <= ?3 "
      "ORDER BY seq, at");
  q.bind(1, room)
      .bind(2, static_cast<std::int64_t>(messages.front().seq))
      .bind(3, static_cast<std::int64_t>(messages.back().seq));
  const auto names = core::limits{}.reaction_names;
  const auto view = [&](int col) {
    const auto* p = sqlite3_column_text(q.get(), col);
    return std::string_view(p ? reinterpret_cast<const char*>(p) : "",
                            static_cast<std::size_t>(sqlite3_column_bytes(q.get(), col)));
  };
  auto m = messages.begin();
  try {
    while (q.step()) {
      const auto seq = static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 0));
      while (m != messages.end() && m->seq < seq) ++m;
      if (m == messages.end()) break;
      if (m->seq != seq) continue;  // An event's seq (never reacted to) or a gap.
      const auto emoji = view(1);
      auto it = std::find_if(m->reactions.begin(), m->reactions.end(),
                             [&](const core::reaction_summary& r) { return r.emoji == emoji; });
      if (it == m->reactions.end()) {
        m->reactions.push_back({std::string(emoji), 0, {}, false});
        it = m->reactions.end() - 1;
      }
      ++it->count;
      const auto identity = view(2);
      if (it->users.size() < names) it->users.push_back({std::string(identity), std::string(view(3))});
      if (!viewer.empty() && identity == viewer) it->mine = true;
    }
  } catch (...) {
    q.reset();
    throw;
  }
  q.reset();
}

history_page sqlite_message_store::read_before(const std::string& room, std::optional<std::uint64_t> before,
                                               std::size_t limit, const std::string& viewer) {
  auto& q = prepared(MESSAGE_ROW_SQL
                     "WHERE m.room = ?1 AND m.seq < ?2 AND m.kind = 0 ORDER BY m.seq DESC LIMIT ?3");
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
  add_reactions(room, page.messages, viewer);
  return page;
}

std::vector<core::chat_message> sqlite_message_store::read_messages_after(const std::string& room,
                                                                          std::uint64_t after,
                                                                          std::size_t limit,
                                                                          const std::string& viewer) {
  auto& q =
      prepared(MESSAGE_ROW_SQL "WHERE m.room = ?1 AND m.seq > ?2 AND m.kind = 0 ORDER BY m.seq LIMIT ?3");
  q.bind(1, room).bind(2, static_cast<std::int64_t>(after)).bind(3, static_cast<std::int64_t>(limit));
  std::vector<core::chat_message> out;
  while (q.step()) out.push_back(row_to_message(q.get(), room));
  q.reset();
  add_reactions(room, out, viewer);
  return out;
}

std::optional<core::chat_message> sqlite_message_store::find(const std::string& room, std::uint64_t seq) {
  auto& q = prepared(MESSAGE_ROW_SQL "WHERE m.room = ?1 AND m.seq = ?2");
  q.bind(1, room).bind(2, static_cast<std::int64_t>(seq));
  std::optional<core::chat_message> out;
  if (q.step()) out = row_to_message(q.get(), room);
  q.reset();
  return out;
}

std::vector<core::reaction_summary> sqlite_message_store::reactions(const std::string& room,
                                                                    std::uint64_t seq) {
  auto& q =
      prepared("SELECT emoji, identity, username FROM reactions WHERE room = ?1 AND seq = ?2 ORDER BY at");
  q.bind(1, room).bind(2, static_cast<std::int64_t>(seq));
  std::vector<reaction_row> rows;
  while (q.step())
    rows.push_back({text_column(q.get(), 0), text_column(q.get(), 1), text_column(q.get(), 2)});
  q.reset();
  return group_reactions(rows);
}

#undef MESSAGE_ROW_SQL

std::vector<std::string> sqlite_message_store::room_names() {
  auto& q = prepared("SELECT room FROM rooms ORDER BY room");
  std::vector<std::string> out;
  while (q.step()) out.push_back(text_column(q.get(), 0));
  q.reset();
  return out;
}

std::vector<file_use> sqlite_message_store::file_uses(const std::string& sha256) {
  // The bare `file` column takes the row of MAX(seq) (SQLite's rule for a lone aggregate).
  auto& q = prepared(
      "SELECT room, MAX(seq), file FROM messages INDEXED BY messages_files WHERE file != '' AND "
      "json_extract(file, '$.sha256') = ?1 GROUP BY room ORDER BY room");
  q.bind(1, sha256);
  std::vector<file_use> out;
  while (q.step()) {
    auto file = core::parse_file_ref(text_column(q.get(), 2));
    if (!file) continue;  // A damaged row keeps its message, not its file.
    out.push_back({text_column(q.get(), 0), static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 1)),
                   std::move(*file)});
  }
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
    auto& drop_reactions = prepared(
        "DELETE FROM reactions WHERE room = ?1 AND seq < coalesce((SELECT seq FROM messages WHERE room = ?1 "
        "ORDER BY seq LIMIT 1), 9223372036854775807)");
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
      // The reactions of the messages gone: below the room's oldest row left.
      drop_reactions.bind(1, name).run();
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
    if (out.contains(id)) continue;
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

void sqlite_message_store::mark_file_gone(const std::string& sha256) {
  // The same partial index as file_uses: only the rows that share the blob are read.
  auto& q = prepared(
      "UPDATE messages INDEXED BY messages_files SET file = json_set(file, '$.gone', json('true')) "
      "WHERE file != '' AND json_extract(file, '$.sha256') = ?1");
  q.bind(1, sha256);
  q.step();
  q.reset();
}

}  // namespace message::store
