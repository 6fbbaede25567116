// Files that are not what a crash leaves, against the real binary: a journal damaged with whole
// records after the damage, another data directory's journal, and another program's SQLite
// database are each refused with a message that says what to do, and left as they were; the
// damaged journal is salvaged on request, its original kept beside it.
#include <gtest/gtest.h>

#include <signal.h>
#include <sqlite3.h>

#include <fstream>
#include <iterator>

#include "harness.hpp"

namespace message::test {
namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

std::uint32_t u32_at(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return v;
}

class DamagedFiles : public ::testing::Test {
 protected:
  temp_dir data;
  std::filesystem::path journal() const { return data.path() / "messages.journal"; }
  std::filesystem::path database() const { return data.path() / "messages.db"; }

  /// For server_process, which adds --host and --port itself.
  static std::vector<std::string> args(const std::filesystem::path& dir) {
    return {"--data", dir.string(), "--no-rate-limit"};
  }
  /// For run_to_exit.
  static std::vector<std::string> run_args(const std::filesystem::path& dir) {
    return {"--host", "127.0.0.1", "--port", "0", "--data", dir.string(), "--no-rate-limit"};
  }
  /// Starts a server on `dir`, sends `n` messages to `room` one at a time, each awaiting its
  /// ack, then kills it (-9): the messages are acknowledged and in its journal.
  void send_then_kill(const std::filesystem::path& dir, const std::string& room, int n,
                      const std::string& prefix) {
    server_process server(args(dir));
    ws_client c(server.port(), "/ws?room=" + room);
    for (int i = 1; i <= n; ++i) {
      const auto id = prefix + std::to_string(i);
      c.send_message(id, "kim", "message " + std::to_string(i), room);
      bool acked = false;
      for (int k = 0; k < 100 && !acked; ++k) {
        auto o = c.next(5s);
        ASSERT_TRUE(o) << "no ack for " << id;
        acked = str((*o)["type"]) == "ack" && str((*o)["id"]) == id;
      }
      ASSERT_TRUE(acked);
    }
    server.stop(SIGKILL);
  }
  /// The seqs of `room`'s history (one page is enough here).
  static std::vector<std::uint64_t> seqs(unsigned short port, const std::string& room) {
    ws_client c(port, "/ws?room=" + room);
    c.send(json::object{{"type", "history"}, {"limit", 200}, {"room", room}});
    auto h = c.next_of("history", 10s);
    std::vector<std::uint64_t> out;
    if (h)
      for (auto& m : (*h)["messages"].as_array()) out.push_back(u64(m.as_object().at("seq")));
    return out;
  }
};

TEST_F(DamagedFiles, AJournalDamagedBeforeWholeRecordsIsRefusedThenSalvagedOnRequest) {
  send_then_kill(data.path(), "lobby", 10, "m");
  auto bytes = read_all(journal());
  ASSERT_GT(bytes.size(), 8u);
  // The second record's payload: past the magic and the first record.
  const std::size_t second = 8 + 8 + u32_at(bytes, 8);
  ASSERT_LT(second + 20, bytes.size());
  bytes[second + 8 + 20] ^= 0x5a;
  write_all(journal(), bytes);

  auto [code, out] = run_to_exit(run_args(data.path()), 10000ms);
  EXPECT_EQ(code, 1) << "a journal with damage before whole records must not start:\n" << out;
  EXPECT_NE(out.find(journal().string()), std::string::npos) << out;
  EXPECT_NE(out.find("offset " + std::to_string(second)), std::string::npos) << out;
  EXPECT_NE(out.find("8 whole record(s) follow"), std::string::npos) << out;
  EXPECT_NE(out.find("--salvage-journal"), std::string::npos) << out;
  EXPECT_TRUE(read_all(journal()) == bytes) << "the damaged journal is left as it was";

  auto salvage = args(data.path());
  salvage.push_back("--salvage-journal");
  {
    server_process server(salvage);
    const auto got = seqs(server.port(), "lobby");
    const std::vector<std::uint64_t> want{1, 3, 4, 5, 6, 7, 8, 9, 10};
    EXPECT_EQ(got, want) << "every whole record is kept; only the damaged one is lost";
    server.stop();
  }
  std::size_t kept_aside = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data.path()))
    if (entry.path().filename().string().rfind("messages.journal.damaged-", 0) == 0) {
      ++kept_aside;
      EXPECT_TRUE(read_all(entry.path()) == bytes) << "the original is kept, byte for byte";
    }
  EXPECT_EQ(kept_aside, 1u);
  // Salvaged once, the data directory starts normally and keeps its seqs.
  server_process again(args(data.path()));
  EXPECT_EQ(seqs(again.port(), "lobby").back(), 10u);
  // A resume across the lost seq is told of the hole, in place; one from beyond the end too.
  ws_client resume(again.port(), "/ws?since=0");
  std::vector<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    auto o = resume.next(5s);
    ASSERT_TRUE(o);
    const auto type = str((*o)["type"]);
    if (type == "message") seen.push_back(std::to_string(u64((*o)["seq"])));
    if (type == "gap")
      seen.push_back("gap " + std::to_string(u64((*o)["from"])) + "-" + std::to_string(u64((*o)["to"])));
    if (type == "subscribed") break;
  }
  const std::vector<std::string> want_seen{"1", "gap 2-2", "3", "4", "5", "6", "7", "8", "9", "10"};
  EXPECT_EQ(seen, want_seen);
  ws_client ahead(again.port(), "/ws?since=50");
  auto gap = ahead.next_of("gap");
  ASSERT_TRUE(gap);
  EXPECT_EQ(u64((*gap)["from"]), 11u);
  EXPECT_EQ(u64((*gap)["to"]), 50u);
}

