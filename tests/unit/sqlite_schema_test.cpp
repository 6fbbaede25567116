// The SQLite store's file: what one message costs on disk, and a database written by the
// earlier schema (five B-trees per commit) opening with its seqs and ids intact.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "store/sqlite_message_store.hpp"
#include "temp_dir.hpp"

namespace message::store {
namespace {

class SqliteSchema : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return dir / "messages.db"; }

  /// Runs `sql` on the file through a connection of the test's own.
  void exec_raw(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file().c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string why = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << why;
  }
  /// How many rows `sql` (a SELECT count) reports.
  std::int64_t count_raw(const std::string& sql) {
    sqlite3* db = nullptr;
    std::int64_t n = -1;
    if (sqlite3_open(file().c_str(), &db) == SQLITE_OK) {
      sqlite3_exec(
          db, sql.c_str(),
          [](void* out, int, char** values, char**) {
            *static_cast<std::int64_t*>(out) = std::stoll(values[0]);
            return 0;
          },
          &n, nullptr);
    }
    sqlite3_close(db);
    return n;
  }

  test::temp_dir tmp;
  const std::filesystem::path& dir = tmp.path();
};

constexpr std::uintmax_t wal_frame_bytes = 24 + 4096;  // Frame header + one page.

TEST_F(SqliteSchema, AOneMessageCommitWritesAboutTwoPages) {
  sqlite_message_store store(file(), durability::process);
  store.commit_group({{"r", "first", "kim", "hello", "dev123", 1000}});  // Creates the room's row.
  const auto before = std::filesystem::file_size(dir / "messages.db-wal");
  constexpr int commits = 50;
  for (int i = 0; i < commits; ++i)
    store.commit_group(
        {{"r", "id-" + std::to_string(i), "kim", "message " + std::to_string(i), "dev123", 1000 + i}});
  const auto frames = (std::filesystem::file_size(dir / "messages.db-wal") - before) / wal_frame_bytes;
  // The message's leaf and its id index's leaf, and now and then a split. Five B-trees per
  // commit (the earlier schema) wrote 5 or more.
  EXPECT_GE(frames, 2u * commits);
  EXPECT_LT(frames, 3u * commits) << "pages written per one-message commit grew";
}

TEST_F(SqliteSchema, ADatabaseOfTheEarlierSchemaKeepsItsSeqsAndIds) {
  // Retention had removed seqs 1-10; id "gone" (seq 10) is remembered in sent_ids.
  exec_raw(R"sql(
    CREATE TABLE rooms(room TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) STRICT;
    CREATE TABLE messages(room TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL,
      username TEXT NOT NULL, body TEXT NOT NULL, device TEXT NOT NULL, ts INTEGER NOT NULL,
      PRIMARY KEY(room, seq)) STRICT, WITHOUT ROWID;
    CREATE TABLE sent_ids(room TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
      ts INTEGER NOT NULL, PRIMARY KEY(room, id)) STRICT, WITHOUT ROWID;
    CREATE INDEX sent_ids_ts ON sent_ids(ts);
    CREATE INDEX messages_ts ON messages(ts);
    INSERT INTO rooms VALUES('r', 12), ('empty', 4);
    INSERT INTO messages VALUES('r', 11, 'x11', 'kim', 'eleven', 'dev123', 1000),
                               ('r', 12, 'x12', 'kim', 'twelve', 'dev123', 1000);
    INSERT INTO sent_ids VALUES('r', 'gone', 10, 1000), ('r', 'x11', 11, 1000), ('r', 'x12', 12, 1000);
  )sql");
  {
    sqlite_message_store store(file(), durability::process);
    EXPECT_EQ(store.last_seq("r"), 12u);
    EXPECT_EQ(store.last_seq("empty"), 4u) << "a room emptied by retention keeps its seqs";
    const auto again = store.commit_group(
        {{"r", "gone", "kim", "?", "dev123", 2000}, {"r", "x12", "kim", "?", "dev123", 2000}});
    EXPECT_TRUE(again[0].duplicate);
    EXPECT_EQ(again[0].seq, 10u);
    EXPECT_TRUE(again[1].duplicate);
    EXPECT_EQ(again[1].seq, 12u);
    EXPECT_EQ(store.commit_group({{"r", "new", "kim", "thirteen", "dev123", 2000}})[0].seq, 13u);
    EXPECT_EQ(store.commit_group({{"empty", "e5", "kim", "five", "dev123", 2000}})[0].seq, 5u);
    const auto rooms = store.rooms();
    ASSERT_EQ(rooms.size(), 2u);
    EXPECT_EQ(rooms[1].room, "r");
    EXPECT_EQ(rooms[1].last_seq, 13u);
  }
  EXPECT_EQ(count_raw("SELECT count(*) FROM sqlite_schema WHERE name = 'messages_ts'"), 0)
      << "the per-commit ts index is dropped";
  EXPECT_EQ(count_raw("SELECT count(*) FROM messages WHERE room = 'r'"), 3);
}

