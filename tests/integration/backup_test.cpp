// `message backup FILE` and `message restore FILE` (issue 32), with the real binary and real
// SQLite files: a backup taken while a client keeps sending holds every message acknowledged
// before it began, and restores into a directory a new server serves; bad input is refused.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "harness.hpp"
#include "temp_dir.hpp"

namespace message::test {
namespace {

/// The ids stored in `db`, read with a connection of the test's own.
std::set<std::string> ids_in(const std::filesystem::path& db) {
  std::set<std::string> ids;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(h, "SELECT id FROM messages", -1, &q, nullptr);
    while (q && sqlite3_step(q) == SQLITE_ROW)
      ids.emplace(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
    sqlite3_finalize(q);
  }
  sqlite3_close(h);
  return ids;
}

/// Sends messages one after another on its own thread, recording each acknowledged id.
class steady_sender {
 public:
  explicit steady_sender(unsigned short port) : client_(port) {
    thread_ = std::thread([this] {
      for (int i = 0; i < 100000 && !stop_; ++i) {
        const auto id = "load-" + std::to_string(i);
        client_.send_message(id, "kim", "message " + std::to_string(i));
        if (!client_.next_of("ack", 10000ms)) break;
        std::lock_guard lock(mutex_);
        acked_.push_back(id);
      }
    });
  }
  ~steady_sender() {
    stop_ = true;
    thread_.join();
  }
  std::vector<std::string> acked() {
    std::lock_guard lock(mutex_);
    return acked_;
  }

 private:
  ws_client client_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> acked_;
  std::thread thread_;
};

TEST(Backup, UnderLoadHoldsEveryMessageAcknowledgedBeforeItBegan) {
  temp_dir live, restored, out;
  const auto file = out.path() / "backup.db";
  std::vector<std::string> before;
  std::size_t acked_by_the_end = 0;
  {
    // One client sends as fast as acks come: past the per-connection rate limit.
    server_process server({"--data", live.path().string(), "--no-rate-limit"});
    steady_sender sender(server.port());
    // Bounded wait for some history first.
    for (int i = 0; i < 1000 && sender.acked().size() < 200; ++i) std::this_thread::sleep_for(10ms);
    before = sender.acked();
    ASSERT_GE(before.size(), 200u);
    const auto [code, said] = run_to_exit({"backup", file.string(), "--data", live.path().string()}, 60000ms);
    ASSERT_EQ(code, 0) << said;
    EXPECT_NE(said.find("running server"), std::string::npos) << said;
    acked_by_the_end = sender.acked().size();
  }
  EXPECT_GT(acked_by_the_end, before.size()) << "the sender was not held up for good by the backup";
  const auto [code, said] = run_to_exit({"restore", file.string(), "--data", restored.path().string()});
  ASSERT_EQ(code, 0) << said;
  const auto ids = ids_in(restored.path() / "messages.db");
  for (const auto& id : before)
    EXPECT_TRUE(ids.count(id)) << id << " was acknowledged before the backup began";
  // The restored directory serves that history: the next message follows it.
  server_process again({"--data", restored.path().string()});
  ws_client next(again.port());
  next.send_message("after-restore", "kim", "hello again");
  const auto ack = next.next_of("ack");
  ASSERT_TRUE(ack);
  EXPECT_EQ(u64(ack->at("seq")), ids.size() + 1);
}

TEST(Backup, WithoutARunningServerReadsTheDirectory) {
  temp_dir live, out;
  {
    server_process server({"--data", live.path().string()});
    ws_client c(server.port());
    c.send_message("only", "kim", "kept");
    ASSERT_TRUE(c.next_of("ack"));
  }
  const auto file = out.path() / "offline.db";
  const auto [code, said] = run_to_exit({"backup", file.string(), "--data", live.path().string()});
  ASSERT_EQ(code, 0) << said;
  EXPECT_NE(said.find("no server was running"), std::string::npos) << said;
  EXPECT_EQ(ids_in(file), std::set<std::string>{"only"});
}

TEST(Backup, ToAPathThatCannotBeWrittenFailsClearly) {
  temp_dir live;
  server_process server({"--data", live.path().string()});
  const auto [code, said] = run_to_exit(
      {"backup", (live.path() / "no-such-dir" / "b.db").string(), "--data", live.path().string()});
  EXPECT_EQ(code, 1) << said;
  EXPECT_NE(said.find("cannot write"), std::string::npos) << said;
}

TEST(Restore, RefusesWhileAServerRunsAndFilesThatAreNotOurs) {
  temp_dir live, out;
  const auto good = out.path() / "good.db";
  {
    server_process server({"--data", live.path().string()});
    ASSERT_EQ(run_to_exit({"backup", good.string(), "--data", live.path().string()}).first, 0);
    const auto [code, said] = run_to_exit({"restore", good.string(), "--data", live.path().string()});
    EXPECT_EQ(code, 1) << said;
    EXPECT_NE(said.find("running"), std::string::npos) << said;
  }
  // Not a database at all.
  const auto text = out.path() / "notes.txt";
  std::ofstream(text) << "not a database\n";
  auto [code, said] = run_to_exit({"restore", text.string(), "--data", live.path().string()});
  EXPECT_EQ(code, 1) << said;
  EXPECT_NE(said.find("not a message database"), std::string::npos) << said;
  // A database of another program.
  const auto other = out.path() / "other.db";
  sqlite3* h = nullptr;
  sqlite3_open(other.c_str(), &h);
  sqlite3_exec(h, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
  sqlite3_close(h);
  std::tie(code, said) = run_to_exit({"restore", other.string(), "--data", live.path().string()});
  EXPECT_EQ(code, 1) << said;
  EXPECT_NE(said.find("not a message database"), std::string::npos) << said;
  // One of a newer schema.
  const auto newer = out.path() / "newer.db";
  std::filesystem::copy_file(good, newer);
  sqlite3_open(newer.c_str(), &h);
  sqlite3_exec(h, "PRAGMA user_version = 999", nullptr, nullptr, nullptr);
  sqlite3_close(h);
  std::tie(code, said) = run_to_exit({"restore", newer.string(), "--data", live.path().string()});
  EXPECT_EQ(code, 1) << said;
  EXPECT_NE(said.find("newer"), std::string::npos) << said;
  // The good one, with the server stopped.
  std::tie(code, said) = run_to_exit({"restore", good.string(), "--data", live.path().string()});
  EXPECT_EQ(code, 0) << said;
  EXPECT_TRUE(std::filesystem::exists(live.path() / "messages.db.before-restore"));
}

}  // namespace
}  // namespace message::test