TEST_F(DamagedFiles, ATornTailIsStillCutOffAndTheServerStarts) {
  send_then_kill(data.path(), "lobby", 3, "t");
  auto bytes = read_all(journal());
  write_all(journal(), bytes + bytes.substr(8, 20));  // A fourth record cut short.
  server_process server(args(data.path()));
  const std::vector<std::uint64_t> want{1, 2, 3};
  EXPECT_EQ(seqs(server.port(), "lobby"), want);
}

TEST_F(DamagedFiles, AnotherDataDirectorysJournalIsRefusedNotDropped) {
  // A crashed server's journal: room j, seqs 1-10.
  temp_dir other;
  send_then_kill(other.path(), "j", 10, "theirs");
  // This directory's database: room j, seqs 1-20 under other ids, stopped cleanly.
  {
    server_process server(args(data.path()));
    ws_client c(server.port(), "/ws?room=j");
    for (int i = 1; i <= 20; ++i) c.send_message("ours" + std::to_string(i), "kim", "ours", "j");
    ASSERT_EQ(c.collect("ack", 20, 20s).size(), 20u);
    server.stop();
  }
  const auto theirs = read_all(other.path() / "messages.journal");
  write_all(journal(), theirs);
  auto [code, out] = run_to_exit(run_args(data.path()), 10000ms);
  EXPECT_EQ(code, 1) << "a journal of another history must not start:\n" << out;
  EXPECT_NE(out.find("does not follow"), std::string::npos) << out;
  EXPECT_NE(out.find("theirs1"), std::string::npos) << "names the id that differs:\n" << out;
  // Its records are kept; only the zeros reserved ahead of the crashed server's appends may go.
  const auto kept = read_all(journal());
  ASSERT_LE(kept.size(), theirs.size());
  EXPECT_TRUE(theirs.compare(0, kept.size(), kept) == 0) << "its acknowledged messages are kept";
  EXPECT_EQ(theirs.find_first_not_of('\0', kept.size()), std::string::npos);
}

TEST_F(DamagedFiles, AnotherProgramsDatabaseIsRefusedUntouched) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(database().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE recipes(name TEXT, steps TEXT);"
                           "INSERT INTO recipes VALUES('bread', 'knead');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  const auto before = read_all(database());
  auto [code, out] = run_to_exit(run_args(data.path()), 10000ms);
  EXPECT_EQ(code, 1) << "another program's database must not be adopted:\n" << out;
  EXPECT_NE(out.find("recipes"), std::string::npos) << out;
  EXPECT_TRUE(read_all(database()) == before) << "not a byte changed (no tables added, not switched to WAL)";
  EXPECT_FALSE(std::filesystem::exists(data.path() / "messages.db-wal"));
}

TEST_F(DamagedFiles, OurDatabaseIsMarkedAndAMarkedOrOlderOneOpens) {
  {
    server_process server(args(data.path()));
    ws_client c(server.port(), "/ws");
    c.send_message("a", "kim", "kept");
    ASSERT_TRUE(c.next_of("ack"));
    server.stop();
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(database().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &q, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_NE(sqlite3_column_int(q, 0), 0) << "our database carries its marker";
  sqlite3_finalize(q);
  // A database of ours from before the marker: recognised by its tables.
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA application_id = 0", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  server_process server(args(data.path()));
  EXPECT_EQ(seqs(server.port(), "lobby").size(), 1u);
}

}  // namespace
}  // namespace message::test
