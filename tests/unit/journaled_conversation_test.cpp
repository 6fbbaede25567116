// Conversation events in the default store beyond the conformance suite: they are journaled
// with every field and a killed process loses none of them (opening folds them into the
// database), a plain message's journal record is byte for byte what it was before events
// existed, and a deleted text leaves the journal file, the database and its WAL with the
// deferred move (limits::store_defer), while no read shows it meanwhile. Real files; the
// killed process is a forked child that ends without cleanup.
#include <gtest/gtest.h>

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "store/journaled_message_store.hpp"
#include "store/message_journal.hpp"
#include "temp_dir.hpp"

namespace message::store {
namespace {

using core::event_kind;

core::new_message message(const std::string& id, const std::string& text) {
  return {"lobby", id, "kim", text, "KIMidentity00001", 1000};
}

core::new_message change(const std::string& id, event_kind kind, std::uint64_t target,
                         const std::string& text, const std::string& device = "KIMidentity00001",
                         std::int64_t ts = 2000) {
  core::new_message m{"lobby", id, "kim", text, device, ts};
  m.kind = kind;
  m.target = target;
  return m;
}

std::string bytes_of(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Ends a forked child as a killed process ends: no destructor, no exit handler.
[[noreturn]] void die(int code) {
  ::syscall(SYS_exit_group, code);
  __builtin_unreachable();
}

class JournaledConversation : public ::testing::Test {
 protected:
  std::unique_ptr<journaled_message_store> open() {
    return std::make_unique<journaled_message_store>(database(), journal(), durability::process);
  }
  std::filesystem::path database() const { return tmp.path() / "messages.db"; }
  std::filesystem::path journal() const { return tmp.path() / "messages.journal"; }
  std::string files() const {
    return bytes_of(database()) + bytes_of(database().string() + "-wal") + bytes_of(journal());
  }
  test::temp_dir tmp;
};

TEST_F(JournaledConversation, AKilledProcessLosesNoAcknowledgedEventAndOpeningFoldsThem) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = open();
    auto answer = message("m2", "answer");
    answer.reply_to = 1;
    answer.mentions = {"LEEidentity00001"};
    store->commit_group({message("m1", "first"), answer, message("m3", "doomed")});
    store->do_deferred_work();  // These three are in the database; the events only journaled.
    for (int i = 1; i <= 5; ++i)
      store->commit_group(
          {change("e" + std::to_string(i), event_kind::edit, 1, "first, edit " + std::to_string(i))});
    store->commit_group({change("t1", event_kind::react, 2, "👍", "LEEidentity00001"),
                         change("t2", event_kind::react, 2, "🎉", "LEEidentity00001")});
    store->commit_group({change("t3", event_kind::unreact, 2, "🎉", "LEEidentity00001")});
    store->commit_group({change("d1", event_kind::remove, 3, "")});
    die(store->has_deferred_work() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the child had events waiting when it died";

  auto store = open();
  EXPECT_EQ(store->last_seq("lobby"), 12u);
  const auto page = store->read_before("lobby", std::nullopt, 10, "LEEidentity00001");
  ASSERT_EQ(page.messages.size(), 3u);
  EXPECT_EQ(page.messages[0].text, "first, edit 5");
  EXPECT_EQ(page.messages[0].edited, 2000);
  ASSERT_TRUE(page.messages[1].reply);
  EXPECT_EQ(page.messages[1].reply->text, "first, edit 5");
  EXPECT_EQ(page.messages[1].mentions, std::vector<std::string>{"LEEidentity00001"});
  ASSERT_EQ(page.messages[1].reactions.size(), 1u) << "the unreact replayed too";
  EXPECT_EQ(page.messages[1].reactions[0].emoji, "👍");
  EXPECT_TRUE(page.messages[1].reactions[0].mine);
  EXPECT_TRUE(page.messages[2].deleted);
  const auto replay = store->read_after("lobby", 3, 100);
  ASSERT_EQ(replay.size(), 9u);
  EXPECT_EQ(replay[0].kind, event_kind::edit);
  EXPECT_EQ(replay[0].target, 1u);
  EXPECT_EQ(replay[5].kind, event_kind::react);
  EXPECT_EQ(replay[5].text, "👍");
  EXPECT_EQ(replay[7].kind, event_kind::unreact);
  EXPECT_EQ(replay[8].kind, event_kind::remove);
  EXPECT_EQ(replay[8].target, 3u);
  EXPECT_TRUE(store->commit_group({change("t1", event_kind::react, 2, "👍", "LEEidentity00001")})[0].duplicate)
      << "a resend of a journaled event";
  EXPECT_EQ(bytes_of(journal()).find("doomed"), std::string::npos)
      << "opening moved the journal and emptied it";
}

TEST_F(JournaledConversation, ADeletedTextLeavesTheJournalWithTheDeferredMoveAndNoReadShowsItMeanwhile) {
  auto store = open();
  store->commit_group({message("m1", "SECRET-ORIGINAL"), message("m2", "keep me")});
  store->do_deferred_work();  // In the database; the journal still holds it (emptied when big).
  store->commit_group({change("e1", event_kind::edit, 1, "SECRET-EDITED")});
  store->commit_group({message("m3", "also kept")});
  store->commit_group({change("d1", event_kind::remove, 1, "")});
  EXPECT_TRUE(store->has_deferred_work());
  EXPECT_NE(bytes_of(journal()).find("SECRET"), std::string::npos)
      << "until the deferred move the journal holds it (the bound docs/security.md states)";
  for (const auto& row : store->read_after("lobby", 0, 100))
    EXPECT_EQ(row.text.find("SECRET"), std::string::npos) << "row " << row.seq;
  EXPECT_TRUE(store->read_before("lobby", std::nullopt, 10).messages[0].deleted);
  store->do_deferred_work();
  EXPECT_FALSE(store->has_deferred_work());
  EXPECT_EQ(files().find("SECRET"), std::string::npos) << "journal, database and WAL";
  EXPECT_NE(files().find("keep me"), std::string::npos);
  EXPECT_EQ(store->read_after("lobby", 0, 100).size(), 5u);
}

TEST_F(JournaledConversation, JournalRecordsKeepEveryFieldOfEveryKind) {
  std::vector<core::chat_message> rows;
  for (int k = 0; k <= static_cast<int>(event_kind::unreact); ++k) {
    core::chat_message m;
    m.room = "lobby";
    m.seq = static_cast<std::uint64_t>(k + 1);
    m.id = "id" + std::to_string(k);
    m.username = "kim";
    m.text = "text " + std::to_string(k);
    m.device = "KIMidentity00001";
    m.ts = 1700000000000 + k;
    m.kind = static_cast<event_kind>(k);
    m.target = k == 0 ? 0 : 1;
    m.reply_to = k == 0 ? 7 : 0;
    m.mentions = k <= 1 ? std::vector<std::string>{"A", "BB"} : std::vector<std::string>{};
    rows.push_back(m);
  }
  {
    message_journal j(journal(), false);
    j.append(rows);
  }
  message_journal j(journal(), false);
  ASSERT_EQ(j.recovered().size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& got = j.recovered()[i];
    EXPECT_EQ(got.kind, rows[i].kind) << i;
    EXPECT_EQ(got.target, rows[i].target) << i;
    EXPECT_EQ(got.reply_to, rows[i].reply_to) << i;
    EXPECT_EQ(got.mentions, rows[i].mentions) << i;
    EXPECT_EQ(got.text, rows[i].text) << i;
    EXPECT_EQ(got.ts, rows[i].ts) << i;
  }
}

TEST_F(JournaledConversation, APlainMessagesRecordIsAsBeforeSoAnOlderJournalReadsAsPlainMessages) {
  core::chat_message m;
  m.room = "lobby";
  m.seq = 1;
  m.id = "x";
  m.username = "kim";
  m.text = "hello";
  m.device = "dev123";
  m.ts = 1000;
  {
    message_journal j(journal(), false);
    j.append({m});
  }
  // magic, length + crc, seq + ts, five strings each with its u32 length: nothing more.
  EXPECT_EQ(std::filesystem::file_size(journal()), 8u + 8u + 16u + 5u * 4u + 5u + 1u + 3u + 5u + 6u);
  message_journal j(journal(), false);
  ASSERT_EQ(j.recovered().size(), 1u);
  EXPECT_EQ(j.recovered()[0].kind, event_kind::message);
  EXPECT_EQ(j.recovered()[0].text, "hello");
}

}  // namespace
}  // namespace message::store
