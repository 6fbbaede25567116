// The message_store conformance suite: one typed test run against every implementation, so
// each keeps the contract written on store/message_store.hpp.
#include <gtest/gtest.h>
#include <chrono>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>

#include "redis_server.hpp"
#include "store/journaled_message_store.hpp"
#include "store/memory_message_store.hpp"
#include "store/redis_message_store.hpp"
#include "store/sqlite_message_store.hpp"

namespace message::store {
namespace {

core::new_message msg(const std::string& room, const std::string& id, const std::string& text = "hi",
                      std::int64_t ts = 1000) {
  return {room, id, "kim", text, "dev123", ts};
}

std::filesystem::path fresh_db_path() {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("message-store-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir / "messages.db";
}

struct memory_factory {
  static bool available() { return true; }
  std::unique_ptr<message_store> open() { return std::make_unique<memory_message_store>(); }
  /// Memory does not survive a reopen; tests that need it skip.
  static constexpr bool durable = false;
  std::unique_ptr<message_store> reopen(std::unique_ptr<message_store> s) { return s; }
};

struct sqlite_factory {
  static bool available() { return true; }
  std::filesystem::path path = fresh_db_path();
  ~sqlite_factory() { std::filesystem::remove_all(path.parent_path()); }
  std::unique_ptr<message_store> open() {
    return std::make_unique<sqlite_message_store>(path, durability::process);
  }
  static constexpr bool durable = true;
  std::unique_ptr<message_store> reopen(std::unique_ptr<message_store> s) {
    s.reset();
    return open();
  }
};

/// The default store: its appends wait in memory and the journal (never moved here but by
/// retention and the close), so the suite reads what waits.
struct journaled_factory {
  static bool available() { return true; }
  std::filesystem::path path = fresh_db_path();
  ~journaled_factory() { std::filesystem::remove_all(path.parent_path()); }
  std::unique_ptr<message_store> open() {
    return std::make_unique<journaled_message_store>(path, path.parent_path() / "messages.journal",
                                                     durability::process);
  }
  static constexpr bool durable = true;
  std::unique_ptr<message_store> reopen(std::unique_ptr<message_store> s) {
    s.reset();
    return open();
  }
};

/// The default store as the store worker drives it, with the deferred move after every append:
/// each append's messages wait behind the ones already in the database.
class moving_store final : public message_store {
 public:
  explicit moving_store(std::unique_ptr<message_store> inner) : inner_(std::move(inner)) {}
  std::vector<append_result> append(const std::vector<core::new_message>& batch) override {
    inner_->do_deferred_work();
    return inner_->append(batch);
  }
  std::vector<core::chat_message> read_after(const std::string& room, std::uint64_t after,
                                             std::size_t limit) override {
    return inner_->read_after(room, after, limit);
  }
  history_page read_before(const std::string& room, std::optional<std::uint64_t> before,
                           std::size_t limit) override {
    return inner_->read_before(room, before, limit);
  }
  std::uint64_t last_seq(const std::string& room) override { return inner_->last_seq(room); }
  std::optional<std::uint64_t> oldest_seq(const std::string& room) override {
    return inner_->oldest_seq(room);
  }
  std::string room_epoch(const std::string& room) override { return inner_->room_epoch(room); }
  std::vector<room_info> rooms() override { return inner_->rooms(); }
  std::size_t prune(std::uint64_t keep_per_room, std::int64_t older_than_ms, std::int64_t id_cutoff_ms,
                    std::size_t max_rows) override {
    return inner_->prune(keep_per_room, older_than_ms, id_cutoff_ms, max_rows);
  }
  identity_directory& directory() override { return inner_->directory(); }

 private:
  std::unique_ptr<message_store> inner_;
};

struct journaled_moving_factory : journaled_factory {
  std::unique_ptr<message_store> open() { return std::make_unique<moving_store>(journaled_factory::open()); }
  std::unique_ptr<message_store> reopen(std::unique_ptr<message_store> s) {
    s.reset();
    return open();
  }
};

/// A real redis-server per test (fresh data), started on a free port; skipped without one.
struct redis_factory {
  static bool available() { return test::redis_server::available(); }
  std::unique_ptr<test::redis_server> server;
  std::unique_ptr<message_store> open() {
    if (!server) server = std::make_unique<test::redis_server>();
    return std::make_unique<redis_message_store>(redis::parse_redis_url(server->url()),
                                                 std::make_shared<redis::redis_status>());
  }
  static constexpr bool durable = true;
  std::unique_ptr<message_store> reopen(std::unique_ptr<message_store> s) {
    s.reset();
    return open();
  }
};

template <class Factory>
class MessageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Factory::available()) GTEST_SKIP() << "not installed here";
    store = factory.open();
  }
  Factory factory;
  std::unique_ptr<message_store> store;
};

