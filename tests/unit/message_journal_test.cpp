// The journal file on its own: what was appended is read back at the next opening, a torn or
// damaged tail is cut off without losing the whole records before it, damage with whole
// records after it is refused (or salvaged on request, the original kept), a foreign file is
// refused and left alone, a failed append (the file size limit, as a full disk) leaves the
// records as they were, and appends survive a killed process (they are stores into a shared
// mapping of the file, reserved ahead). Real files in a temporary directory; the failing append
// runs in a child process, whose file size limit cannot touch the test runner.
#include "store/message_journal.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "core/sequencing_store.hpp"
#include "temp_dir.hpp"

namespace message::store {
namespace {

core::chat_message message(std::uint64_t seq, const std::string& text = "hello") {
  return {"lobby", seq,      "id-" + std::to_string(seq),          "kim",
          text,    "dev123", 1700000000000 + static_cast<int>(seq)};
}

class MessageJournal : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return tmp.path() / "messages.journal"; }
  std::string content() const {
    std::ifstream in(file(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  test::temp_dir tmp;
};

TEST_F(MessageJournal, WhatWasAppendedIsReadBackInOrder) {
  {
    message_journal journal(file(), false);
    EXPECT_TRUE(journal.recovered().empty());
    journal.append({message(1, "première ligne 👋"), message(2, "")});
    journal.append({{"kitchen", 7, "x", "lee", std::string(4000, 'q'), "", -5}});
  }
  message_journal again(file(), false);
  const auto& back = again.recovered();
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].seq, 1u);
  EXPECT_EQ(back[0].text, "première ligne 👋");
  EXPECT_EQ(back[0].id, "id-1");
  EXPECT_EQ(back[0].username, "kim");
  EXPECT_EQ(back[0].device, "dev123");
  EXPECT_EQ(back[0].ts, 1700000000001);
  EXPECT_EQ(back[1].text, "");
  EXPECT_EQ(back[2].room, "kitchen");
  EXPECT_EQ(back[2].seq, 7u);
  EXPECT_EQ(back[2].text.size(), 4000u);
  EXPECT_EQ(back[2].device, "");
  EXPECT_EQ(back[2].ts, -5);
}

TEST_F(MessageJournal, ATornTailIsCutOffAndTheWholeRecordsStay) {
  std::uintmax_t whole = 0;
  {
    message_journal journal(file(), false);
    journal.append({message(1), message(2)});
    whole = journal.size();
    journal.append({message(3)});
  }
  // Power lost in the middle of the third record's write.
  std::filesystem::resize_file(file(), whole + 11);
  {
    message_journal journal(file(), false);
    ASSERT_EQ(journal.recovered().size(), 2u);
    EXPECT_EQ(journal.recovered()[1].seq, 2u);
    EXPECT_EQ(std::filesystem::file_size(file()), whole) << "the torn bytes are cut off";
    journal.append({message(3)});
  }
  message_journal again(file(), false);
  ASSERT_EQ(again.recovered().size(), 3u) << "an append after the cut is read back too";
  EXPECT_EQ(again.recovered()[2].seq, 3u);
}

TEST_F(MessageJournal, AppendsSurviveAKilledProcessAndTheReservedSpaceIsNoDamage) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // _exit: no destructor runs, as when the process is killed; the file still holds the space
    // reserved ahead of the last append.
    message_journal journal(file(), false);
    for (std::uint64_t seq = 1; seq <= 5; ++seq) journal.append({message(seq)});
    ::_exit(std::filesystem::file_size(file()) > journal.size() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the file was not reserved ahead";
  message_journal journal(file(), false);
  ASSERT_EQ(journal.recovered().size(), 5u);
  EXPECT_EQ(journal.recovered()[4].seq, 5u);
  EXPECT_EQ(std::filesystem::file_size(file()), journal.size()) << "the zeros reserved ahead are cut off";
  journal.append({message(6)});
}

TEST_F(MessageJournal, AJournalGrowsPastManyReservationsAndClosesAtItsLastRecord) {
  std::uint64_t size = 0;
  {
    message_journal journal(file(), false);
    // 300 records of 4 KB: past four reservation steps, each a remap of the file.
    for (std::uint64_t seq = 1; seq <= 300; ++seq)
      journal.append({message(seq, std::string(4000, 'a' + seq % 26))});
    size = journal.size();
    ASSERT_GT(size, 4 * message_journal::reserve_step);
  }
  EXPECT_EQ(std::filesystem::file_size(file()), size) << "closing gives the space reserved ahead back";
  {
    message_journal journal(file(), false);
    ASSERT_EQ(journal.recovered().size(), 300u);
    EXPECT_EQ(journal.recovered()[299].text, std::string(4000, 'a' + 300 % 26));
    journal.reset();  // Unmaps and empties it; the next append maps anew.
    journal.append({message(301)});
  }
  message_journal again(file(), false);
  ASSERT_EQ(again.recovered().size(), 1u);
  EXPECT_EQ(again.recovered()[0].seq, 301u);
}

TEST_F(MessageJournal, ADamagedRecordEndsWhatIsTrusted) {
  {
    message_journal journal(file(), false);
    journal.append({message(1)});
    journal.append({message(2)});
  }
  auto bytes = content();
  bytes[bytes.size() - 3] ^= 0x5a;  // A flipped byte inside the second record's payload.
  std::ofstream(file(), std::ios::binary | std::ios::trunc) << bytes;
  message_journal journal(file(), false);
  ASSERT_EQ(journal.recovered().size(), 1u);
  EXPECT_EQ(journal.recovered()[0].seq, 1u);
}

TEST_F(MessageJournal, DamageWithWholeRecordsAfterItIsRefusedAndLeftAlone) {
  {
    message_journal journal(file(), false);
    for (std::uint64_t seq = 1; seq <= 4; ++seq) journal.append({message(seq)});
  }
  auto bytes = content();
  const std::size_t record = (bytes.size() - 8) / 4;  // The four records are of one size.
  bytes[8 + record + 20] ^= 0x5a;                     // Inside the second record's payload.
  std::ofstream(file(), std::ios::binary | std::ios::trunc) << bytes;
  try {
    message_journal journal(file(), false);
    FAIL() << "a journal damaged before whole records was opened";
  } catch (const store_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("offset " + std::to_string(8 + record)), std::string::npos) << what;
    EXPECT_NE(what.find("2 whole record(s) follow"), std::string::npos) << what;
    EXPECT_NE(what.find("--salvage-journal"), std::string::npos) << what;
  }
  EXPECT_EQ(content(), bytes) << "nothing is cut";
}

