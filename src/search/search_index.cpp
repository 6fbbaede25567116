#include "search/search_index.hpp"

#include <pthread.h>
#include <sched.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "common/identity.hpp"
#include "search/cjk_tokenizer.hpp"
#include "search/query_terms.hpp"
#include "search/snippet.hpp"

namespace message::search {

namespace {

/// One prepared statement, finalized when it goes.
class statement {
 public:
  statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("search index: ") + sqlite3_errmsg(db));
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  statement& bind(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  template <typename I>
  requires std::is_integral_v<I> statement& bind(int i, I v) {
    sqlite3_bind_int64(stmt_, i, static_cast<sqlite3_int64>(v));
    return *this;
  }
  /// true: a row is there.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("search index: ") + sqlite3_errmsg(db_));
  }
  void run() {
    while (step()) {
    }
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::int64_t integer(int i) { return sqlite3_column_int64(stmt_, i); }
  std::string text(int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string what = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error("search index: " + what);
  }
}

// docs holds the indexed copy of each message's current text (what highlight() reads);
// docs_fts indexes it (external content: the text is kept once; columnsize=0: no rank is
// computed, so no per-row token counts are kept). A delete removes a message from docs_fts with
// its old text first, then deletes its docs row (secure_delete overwrites it). Rooms and
// authors are numbered once (rooms, authors) so that docs rows carry small integers.
// auto_vacuum=INCREMENTAL (set before the first table, so only on a new file): FTS5's segment
// merges free pages all the time, and reclaim() gives them back to the file system.
// user_version says which layout a file has: any other is dropped and rebuilt by a catch-up.
constexpr int schema_version = 2;
constexpr const char* schema = R"(
PRAGMA auto_vacuum=INCREMENTAL;
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
PRAGMA secure_delete=ON;
CREATE TABLE IF NOT EXISTS rooms(id INTEGER PRIMARY KEY, room TEXT NOT NULL UNIQUE, epoch TEXT NOT NULL,
  seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS authors(id INTEGER PRIMARY KEY, identity TEXT NOT NULL, username TEXT NOT NULL,
  UNIQUE(identity, username));
CREATE TABLE IF NOT EXISTS docs(id INTEGER PRIMARY KEY, room INTEGER NOT NULL, seq INTEGER NOT NULL,
  author INTEGER NOT NULL, ts INTEGER NOT NULL, edited INTEGER NOT NULL, version INTEGER NOT NULL,
  body TEXT NOT NULL, UNIQUE(room, seq));
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(body, content='docs', content_rowid='id', columnsize=0,
  tokenize='message_cjk remove_diacritics 2');
CREATE TABLE IF NOT EXISTS removed(room INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(room, seq)) WITHOUT ROWID;
PRAGMA user_version=2;
)";

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) {
             return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
           };
           return lower(x) == lower(y);
         });
}

}  // namespace