TEST_F(SqliteSchema, ADatabaseOfThePreviousVersionOpensWithItsMessagesAndTakesConversationEvents) {
  // The schema as the version before conversation events made it (no kind, target, reply_to,
  // mentions, edited, deleted; no reactions table).
  exec_raw(R"sql(
    CREATE TABLE rooms(room TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) STRICT;
    CREATE TABLE messages(room TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL,
      username TEXT NOT NULL, body TEXT NOT NULL, device TEXT NOT NULL, ts INTEGER NOT NULL,
      PRIMARY KEY(room, seq)) STRICT, WITHOUT ROWID;
    CREATE TABLE sent_ids(room TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
      ts INTEGER NOT NULL, PRIMARY KEY(room, id)) STRICT, WITHOUT ROWID;
    CREATE INDEX sent_ids_ts ON sent_ids(ts);
    CREATE INDEX messages_id ON messages(room, id, ts);
    INSERT INTO rooms VALUES('r', 0);
    INSERT INTO messages VALUES('r', 1, 'x1', 'kim', 'before the upgrade', 'dev123', 1000),
                               ('r', 2, 'x2', 'lee', 'me too', 'dev456', 1001);
    PRAGMA application_id = 1836279601;
  )sql");
  {
    sqlite_message_store store(file(), durability::process);
    const auto old = store.read_before("r", std::nullopt, 10);
    ASSERT_EQ(old.messages.size(), 2u);
    EXPECT_EQ(old.messages[0].text, "before the upgrade");
    EXPECT_EQ(old.messages[0].kind, core::event_kind::message);
    EXPECT_FALSE(old.messages[0].deleted);
    core::new_message edit{"r", "e1", "kim", "edited after it", "dev123", 2000};
    edit.kind = core::event_kind::edit;
    edit.target = 1;
    core::new_message react{"r", "t1", "lee", "👍", "dev456", 2000};
    react.kind = core::event_kind::react;
    react.target = 1;
    EXPECT_EQ(store.commit_group({edit, react})[1].seq, 4u);
  }
  sqlite_message_store store(file(), durability::process);
  const auto page = store.read_before("r", std::nullopt, 10);
  ASSERT_EQ(page.messages.size(), 2u);
  EXPECT_EQ(page.messages[0].text, "edited after it");
  EXPECT_EQ(page.messages[0].edited, 2000);
  ASSERT_EQ(page.messages[0].reactions.size(), 1u);
  EXPECT_EQ(page.messages[1].text, "me too");
  EXPECT_EQ(count_raw("SELECT count(*) FROM pragma_table_info('messages') WHERE name IN ('kind', 'target', "
                      "'reply_to', 'mentions', 'edited', 'deleted')"),
            6);
}

TEST_F(SqliteSchema, ADatabaseWithReactionsPassesTheIntegrityCheck) {
  {
    sqlite_message_store store(file(), durability::process);
    core::new_message react{"r", "t1", "lee", "👍", "LEEidentity00001", 2000};
    react.kind = core::event_kind::react;
    react.target = 1;
    store.commit_group({{"r", "m1", "kim", "hello", "dev123", 1000}, react});
  }
  sqlite_message_store store(file(), durability::process);
  store.wait_for_integrity_check();  // Reads every page of the file, `reactions` too.
  EXPECT_NO_THROW(store.commit_group({{"r", "m2", "kim", "still writable", "dev123", 3000}}))
      << "the check found damage where there is none";
  EXPECT_EQ(store.reactions("r", 1).size(), 1u);
}

TEST_F(SqliteSchema, AReopenedRoomGoesOnFromItsLastSeqAfterRetentionEmptiedIt) {
  {
    sqlite_message_store store(file(), durability::process);
    store.commit_group({{"r", "a", "kim", "one", "dev123", 1000}, {"r", "b", "kim", "two", "dev123", 1000}});
    store.prune(0, 5000, 0, 100);  // Both are older than ts 5000.
    EXPECT_TRUE(store.read_after("r", 0, 10).empty());
  }
  sqlite_message_store store(file(), durability::process);
  EXPECT_EQ(store.last_seq("r"), 2u);
  EXPECT_EQ(store.commit_group({{"r", "c", "kim", "three", "dev123", 6000}})[0].seq, 3u);
}

}  // namespace
}  // namespace message::store