using Implementations = ::testing::Types<memory_factory, sqlite_factory, journaled_factory,
                                         journaled_moving_factory, redis_factory>;
TYPED_TEST_SUITE(MessageStoreTest, Implementations);

TYPED_TEST(MessageStoreTest, AssignsConsecutiveSeqsPerRoomFromOne) {
  auto r = this->store->append({msg("a", "1"), msg("b", "2"), msg("a", "3")});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].seq, 1u);
  EXPECT_EQ(r[1].seq, 1u);
  EXPECT_EQ(r[2].seq, 2u);
  EXPECT_EQ(this->store->append({msg("a", "4")})[0].seq, 3u);
  EXPECT_EQ(this->store->last_seq("a"), 3u);
  EXPECT_EQ(this->store->last_seq("b"), 1u);
  EXPECT_EQ(this->store->last_seq("never"), 0u);
}

TYPED_TEST(MessageStoreTest, RoomEpochIsMadeOnceKeptAcrossReopenAndPerRoom) {
  const auto a = this->store->room_epoch("a");
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(this->store->room_epoch("a"), a) << "asked again";
  this->store->append({msg("a", "1")});
  EXPECT_EQ(this->store->room_epoch("a"), a) << "messages do not change it";
  EXPECT_NE(this->store->room_epoch("b"), a) << "each room has its own";
  this->store = this->factory.reopen(std::move(this->store));
  EXPECT_EQ(this->store->room_epoch("a"), a) << "kept with the messages";
}

TYPED_TEST(MessageStoreTest, DuplicateIdGetsTheEarlierSeqAndIsNotStoredTwice) {
  this->store->append({msg("a", "x", "first")});
  auto r = this->store->append({msg("a", "y"), msg("a", "x", "again"), msg("a", "y")});
  EXPECT_FALSE(r[0].duplicate);
  EXPECT_TRUE(r[1].duplicate);
  EXPECT_EQ(r[1].seq, 1u);
  EXPECT_TRUE(r[2].duplicate) << "a duplicate within one batch";
  EXPECT_EQ(r[2].seq, 2u);
  auto all = this->store->read_after("a", 0, 100);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].text, "first");
  EXPECT_EQ(this->store->append({msg("b", "x")})[0].duplicate, false) << "ids are per room";
}

TYPED_TEST(MessageStoreTest, ReadAfterReturnsTheTailInOrder) {
  std::vector<core::new_message> batch;
  for (int i = 1; i <= 20; ++i) batch.push_back(msg("r", "id" + std::to_string(i), "m" + std::to_string(i)));
  this->store->append(batch);
  for (std::uint64_t s = 0; s <= 21; ++s) {
    auto tail = this->store->read_after("r", s, 100);
    ASSERT_EQ(tail.size(), s >= 20 ? 0u : 20 - s);
    for (std::size_t i = 0; i < tail.size(); ++i) EXPECT_EQ(tail[i].seq, s + 1 + i);
  }
  EXPECT_EQ(this->store->read_after("r", 5, 3).size(), 3u);
  auto m = this->store->read_after("r", 0, 1)[0];
  EXPECT_EQ(m.room, "r");
  EXPECT_EQ(m.id, "id1");
  EXPECT_EQ(m.username, "kim");
  EXPECT_EQ(m.text, "m1");
  EXPECT_EQ(m.device, "dev123");
  EXPECT_EQ(m.ts, 1000);
}