/// The statements one batch of rows uses, prepared once per batch, and the numbers of rooms
/// and authors (cached by the index: cleared when a transaction rolls back).
struct writes {
  writes(sqlite3* db, std::map<std::string, std::int64_t>& room_ids,
         std::map<std::pair<std::string, std::string>, std::int64_t>& author_ids)
      : find(db, "SELECT id, body, version FROM docs WHERE room = ?1 AND seq = ?2"),
        is_removed(db, "SELECT 1 FROM removed WHERE room = ?1 AND seq = ?2"),
        insert_doc(db,
                   "INSERT OR IGNORE INTO docs(room, seq, author, ts, edited, version, body) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        insert_fts(db, "INSERT INTO docs_fts(rowid, body) VALUES(?1, ?2)"),
        delete_fts(db, "INSERT INTO docs_fts(docs_fts, rowid, body) VALUES('delete', ?1, ?2)"),
        update_doc(db, "UPDATE docs SET body = ?2, edited = ?3, version = ?4 WHERE id = ?1"),
        delete_doc(db, "DELETE FROM docs WHERE id = ?1"),
        add_removed(db, "INSERT OR IGNORE INTO removed(room, seq) VALUES(?1, ?2)"),
        add_room(db, "INSERT OR IGNORE INTO rooms(room, epoch, seq) VALUES(?1, '', 0)"),
        room_id(db, "SELECT id FROM rooms WHERE room = ?1"),
        raise_room(db, "UPDATE rooms SET seq = max(seq, ?2) WHERE room = ?1"),
        add_author(db, "INSERT OR IGNORE INTO authors(identity, username) VALUES(?1, ?2)"),
        author_id(db, "SELECT id FROM authors WHERE identity = ?1 AND username = ?2"),
        db_(db),
        room_ids_(room_ids),
        author_ids_(author_ids) {}
  statement find, is_removed, insert_doc, insert_fts, delete_fts, update_doc, delete_doc, add_removed,
      add_room, room_id, raise_room, add_author, author_id;
  sqlite3* db_;

  /// The room's number, made on first use.
  std::int64_t room(const std::string& name) {
    if (auto it = room_ids_.find(name); it != room_ids_.end()) return it->second;
    add_room.bind(1, name).run();
    add_room.reset();
    room_id.bind(1, name);
    room_id.step();
    const auto id = room_id.integer(0);
    room_id.reset();
    return room_ids_[name] = id;
  }
  std::int64_t author(const std::string& identity, const std::string& username) {
    auto key = std::make_pair(identity, username);
    if (auto it = author_ids_.find(key); it != author_ids_.end()) return it->second;
    add_author.bind(1, identity).bind(2, username).run();
    add_author.reset();
    author_id.bind(1, identity).bind(2, username);
    author_id.step();
    const auto id = author_id.integer(0);
    author_id.reset();
    return author_ids_[std::move(key)] = id;
  }

 private:
  std::map<std::string, std::int64_t>& room_ids_;
  std::map<std::pair<std::string, std::string>, std::int64_t>& author_ids_;
};

namespace {

struct found_doc {
  std::int64_t id = 0;
  std::string body;
  std::int64_t version = 0;
};

std::optional<found_doc> find_doc(writes& w, const std::string& room, std::uint64_t seq) {
  w.find.bind(1, w.room(room)).bind(2, seq);
  std::optional<found_doc> d;
  if (w.find.step()) d = found_doc{w.find.integer(0), w.find.text(1), w.find.integer(2)};
  w.find.reset();
  return d;
}

std::int64_t insert_doc(writes& w, const std::string& room, std::uint64_t seq, const std::string& identity,
                        const std::string& username, std::int64_t ts, std::int64_t edited,
                        std::uint64_t version, const std::string& text) {
  w.insert_doc.bind(1, w.room(room)).bind(2, seq).bind(3, w.author(identity, username)).bind(4, ts);
  w.insert_doc.bind(5, edited).bind(6, version).bind(7, text).run();
  w.insert_doc.reset();
  if (sqlite3_changes(w.db_) == 0) return 0;
  const auto id = sqlite3_last_insert_rowid(w.db_);
  w.insert_fts.bind(1, id).bind(2, text).run();
  w.insert_fts.reset();
  return id;
}

/// Takes a message out of the index: its words first (with the text they came from), then the
/// text itself.
void remove_doc(writes& w, const found_doc& d) {
  w.delete_fts.bind(1, d.id).bind(2, d.body).run();
  w.delete_fts.reset();
  w.delete_doc.bind(1, d.id).run();
  w.delete_doc.reset();
}

}  // namespace

void search_index::apply_row(writes& w, const row& r, bool catching_up) {
  switch (r.kind) {
    case core::event_kind::message: {
      w.is_removed.bind(1, w.room(r.room)).bind(2, r.seq);
      const bool gone = w.is_removed.step();
      w.is_removed.reset();
      if (r.deleted) {
        w.add_removed.bind(1, w.room(r.room)).bind(2, r.seq).run();
        w.add_removed.reset();
        if (auto d = find_doc(w, r.room, r.seq)) remove_doc(w, *d);
        return;
      }
      if (gone) return;
      insert_doc(w, r.room, r.seq, r.identity, r.username, r.ts, r.edited, 0, r.text);
      return;
    }
    case core::event_kind::edit: {
      auto d = find_doc(w, r.room, r.target);
      if (!d) {
        // Only while catching up can an edit overtake its message (a broker's delivery against
        // the store's read): keep the edit's text under the message's seq; the message's own
        // row, read later, then finds it there. Otherwise the target is gone or never was.
        w.is_removed.bind(1, w.room(r.room)).bind(2, r.target);
        const bool gone = w.is_removed.step();
        w.is_removed.reset();
        if (catching_up && !gone)
          insert_doc(w, r.room, r.target, r.identity, r.username, r.ts, r.ts, r.seq, r.text);
        return;
      }
      if (static_cast<std::uint64_t>(d->version) >= r.seq) return;  // A later edit is there already.
      w.delete_fts.bind(1, d->id).bind(2, d->body).run();
      w.delete_fts.reset();
      w.update_doc.bind(1, d->id).bind(2, r.text).bind(3, r.ts).bind(4, r.seq).run();
      w.update_doc.reset();
      w.insert_fts.bind(1, d->id).bind(2, r.text).run();
      w.insert_fts.reset();
      return;
    }
    case core::event_kind::remove: {
      w.add_removed.bind(1, w.room(r.room)).bind(2, r.target).run();
      w.add_removed.reset();
      if (auto d = find_doc(w, r.room, r.target)) remove_doc(w, *d);
      return;
    }
    default:
      return;
  }
}

namespace {

sqlite3* open_index(const std::string& where) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(where.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string what = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error("cannot open the search index " + where + ": " + what);
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

/// The layout `db` holds (an index from before user_version was set: 0); -1 for an empty file.
int layout_of(sqlite3* db) {
  statement tables(db, "SELECT count(*) FROM sqlite_master");
  tables.step();
  if (tables.integer(0) == 0) return -1;
  statement version(db, "PRAGMA user_version");
  version.step();
  return static_cast<int>(version.integer(0));
}

}  // namespace

search_index::search_index(const std::string& path, const core::limits& limits) : limits_(limits) {
  const std::string where = path.empty() ? ":memory:" : path;
  db_ = open_index(where);
  try {
    register_cjk_tokenizer(db_);
    if (const int layout = layout_of(db_); layout != -1 && layout != schema_version) {
      // An index of another layout (an older release's) is only a copy of the messages: it
      // goes, and the catch-up at start indexes them again, in the background.
      spdlog::info("search index: {} has an older layout ({}); it is dropped and rebuilt from the messages",
                   where, layout);
      sqlite3_close(db_);
      db_ = nullptr;
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((where + suffix).c_str());
      db_ = open_index(where);
      register_cjk_tokenizer(db_);
    }
    exec(db_, schema);
    marks_ = indexed_rooms();
  } catch (const std::exception& e) {
    sqlite3_close(db_);
    throw std::runtime_error(std::string(e.what()) + " (" + where +
                             ": delete the file to rebuild the index from the messages)");
  }
  thread_ = std::thread([this] {
    // Indexing is the work that may wait: at idle priority it takes only CPU the I/O loops and
    // the store worker leave, so a busy server delivers first and indexes in the gaps (the
    // queue's bound and the catch-up from the store cover a long burst).
    sched_param idle{};
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle) != 0)
      spdlog::debug("search index: idle priority not available, indexing at normal priority");
    run();
  });
}