TEST_F(MessageJournal, ASalvageKeepsEveryWholeRecordAndTheOriginalBesideIt) {
  {
    message_journal journal(file(), false);
    for (std::uint64_t seq = 1; seq <= 4; ++seq) journal.append({message(seq)});
  }
  auto bytes = content();
  const std::size_t record = (bytes.size() - 8) / 4;
  bytes[8 + record + 1] ^= 0x5a;  // The second record's length: where the next one starts is lost.
  std::ofstream(file(), std::ios::binary | std::ios::trunc) << bytes;
  {
    message_journal journal(file(), false, true);
    EXPECT_TRUE(journal.salvaged());
    ASSERT_EQ(journal.recovered().size(), 3u);
    EXPECT_EQ(journal.recovered()[0].seq, 1u);
    EXPECT_EQ(journal.recovered()[1].seq, 3u);
    EXPECT_EQ(journal.recovered()[2].seq, 4u);
    journal.append({message(5)});
  }
  std::size_t aside = 0;
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path())) {
    if (entry.path().filename().string().rfind("messages.journal.damaged-", 0) != 0) continue;
    ++aside;
    std::ifstream in(entry.path(), std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()), bytes);
  }
  EXPECT_EQ(aside, 1u) << "the damaged original is kept";
  message_journal again(file(), false);
  EXPECT_FALSE(again.salvaged());
  ASSERT_EQ(again.recovered().size(), 4u) << "the salvaged file is a sound journal";
  EXPECT_EQ(again.recovered()[3].seq, 5u);
}

TEST_F(MessageJournal, AFileThatIsNotAJournalIsRefusedAndLeftAlone) {
  std::ofstream(file(), std::ios::binary) << "SQLite format 3, or anything else";
  try {
    message_journal journal(file(), false);
    FAIL() << "a foreign file was opened";
  } catch (const store_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a message journal"), std::string::npos) << e.what();
  }
  EXPECT_EQ(content(), "SQLite format 3, or anything else");
}

TEST_F(MessageJournal, ResetEmptiesIt) {
  {
    message_journal journal(file(), true);
    journal.append({message(1), message(2)});
    journal.reset();
    EXPECT_TRUE(journal.recovered().empty());
    journal.append({message(3)});
  }
  message_journal again(file(), false);
  ASSERT_EQ(again.recovered().size(), 1u);
  EXPECT_EQ(again.recovered()[0].seq, 3u);
}

TEST_F(MessageJournal, AFailedAppendLeavesTheFileAsItWas) {
  // In a child: a 64 KiB file size limit, like a disk that fills up. Exit codes: 0 = an append
  // failed with a clear error and the file kept its size; 1 = no append failed; 2 = the file
  // changed; 3 = another error.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{65536, 65536};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      message_journal journal(file(), false);
      for (std::uint64_t seq = 1; seq <= 100; ++seq) {
        const auto before = journal.size();
        try {
          journal.append({message(seq, std::string(3000, 'z')), message(seq + 1000, std::string(3000, 'y'))});
        } catch (const store_error& e) {
          const bool clear = std::string(e.what()).find("file size limit") != std::string::npos;
          // Past the records there may be space reserved ahead: zeros, nothing of the group.
          const auto bytes = content();
          const bool kept = journal.size() == before && bytes.size() >= before &&
                            bytes.find_first_not_of('\0', before) == std::string::npos;
          ::_exit(!clear ? 3 : kept ? 0 : 2);
        }
      }
      ::_exit(1);
    } catch (...) {
      ::_exit(3);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  // Every append before the failing one is whole; the failing one left nothing behind.
  message_journal journal(file(), false);
  EXPECT_EQ(journal.recovered().size() % 2, 0u);
  EXPECT_GT(journal.recovered().size(), 0u);
}

}  // namespace
}  // namespace message::store