TYPED_TEST(MessageStoreTest, ReadBeforePagesBackwardsOldestFirst) {
  std::vector<core::new_message> batch;
  for (int i = 1; i <= 10; ++i) batch.push_back(msg("r", std::to_string(i)));
  this->store->append(batch);
  auto latest = this->store->read_before("r", std::nullopt, 4);
  ASSERT_EQ(latest.messages.size(), 4u);
  EXPECT_EQ(latest.messages.front().seq, 7u);
  EXPECT_EQ(latest.messages.back().seq, 10u);
  EXPECT_TRUE(latest.more);
  auto older = this->store->read_before("r", 7, 4);
  EXPECT_EQ(older.messages.front().seq, 3u);
  EXPECT_TRUE(older.more);
  auto first = this->store->read_before("r", 3, 4);
  ASSERT_EQ(first.messages.size(), 2u);
  EXPECT_EQ(first.messages.front().seq, 1u);
  EXPECT_FALSE(first.more);
  EXPECT_TRUE(this->store->read_before("empty", std::nullopt, 4).messages.empty());
}

TYPED_TEST(MessageStoreTest, ListsRooms) {
  this->store->append({msg("b", "1"), msg("a", "2"), msg("a", "3")});
  auto rooms = this->store->rooms();
  ASSERT_EQ(rooms.size(), 2u);
  EXPECT_EQ(rooms[0].room, "a");
  EXPECT_EQ(rooms[0].last_seq, 2u);
  EXPECT_EQ(rooms[1].room, "b");
}

TYPED_TEST(MessageStoreTest, RetentionNeverReusesSeqs) {
  std::vector<core::new_message> batch;
  for (int i = 1; i <= 10; ++i) batch.push_back(msg("r", std::to_string(i), "m", i));
  this->store->append(batch);
  this->store->prune(3, 0, 0, 1000);
  auto left = this->store->read_after("r", 0, 100);
  ASSERT_EQ(left.size(), 3u);
  EXPECT_EQ(left.front().seq, 8u);
  EXPECT_FALSE(this->store->read_before("r", std::nullopt, 10).more);
  this->store->prune(0, 100, 0, 1000);  // Everything is older than ts 100.
  EXPECT_TRUE(this->store->read_after("r", 0, 100).empty());
  EXPECT_EQ(this->store->append({msg("r", "11")})[0].seq, 11u);
  EXPECT_EQ(this->store->last_seq("r"), 11u);
}

TYPED_TEST(MessageStoreTest, IdsAreRememberedUntilTheirCutoff) {
  this->store->append({msg("r", "old", "m", 50), msg("r", "new", "m", 5000)});
  this->store->prune(0, 0, 100, 1000);
  EXPECT_TRUE(this->store->append({msg("r", "new")})[0].duplicate);
  EXPECT_FALSE(this->store->append({msg("r", "old")})[0].duplicate) << "forgotten after the cutoff";
}

TYPED_TEST(MessageStoreTest, IdsOfMessagesRemovedByRetentionAreStillRemembered) {
  this->store->append({msg("r", "a", "m", 5000), msg("r", "b", "m", 5000), msg("r", "c", "m", 9000)});
  this->store->prune(2, 0, 100, 1000);     // Keeps the last two: "a" goes.
  this->store->prune(0, 6000, 100, 1000);  // Older than ts 6000: "b" goes.
  ASSERT_EQ(this->store->read_after("r", 0, 10).size(), 1u);
  const auto again = this->store->append({msg("r", "a"), msg("r", "b"), msg("r", "c")});
  for (std::size_t i = 0; i < again.size(); ++i) {
    EXPECT_TRUE(again[i].duplicate) << i;
    EXPECT_EQ(again[i].seq, i + 1);
  }
  EXPECT_EQ(this->store->append({msg("r", "d")})[0].seq, 4u);
}