search_index::~search_index() {
  stop();
  sqlite3_close(db_);
}

void search_index::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  idle_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void search_index::flush() {
  std::unique_lock lock(mutex_);
  ++flushing_;
  wake_.notify_all();
  idle_.wait(lock, [&] { return stopping_ || (rows_.empty() && !applying_); });
  --flushing_;
}

void search_index::committed(const std::vector<core::chat_message>& stored) {
  std::unique_lock lock(mutex_);
  if (stopping_ || overflowed_) return;
  std::size_t bytes = 0;
  for (const auto& m : stored)
    bytes += sizeof(row) + m.room.size() + m.text.size() + m.username.size() + m.device.size();
  if (queued_bytes_ + bytes > limits_.search_queue_bytes) {
    // The disk cannot keep up: stop copying, read what was missed from the store later.
    overflowed_ = true;
    lock.unlock();
    wake_.notify_all();
    return;
  }
  const bool was_empty = rows_.empty();
  queued_bytes_ += bytes;
  for (const auto& m : stored) {
    // Reactions are kept too, without their fields: every seq counts towards the room's
    // contiguous high-water mark (a gap means rows were missed).
    if (m.kind == core::event_kind::react || m.kind == core::event_kind::unreact) {
      rows_.push_back(row{m.room, m.seq, m.kind, 0, {}, {}, {}, 0, 0, false});
      continue;
    }
    rows_.push_back(row{m.room, m.seq, m.kind, m.target, m.text, m.username,
                        core::is_identity_id(m.device) ? m.device : std::string(), m.ts, m.edited,
                        m.deleted});
  }
  if (was_empty && !rows_.empty()) {
    first_row_at_ = std::chrono::steady_clock::now();
    lock.unlock();
    wake_.notify_all();
  }
}

