// Opening the SQLite store does not read the whole file (issue 32: restart time does not grow
// with history): damage past the header and schema is found by the background quick_check,
// and the store then refuses every write.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "store/sqlite_message_store.hpp"
#include "temp_dir.hpp"

namespace message::store {
namespace {

TEST(SqliteIntegrity, DamageDeepInTheFileOpensThenRefusesWrites) {
  test::temp_dir tmp;
  const auto file = tmp.path() / "messages.db";
  {
    sqlite_message_store store(file, durability::process);
    std::vector<core::new_message> batch;
    for (int i = 0; i < 2000; ++i)
      batch.push_back({"r", "id-" + std::to_string(i), "kim", std::string(400, 'x'), "dev123", 1000 + i});
    store.commit_group(batch);
  }  // Closing checkpoints the WAL into the file.
  const auto size = std::filesystem::file_size(file);
  constexpr std::uintmax_t page = 4096;
  ASSERT_GT(size, 40 * page) << "enough pages to damage one in the middle";
  {
    // A page in the middle of the messages' B-tree, far from page 1 and the schema.
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>((size / page / 2) * page));
    const std::string garbage(page, '\xA5');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  sqlite_message_store store(file, durability::process);  // Opens: the damage is not read yet.
  store.wait_for_integrity_check();
  try {
    store.commit_group({{"r2", "after", "kim", "hello", "dev123", 5000}});
    ADD_FAILURE() << "a write to a damaged database was accepted";
  } catch (const store_error& e) {
    // The background check refused it, not the insert stumbling on the damaged page.
    EXPECT_NE(std::string(e.what()).find("is corrupt:"), std::string::npos) << e.what();
  }
}

TEST(SqliteIntegrity, ASoundFileKeepsTakingWrites) {
  test::temp_dir tmp;
  const auto file = tmp.path() / "messages.db";
  { sqlite_message_store(file, durability::process).commit_group({{"r", "a", "kim", "hi", "dev123", 1}}); }
  sqlite_message_store store(file, durability::process);
  store.wait_for_integrity_check();
  EXPECT_EQ(store.commit_group({{"r", "b", "kim", "hi", "dev123", 2}}).size(), 1u);
  EXPECT_EQ(store.last_seq("r"), 2u);
}

}  // namespace
}  // namespace message::store