TYPED_TEST(MessageStoreTest, SurvivesReopen) {
  if (!TypeParam::durable) GTEST_SKIP() << "not a durable store";
  this->store->append({msg("r", "1"), msg("r", "2")});
  this->store = this->factory.reopen(std::move(this->store));
  EXPECT_EQ(this->store->last_seq("r"), 2u);
  EXPECT_EQ(this->store->read_after("r", 0, 10).size(), 2u);
  EXPECT_TRUE(this->store->append({msg("r", "2")})[0].duplicate);
  EXPECT_EQ(this->store->append({msg("r", "3")})[0].seq, 3u);
}

TEST(SqliteMessageStore, RefusesAFileThatIsNotADatabase) {
  auto path = fresh_db_path();
  { std::ofstream(path) << std::string(4096, 'x'); }
  try {
    sqlite_message_store s(path, durability::process);
    FAIL() << "opened garbage";
  } catch (const store_error& e) {
    EXPECT_NE(std::string(e.what()).find("not"), std::string::npos) << e.what();
  }
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, std::string(4096, 'x')) << "the file must never be replaced";
  std::filesystem::remove_all(path.parent_path());
}

// --- names (identity_directory) -------------------------------------------------------------

TYPED_TEST(MessageStoreTest, TheFirstIdentityOwnsANameWhateverItsCase) {
  auto& d = this->store->directory();
  EXPECT_EQ(d.name_owner("kim"), "");
  auto first = d.claim_name("id-a", "Kim");
  EXPECT_TRUE(first.granted);
  EXPECT_EQ(first.previous, "");
  EXPECT_EQ(d.name_owner("kim"), "id-a");
  EXPECT_EQ(d.name_owner("KIM"), "id-a");
  auto second = d.claim_name("id-b", "kim");
  EXPECT_FALSE(second.granted);
  EXPECT_EQ(second.owner, "id-a");
  EXPECT_TRUE(d.claim_name("id-a", "kim").granted) << "the owner may claim it again";
  auto names = d.names_of({"id-a", "id-b"});
  EXPECT_EQ(names.size(), 1u);
  EXPECT_EQ(names["id-a"], "kim") << "as last given";
}

TYPED_TEST(MessageStoreTest, ARenameReleasesTheOldNameAndReleaseFreesIt) {
  auto& d = this->store->directory();
  ASSERT_TRUE(d.claim_name("id-a", "kim").granted);
  auto rename = d.claim_name("id-a", "kimberly");
  EXPECT_TRUE(rename.granted);
  EXPECT_EQ(rename.previous, "kim");
  EXPECT_EQ(d.name_owner("kim"), "") << "one name per identity";
  EXPECT_TRUE(d.claim_name("id-b", "kim").granted);
  EXPECT_EQ(d.release_name("id-a"), "kimberly");
  EXPECT_EQ(d.release_name("id-a"), "");
  EXPECT_EQ(d.name_owner("kimberly"), "");
  EXPECT_TRUE(d.names_of({"id-a"}).empty());
  EXPECT_EQ(d.names_of({"id-b"})["id-b"], "kim");
}

TYPED_TEST(MessageStoreTest, NamesSurviveAReopen) {
  if (!TypeParam::durable) GTEST_SKIP() << "memory does not survive a reopen";
  ASSERT_TRUE(this->store->directory().claim_name("id-a", "kim").granted);
  this->store = this->factory.reopen(std::move(this->store));
  EXPECT_EQ(this->store->directory().name_owner("Kim"), "id-a");
  EXPECT_FALSE(this->store->directory().claim_name("id-b", "kim").granted);
}