void search_index::pruned() {
  // The next catch-up's listing asks the store for each room's oldest message (trim()).
  resync();
}

void search_index::resync() {
  {
    std::lock_guard lock(mutex_);
    wants_catch_up_ = true;
  }
  wake_.notify_all();
}

void search_index::search(core::search_request request, std::function<void(core::search_answer)> done) {
  std::unique_lock lock(mutex_);
  if (stopping_) {
    lock.unlock();
    return done(core::search_answer{{}, std::nullopt, true});  // Stopping: nobody else will.
  }
  queries_.push_back({std::move(request), std::move(done)});
  lock.unlock();
  wake_.notify_all();
}

void search_index::start_catch_up(store_runner runner) {
  {
    std::lock_guard lock(mutex_);
    runner_ = std::move(runner);
    wants_catch_up_ = true;
  }
  wake_.notify_all();
}

void search_index::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto rows_due = [&] {
      return !rows_.empty() && (stopping_ || rows_.size() >= limits_.search_catch_up_rows ||
                                std::chrono::steady_clock::now() - first_row_at_ >= limits_.search_delay);
    };
    if (!queries_.empty()) {
      auto job = std::move(queries_.front());
      queries_.pop_front();
      lock.unlock();
      core::search_answer a;
      try {
        a = answer(job.request);
      } catch (const std::exception& e) {
        spdlog::warn("search failed: {}", e.what());
        a = core::search_answer{{}, std::nullopt, true};
      }
      job.done(std::move(a));
      lock.lock();
      continue;
    }
    if (rows_due() || (flushing_ && !rows_.empty())) {
      auto rows = std::move(rows_);
      rows_.clear();
      queued_bytes_ = 0;
      applying_ = true;
      lock.unlock();
      apply(rows);
      lock.lock();
      applying_ = false;
      idle_.notify_all();
      continue;
    }
    if (step_done_) {
      step_done_ = false;
      auto rows = std::move(caught_);
      caught_.clear();
      // The first step listed the rooms: rows queued before the listing go in before the
      // messages retention removed are dropped, so that none of them comes back after it.
      std::vector<row> queued;
      std::vector<std::pair<std::string, std::uint64_t>> trims;
      const bool listing = !listed_;
      if (listing) {
        queued = std::move(rows_);
        rows_.clear();
        queued_bytes_ = 0;
        trims = std::move(trims_);
        trims_.clear();
        applying_ = !queued.empty();
      }
      lock.unlock();
      if (listing) {
        apply(queued);
        trim(trims);
        // Drop the histories the store no longer has.
        listed_ = true;
        for (auto& r : pending_rooms_) {
          if (r.reset) {
            reset_room(r.room, r.epoch);
            marks_[r.room] = {r.epoch, 0};
          } else {
            name_history(r.room, r.epoch);
            marks_[r.room].first = r.epoch;
          }
        }
        if (!pending_rooms_.empty())
          spdlog::info("search index: catching up on {} room(s) from the store, in the background",
                       pending_rooms_.size());
      }
      caught_total_ += rows.size();
      apply(rows);
      if (!rows.empty() && caught_total_ % (limits_.search_catch_up_rows * 25) < rows.size())
        spdlog::info("search index: {} messages indexed from the store, {} room(s) to go", caught_total_,
                     pending_rooms_.size());
      lock.lock();
      if (listing) {
        applying_ = false;
        idle_.notify_all();
      }
      if (pending_rooms_.empty() || stopping_) {
        catching_up_ = false;
        if (caught_total_ > 0)
          spdlog::info("search index: caught up ({} rows read from the store in {} ms)", caught_total_,
                       std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - catch_up_started_)
                           .count());
      } else {
        post_step();
      }
      continue;
    }
    if (!catching_up_ && runner_ && (wants_catch_up_ || (overflowed_ && rows_.empty())) && !stopping_) {
      wants_catch_up_ = false;
      overflowed_ = false;  // From here on, live rows are taken again; the store has the rest.
      lock.unlock();
      begin_catch_up();
      lock.lock();
      continue;
    }
    if (stopping_) break;
    if (!rows_.empty()) {
      wake_.wait_until(lock, first_row_at_ + limits_.search_delay);
    } else {
      wake_.wait(lock);
    }
  }
}

void search_index::apply(std::vector<row>& rows) {
  if (rows.empty()) return;
  bool catching;
  {
    std::lock_guard lock(mutex_);
    catching = catching_up_;
  }
  try {
    exec(db_, "BEGIN");
    writes w(db_, room_ids_, author_ids_);
    std::map<std::string, std::uint64_t> raised;
    bool gap = false;
    for (const auto& r : rows) {
      apply_row(w, r, catching);
      auto& mark = marks_[r.room];
      if (r.from_store ? r.seq > mark.second : r.seq == mark.second + 1) {
        // The store's rows are contiguous as it holds them (retention may have removed older).
        mark.second = r.seq;
        raised[r.room] = r.seq;
      } else if (r.seq > mark.second + 1) {
        gap = true;  // Rows before this one never came: the store has them.
      }
    }
    for (const auto& [room, seq] : raised) {
      w.room(room);
      w.raise_room.bind(1, room).bind(2, seq).run();
      w.raise_room.reset();
    }
    exec(db_, "COMMIT");
    reclaim();
    if (gap && !catching) {
      std::lock_guard lock(mutex_);
      wants_catch_up_ = true;
    }
  } catch (const std::exception& e) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    room_ids_.clear();
    author_ids_.clear();
    try {
      marks_ = indexed_rooms();
    } catch (const std::exception&) {
    }
    spdlog::error("{}: {} rows not indexed; they are read again from the store", e.what(), rows.size());
    std::lock_guard lock(mutex_);
    wants_catch_up_ = true;
  }
}

void search_index::reclaim() {
  try {
    statement free_pages(db_, "PRAGMA freelist_count");
    free_pages.step();
    if (static_cast<std::size_t>(free_pages.integer(0)) < limits_.search_free_pages) return;
    exec(db_, "PRAGMA incremental_vacuum");
  } catch (const std::exception& e) {
    spdlog::warn("{}", e.what());
  }
}

std::map<std::string, std::pair<std::string, std::uint64_t>> search_index::indexed_rooms() {
  std::map<std::string, std::pair<std::string, std::uint64_t>> out;
  statement q(db_, "SELECT room, epoch, seq FROM rooms");
  while (q.step()) out[q.text(0)] = {q.text(1), static_cast<std::uint64_t>(q.integer(2))};
  return out;
}

void search_index::reset_room(const std::string& room, const std::string& epoch) {
  try {
    exec(db_, "BEGIN");
    writes w(db_, room_ids_, author_ids_);
    const auto id = w.room(room);
    statement ids(db_, "SELECT id, body FROM docs WHERE room = ?1");
    ids.bind(1, id);
    std::vector<found_doc> docs;
    while (ids.step()) docs.push_back(found_doc{ids.integer(0), ids.text(1), 0});
    for (const auto& d : docs) remove_doc(w, d);
    statement forget(db_, "DELETE FROM removed WHERE room = ?1");
    forget.bind(1, id).run();
    statement set(db_, "UPDATE rooms SET epoch = ?2, seq = 0 WHERE id = ?1");
    set.bind(1, id).bind(2, epoch).run();
    exec(db_, "COMMIT");
    if (!docs.empty())
      spdlog::info("search index: room {} has another history now; its {} indexed messages are dropped", room,
                   docs.size());
  } catch (const std::exception& e) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    room_ids_.clear();
    author_ids_.clear();
    spdlog::error("{}", e.what());
  }
}