// --- follows and private rooms (identity_directory) -----------------------------------------

TYPED_TEST(MessageStoreTest, RemembersWhichRoomsAnIdentityFollows) {
  auto& d = this->store->directory();
  d.set_following("id-a", "lobby", true);
  d.set_following("id-a", "kitchen", true);
  d.set_following("id-a", "kitchen", true);
  d.set_following("id-b", "garden", true);
  EXPECT_EQ(d.followed("id-a"), (std::vector<std::string>{"kitchen", "lobby"}));
  d.set_following("id-a", "lobby", false);
  EXPECT_EQ(d.followed("id-a"), (std::vector<std::string>{"kitchen"}));
  EXPECT_TRUE(d.followed("id-c").empty());
}

TYPED_TEST(MessageStoreTest, APrivateRoomIsReadableByItsMembersOnly) {
  auto& d = this->store->directory();
  EXPECT_TRUE(d.access("lobby", "id-a").allowed()) << "rooms are public unless made private";
  EXPECT_FALSE(d.access("lobby", "id-a").is_private);
  ASSERT_TRUE(d.create_private_room("secret", "id-a", "s3cr3t"));
  EXPECT_FALSE(d.create_private_room("secret", "id-b", "other")) << "made once";
  EXPECT_TRUE(d.access("secret", "id-a").allowed());
  EXPECT_FALSE(d.access("secret", "id-b").allowed());
  EXPECT_FALSE(d.access("secret", "").allowed()) << "anonymous connections are never members";
  EXPECT_EQ(d.room_secret("secret"), "s3cr3t");
  EXPECT_EQ(d.room_secret("lobby"), "");
  EXPECT_EQ(d.hidden_rooms("id-b"), (std::vector<std::string>{"secret"}));
  EXPECT_TRUE(d.hidden_rooms("id-a").empty());
  d.add_member("secret", "id-b");
  EXPECT_TRUE(d.access("secret", "id-b").allowed());
  EXPECT_TRUE(d.hidden_rooms("id-b").empty());
  d.add_member("lobby", "id-b");
  EXPECT_FALSE(d.access("lobby", "id-b").is_private) << "adding to a public room changes nothing";
}

TYPED_TEST(MessageStoreTest, PrivateRoomsAndFollowsSurviveAReopen) {
  if (!TypeParam::durable) GTEST_SKIP() << "memory does not survive a reopen";
  this->store->directory().create_private_room("secret", "id-a", "s3cr3t");
  this->store->directory().set_following("id-a", "secret", true);
  this->store = this->factory.reopen(std::move(this->store));
  EXPECT_FALSE(this->store->directory().access("secret", "id-b").allowed());
  EXPECT_TRUE(this->store->directory().access("secret", "id-a").allowed());
  EXPECT_EQ(this->store->directory().followed("id-a"), (std::vector<std::string>{"secret"}));
}

// --- read positions (identity_directory) --------------------------------------------------------

TYPED_TEST(MessageStoreTest, ReadPositionsOnlyRiseAndArePerIdentityAndRoom) {
  auto& d = this->store->directory();
  EXPECT_EQ(d.read_position("id-a", "lobby"), 0u);
  EXPECT_TRUE(d.raise_read("id-a", "lobby", 5));
  EXPECT_FALSE(d.raise_read("id-a", "lobby", 3)) << "lower: ignored";
  EXPECT_FALSE(d.raise_read("id-a", "lobby", 5)) << "the same: nothing changes";
  EXPECT_TRUE(d.raise_read("id-a", "lobby", 9));
  EXPECT_TRUE(d.raise_read("id-b", "lobby", 2));
  EXPECT_TRUE(d.raise_read("id-a", "kitchen", 1));
  EXPECT_EQ(d.read_position("id-a", "lobby"), 9u);
  EXPECT_EQ(d.read_position("id-b", "lobby"), 2u);
  EXPECT_EQ(d.read_position("id-b", "kitchen"), 0u);
  EXPECT_EQ(d.readers("lobby"),
            (std::vector<std::pair<std::string, std::uint64_t>>{{"id-a", 9}, {"id-b", 2}}));
  EXPECT_TRUE(d.readers("garden").empty());
}