void search_index::trim(const std::vector<std::pair<std::string, std::uint64_t>>& cuts) {
  if (cuts.empty()) return;
  std::size_t dropped = 0;
  try {
    exec(db_, "BEGIN");
    writes w(db_, room_ids_, author_ids_);
    statement known(db_, "SELECT id FROM rooms WHERE room = ?1");
    statement old(db_, "SELECT id, body FROM docs WHERE room = ?1 AND seq <= ?2");
    statement forget(db_, "DELETE FROM removed WHERE room = ?1 AND seq <= ?2");
    for (const auto& [room, cut] : cuts) {
      known.bind(1, room);
      const bool has = known.step();
      const auto id = has ? known.integer(0) : 0;
      known.reset();
      if (!has) continue;  // Never indexed: nothing to drop.
      old.bind(1, id).bind(2, cut);
      std::vector<found_doc> docs;
      while (old.step()) docs.push_back(found_doc{old.integer(0), old.text(1), 0});
      old.reset();
      for (const auto& d : docs) remove_doc(w, d);
      dropped += docs.size();
      forget.bind(1, id).bind(2, cut).run();
      forget.reset();
    }
    exec(db_, "COMMIT");
    if (dropped > 0)
      spdlog::info("search index: {} message(s) removed by retention are no longer found", dropped);
  } catch (const std::exception& e) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    room_ids_.clear();
    author_ids_.clear();
    spdlog::error("{}", e.what());
  }
}

void search_index::name_history(const std::string& room, const std::string& epoch) {
  try {
    statement set(db_,
                  "INSERT INTO rooms(room, epoch, seq) VALUES(?1, ?2, 0) "
                  "ON CONFLICT(room) DO UPDATE SET epoch = excluded.epoch");
    set.bind(1, room).bind(2, epoch).run();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
  }
}

void search_index::begin_catch_up() {
  std::lock_guard lock(mutex_);
  snapshot_ = marks_;
  pending_rooms_.clear();
  listed_ = false;
  caught_total_ = 0;
  catching_up_ = true;
  catch_up_started_ = std::chrono::steady_clock::now();
  post_step();
}

void search_index::post_step() {
  // Under mutex_. The job holds `this`: stop() of the store worker comes first (app/server).
  runner_([this](store::sequencing_store& s) { catch_up_step(s); });
}

void search_index::catch_up_step(store::sequencing_store& s) {
  std::vector<row> rows;
  std::unique_lock lock(mutex_);
  if (stopping_) return;
  try {
    if (!listed_) {
      // First step: which rooms, from where. The epoch says whether the index's rows are of
      // the history the store holds now.
      std::vector<catch_up_room> pending;
      std::vector<std::pair<std::string, std::uint64_t>> trims;
      lock.unlock();
      for (auto& info : s.rooms()) {
        // What retention removed (every seq below the oldest the store holds; all of them up
        // to now when it holds none) is no longer found either.
        const auto oldest = s.oldest_seq(info.room);
        if (const auto cut = oldest ? *oldest - 1 : info.last_seq; cut > 0)
          trims.emplace_back(info.room, cut);
        catch_up_room r{info.room, s.room_epoch(info.room), 0, false};
        bool named = false;
        if (auto it = snapshot_.find(r.room); it != snapshot_.end()) {
          // An empty epoch: the room's rows came live before a catch-up named its history.
          r.reset = !it->second.first.empty() && it->second.first != r.epoch;
          named = it->second.first == r.epoch;
          if (!r.reset) r.after = it->second.second;
        }
        if (named && r.after >= info.last_seq) continue;  // Nothing to read, nothing to record.
        pending.push_back(std::move(r));
      }
      lock.lock();
      pending_rooms_ = std::move(pending);
      trims_ = std::move(trims);
    } else if (!pending_rooms_.empty()) {
      auto& r = pending_rooms_.back();
      const std::string room = r.room;
      const std::uint64_t after = r.after;
      lock.unlock();
      auto read = s.read_after(room, after, limits_.search_catch_up_rows);
      lock.lock();
      for (auto& m : read) {
        rows.push_back(row{m.room, m.seq, m.kind, m.target, std::move(m.text), std::move(m.username),
                           core::is_identity_id(m.device) ? m.device : std::string(), m.ts, m.edited,
                           m.deleted, true});
      }
      if (read.size() < limits_.search_catch_up_rows) {
        pending_rooms_.pop_back();
      } else {
        pending_rooms_.back().after = read.back().seq;
      }
    }
  } catch (const std::exception& e) {
    // The store threw while the lock was let go for its read: take it back before the state.
    if (!lock.owns_lock()) lock.lock();
    spdlog::warn("search index: the store cannot be read now ({}); catching up again later", e.what());
    pending_rooms_.clear();
    wants_catch_up_ = true;
  }
  caught_ = std::move(rows);
  step_done_ = true;
  lock.unlock();
  wake_.notify_all();
}

core::search_answer search_index::answer(const core::search_request& request) {
  core::search_answer out;
  const auto parsed = parse_query(request.query);
  if (parsed.match.empty()) return out;  // Nothing searchable in it: nothing matches.
  // highlight() runs for each row stepped to, so a filtered-out match costs it too; that is
  // bounded by search_scan_rows, and a second MATCH per result would cost the query again.
  statement matches(db_,
                    "SELECT rowid, highlight(docs_fts, 0, ?3, ?4) FROM docs_fts WHERE docs_fts MATCH ?1 "
                    "AND rowid < ?2 ORDER BY rowid DESC");
  matches.bind(1, parsed.match)
      .bind(2, request.cursor.value_or(INT64_MAX))
      .bind(3, mark_open)
      .bind(4, mark_close);
  statement doc(db_,
                "SELECT r.room, d.seq, a.identity, a.username, d.ts, d.edited FROM docs d "
                "JOIN rooms r ON r.id = d.room JOIN authors a ON a.id = d.author WHERE d.id = ?1");
  std::size_t scanned = 0;
  std::int64_t examined = INT64_MAX;  // The oldest index position looked at.
  std::int64_t last_hit = INT64_MAX;
  bool exhausted = true;
  while (matches.step()) {
    const std::int64_t id = matches.integer(0);
    if (++scanned > limits_.search_scan_rows) {
      exhausted = false;
      break;
    }
    examined = id;
    doc.bind(1, id);
    if (!doc.step()) {
      doc.reset();
      continue;
    }
    core::search_hit hit{doc.text(0),
                         static_cast<std::uint64_t>(doc.integer(1)),
                         doc.text(3),
                         doc.text(2),
                         doc.integer(4),
                         doc.integer(5),
                         {}};
    doc.reset();
    if (request.room && hit.room != *request.room) continue;
    if (std::find(request.hidden_rooms.begin(), request.hidden_rooms.end(), hit.room) !=
        request.hidden_rooms.end())
      continue;
    if (!request.author.empty() && hit.identity != request.author &&
        !(hit.identity.empty() && same_name(hit.username, request.author)))
      continue;
    if (request.from && hit.ts < *request.from) continue;
    if (request.to && hit.ts >= *request.to) continue;
    if (out.hits.size() == request.limit) {
      // One more exists: the answer's cursor pages on from its last result.
      exhausted = false;
      break;
    }
    hit.snippet = make_snippet(matches.text(1), parsed.cjk_terms, limits_.search_snippet_chars);
    out.hits.push_back(std::move(hit));
    last_hit = id;
  }
  if (!exhausted) out.cursor = out.hits.size() == request.limit ? last_hit : examined;
  return out;
}

}  // namespace message::search