TYPED_TEST(MessageStoreTest, ReadPositionsSurviveAReopen) {
  if (!TypeParam::durable) GTEST_SKIP() << "memory does not survive a reopen";
  this->store->directory().raise_read("id-a", "lobby", 7);
  this->store = this->factory.reopen(std::move(this->store));
  EXPECT_EQ(this->store->directory().read_position("id-a", "lobby"), 7u);
  EXPECT_FALSE(this->store->directory().raise_read("id-a", "lobby", 6));
}

// --- device linking (identity_directory) ----------------------------------------------------

namespace {
// Wall-clock ms: Redis expires a code's key by its own clock, so the tests use the real one.
std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

TYPED_TEST(MessageStoreTest, ALinkCodeIsSpentOnce) {
  auto& d = this->store->directory();
  const auto now = wall_ms();
  d.put_link_code("ABCD2345", "id-a", now + 300000);
  EXPECT_EQ(d.take_link_code("ABCD2345", now), "id-a");
  EXPECT_EQ(d.take_link_code("ABCD2345", now), "") << "used once";
  EXPECT_EQ(d.take_link_code("ZZZZ2345", now), "") << "never made";
}

TYPED_TEST(MessageStoreTest, AnExpiredLinkCodeIsRefused) {
  auto& d = this->store->directory();
  const auto now = wall_ms();
  d.put_link_code("EXPD2345", "id-a", now + 60000);
  EXPECT_EQ(d.take_link_code("EXPD2345", now + 60001), "");
  EXPECT_EQ(d.take_link_code("EXPD2345", now), "") << "an expired code is gone, not kept for later";
}

TYPED_TEST(MessageStoreTest, ALinkedDeviceResolvesToItsIdentity) {
  auto& d = this->store->directory();
  EXPECT_EQ(d.identity_of_device("dev-b"), "dev-b") << "an unlinked device is its own identity";
  d.link_device("dev-b", "id-a");
  EXPECT_EQ(d.identity_of_device("dev-b"), "id-a");
  EXPECT_EQ(d.identity_of_device("id-a"), "id-a");
}

TYPED_TEST(MessageStoreTest, LinksAndCodesSurviveAReopen) {
  if (!TypeParam::durable) GTEST_SKIP() << "memory does not survive a reopen";
  const auto now = wall_ms();
  this->store->directory().link_device("dev-b", "id-a");
  this->store->directory().put_link_code("KEEP2345", "id-a", now + 300000);
  this->store = this->factory.reopen(std::move(this->store));
  EXPECT_EQ(this->store->directory().identity_of_device("dev-b"), "id-a");
  EXPECT_EQ(this->store->directory().take_link_code("KEEP2345", now), "id-a");
}

TYPED_TEST(MessageStoreTest, KnowsTheOldestSeqStillStored) {
  EXPECT_EQ(this->store->oldest_seq("a"), std::nullopt) << "never written";
  this->store->append({msg("a", "1"), msg("a", "2"), msg("a", "3"), msg("a", "4"), msg("a", "5")});
  EXPECT_EQ(this->store->oldest_seq("a"), 1u);
  this->store->prune(2, 0, 0, 1000);
  EXPECT_EQ(this->store->oldest_seq("a"), 4u) << "retention removed 1 to 3";
  this->store->append({msg("b", "1")});
  EXPECT_EQ(this->store->oldest_seq("b"), 1u);
}

}  // namespace
}  // namespace message::store
