// The sequencing_store conformance suite: one typed test run against every implementation, so
// each keeps the contract written on core/sequencing_store.hpp.
#include <gtest/gtest.h>
#include <chrono>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>

#include <hiredis/hiredis.h>

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
  std::unique_ptr<sequencing_store> open() { return std::make_unique<memory_message_store>(); }
  /// Memory does not survive a reopen; tests that need it skip.
  static constexpr bool durable = false;
  std::unique_ptr<sequencing_store> reopen(std::unique_ptr<sequencing_store> s) { return s; }
};

struct sqlite_factory {
  static bool available() { return true; }
  std::filesystem::path path = fresh_db_path();
  ~sqlite_factory() { std::filesystem::remove_all(path.parent_path()); }
  std::unique_ptr<sequencing_store> open() {
    return std::make_unique<sqlite_message_store>(path, durability::process);
  }
  static constexpr bool durable = true;
  std::unique_ptr<sequencing_store> reopen(std::unique_ptr<sequencing_store> s) {
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
  std::unique_ptr<sequencing_store> open() {
    return std::make_unique<journaled_message_store>(path, path.parent_path() / "messages.journal",
                                                     durability::process);
  }
  static constexpr bool durable = true;
  std::unique_ptr<sequencing_store> reopen(std::unique_ptr<sequencing_store> s) {
    s.reset();
    return open();
  }
};

/// The default store as the store worker drives it, with the deferred move after every append:
/// each append's messages wait behind the ones already in the database.
class moving_store final : public sequencing_store {
 public:
  explicit moving_store(std::unique_ptr<sequencing_store> inner) : inner_(std::move(inner)) {}
  std::vector<append_result> commit_group(const std::vector<core::new_message>& batch) override {
    inner_->do_deferred_work();
    return inner_->commit_group(batch);
  }
  std::vector<core::chat_message> read_after(const std::string& room, std::uint64_t after,
                                             std::size_t limit) override {
    return inner_->read_after(room, after, limit);
  }
  history_page read_before(const std::string& room, std::optional<std::uint64_t> before, std::size_t limit,
                           const std::string& viewer = {}) override {
    return inner_->read_before(room, before, limit, viewer);
  }
  std::vector<core::chat_message> read_messages_after(const std::string& room, std::uint64_t after,
                                                      std::size_t limit,
                                                      const std::string& viewer = {}) override {
    return inner_->read_messages_after(room, after, limit, viewer);
  }
  std::optional<core::chat_message> find(const std::string& room, std::uint64_t seq) override {
    return inner_->find(room, seq);
  }
  std::vector<core::reaction_summary> reactions(const std::string& room, std::uint64_t seq) override {
    return inner_->reactions(room, seq);
  }
  std::uint64_t last_seq(const std::string& room) override { return inner_->last_seq(room); }
  std::optional<std::uint64_t> oldest_seq(const std::string& room) override {
    return inner_->oldest_seq(room);
  }
  std::string room_epoch(const std::string& room) override { return inner_->room_epoch(room); }
  std::vector<room_info> rooms() override { return inner_->rooms(); }
  std::vector<file_use> file_uses(const std::string& sha256) override { return inner_->file_uses(sha256); }
  void mark_file_gone(const std::string& sha256) override { inner_->mark_file_gone(sha256); }
  std::size_t prune(std::uint64_t keep_per_room, std::int64_t older_than_ms, std::int64_t id_cutoff_ms,
                    std::size_t max_rows) override {
    return inner_->prune(keep_per_room, older_than_ms, id_cutoff_ms, max_rows);
  }
  identity_directory& directory() override { return inner_->directory(); }

 private:
  std::unique_ptr<sequencing_store> inner_;
};

struct journaled_moving_factory : journaled_factory {
  std::unique_ptr<sequencing_store> open() {
    return std::make_unique<moving_store>(journaled_factory::open());
  }
  std::unique_ptr<sequencing_store> reopen(std::unique_ptr<sequencing_store> s) {
    s.reset();
    return open();
  }
};

/// A real redis-server per test (fresh data), started on a free port; skipped without one.
struct redis_factory {
  static bool available() { return test::redis_server::available(); }
  std::unique_ptr<test::redis_server> server;
  std::unique_ptr<sequencing_store> open() {
    if (!server) server = std::make_unique<test::redis_server>();
    return std::make_unique<redis_message_store>(redis::parse_redis_url(server->url()),
                                                 std::make_shared<redis::redis_status>());
  }
  static constexpr bool durable = true;
  std::unique_ptr<sequencing_store> reopen(std::unique_ptr<sequencing_store> s) {
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
  std::unique_ptr<sequencing_store> store;
};

using Implementations = ::testing::Types<memory_factory, sqlite_factory, journaled_factory,
                                         journaled_moving_factory, redis_factory>;
TYPED_TEST_SUITE(MessageStoreTest, Implementations);

TYPED_TEST(MessageStoreTest, AssignsConsecutiveSeqsPerRoomFromOne) {
  auto r = this->store->commit_group({msg("a", "1"), msg("b", "2"), msg("a", "3")});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].seq, 1u);
  EXPECT_EQ(r[1].seq, 1u);
  EXPECT_EQ(r[2].seq, 2u);
  EXPECT_EQ(this->store->commit_group({msg("a", "4")})[0].seq, 3u);
  EXPECT_EQ(this->store->last_seq("a"), 3u);
  EXPECT_EQ(this->store->last_seq("b"), 1u);
  EXPECT_EQ(this->store->last_seq("never"), 0u);
}

TYPED_TEST(MessageStoreTest, RoomEpochIsMadeOnceKeptAcrossReopenAndPerRoom) {
  const auto a = this->store->room_epoch("a");
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(this->store->room_epoch("a"), a) << "asked again";
  this->store->commit_group({msg("a", "1")});
  EXPECT_EQ(this->store->room_epoch("a"), a) << "messages do not change it";
  EXPECT_NE(this->store->room_epoch("b"), a) << "each room has its own";
  this->store = this->factory.reopen(std::move(this->store));
  EXPECT_EQ(this->store->room_epoch("a"), a) << "kept with the messages";
}

TYPED_TEST(MessageStoreTest, DuplicateIdGetsTheEarlierSeqAndIsNotStoredTwice) {
  this->store->commit_group({msg("a", "x", "first")});
  auto r = this->store->commit_group({msg("a", "y"), msg("a", "x", "again"), msg("a", "y")});
  EXPECT_FALSE(r[0].duplicate);
  EXPECT_TRUE(r[1].duplicate);
  EXPECT_EQ(r[1].seq, 1u);
  EXPECT_TRUE(r[2].duplicate) << "a duplicate within one batch";
  EXPECT_EQ(r[2].seq, 2u);
  auto all = this->store->read_after("a", 0, 100);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].text, "first");
  EXPECT_EQ(this->store->commit_group({msg("b", "x")})[0].duplicate, false) << "ids are per room";
}

TYPED_TEST(MessageStoreTest, ReadAfterReturnsTheTailInOrder) {
  std::vector<core::new_message> batch;
  for (int i = 1; i <= 20; ++i) batch.push_back(msg("r", "id" + std::to_string(i), "m" + std::to_string(i)));
  this->store->commit_group(batch);
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
  this->store->commit_group(batch);
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
  this->store->commit_group({msg("b", "1"), msg("a", "2"), msg("a", "3")});
  auto rooms = this->store->rooms();
  ASSERT_EQ(rooms.size(), 2u);
  EXPECT_EQ(rooms[0].room, "a");
  EXPECT_EQ(rooms[0].last_seq, 2u);
  EXPECT_EQ(rooms[1].room, "b");
}

TYPED_TEST(MessageStoreTest, RetentionNeverReusesSeqs) {
  std::vector<core::new_message> batch;
  for (int i = 1; i <= 10; ++i) batch.push_back(msg("r", std::to_string(i), "m", i));
  this->store->commit_group(batch);
  this->store->prune(3, 0, 0, 1000);
  auto left = this->store->read_after("r", 0, 100);
  ASSERT_EQ(left.size(), 3u);
  EXPECT_EQ(left.front().seq, 8u);
  EXPECT_FALSE(this->store->read_before("r", std::nullopt, 10).more);
  this->store->prune(0, 100, 0, 1000);  // Everything is older than ts 100.
  EXPECT_TRUE(this->store->read_after("r", 0, 100).empty());
  EXPECT_EQ(this->store->commit_group({msg("r", "11")})[0].seq, 11u);
  EXPECT_EQ(this->store->last_seq("r"), 11u);
}

TYPED_TEST(MessageStoreTest, IdsAreRememberedUntilTheirCutoff) {
  this->store->commit_group({msg("r", "old", "m", 50), msg("r", "new", "m", 5000)});
  this->store->prune(0, 0, 100, 1000);
  EXPECT_TRUE(this->store->commit_group({msg("r", "new")})[0].duplicate);
  EXPECT_FALSE(this->store->commit_group({msg("r", "old")})[0].duplicate) << "forgotten after the cutoff";
}

TYPED_TEST(MessageStoreTest, IdsOfMessagesRemovedByRetentionAreStillRemembered) {
  this->store->commit_group({msg("r", "a", "m", 5000), msg("r", "b", "m", 5000), msg("r", "c", "m", 9000)});
  this->store->prune(2, 0, 100, 1000);     // Keeps the last two: "a" goes.
  this->store->prune(0, 6000, 100, 1000);  // Older than ts 6000: "b" goes.
  ASSERT_EQ(this->store->read_after("r", 0, 10).size(), 1u);
  const auto again = this->store->commit_group({msg("r", "a"), msg("r", "b"), msg("r", "c")});
  for (std::size_t i = 0; i < again.size(); ++i) {
    EXPECT_TRUE(again[i].duplicate) << i;
    EXPECT_EQ(again[i].seq, i + 1);
  }
  EXPECT_EQ(this->store->commit_group({msg("r", "d")})[0].seq, 4u);
}

TYPED_TEST(MessageStoreTest, SurvivesReopen) {
  if (!TypeParam::durable) GTEST_SKIP() << "not a durable store";
  this->store->commit_group({msg("r", "1"), msg("r", "2")});
  this->store = this->factory.reopen(std::move(this->store));
  EXPECT_EQ(this->store->last_seq("r"), 2u);
  EXPECT_EQ(this->store->read_after("r", 0, 10).size(), 2u);
  EXPECT_TRUE(this->store->commit_group({msg("r", "2")})[0].duplicate);
  EXPECT_EQ(this->store->commit_group({msg("r", "3")})[0].seq, 3u);
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
  this->store->commit_group({msg("a", "1"), msg("a", "2"), msg("a", "3"), msg("a", "4"), msg("a", "5")});
  EXPECT_EQ(this->store->oldest_seq("a"), 1u);
  this->store->prune(2, 0, 0, 1000);
  EXPECT_EQ(this->store->oldest_seq("a"), 4u) << "retention removed 1 to 3";
  this->store->commit_group({msg("b", "1")});
  EXPECT_EQ(this->store->oldest_seq("b"), 1u);
}

// --- Conversation events (docs/protocol.md, "Conversation"): every store folds them --------

using core::event_kind;

core::new_message change(const std::string& id, event_kind kind, std::uint64_t target,
                         const std::string& text = "", const std::string& device = "dev123",
                         const std::string& username = "kim", std::int64_t ts = 2000) {
  core::new_message m{"r", id, username, text, device, ts};
  m.kind = kind;
  m.target = target;
  return m;
}

core::new_message reply(const std::string& id, std::uint64_t to, const std::string& text = "re") {
  auto m = msg("r", id, text);
  m.reply_to = to;
  return m;
}

/// The bytes a store keeps on disk (or in Redis) now, to look for a deleted text in: "" for
/// memory. The SQLite files are read as they are: a test closes the store first when it wants
/// what the close leaves.
std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
std::string raw_bytes(memory_factory&) { return {}; }
std::string raw_bytes(sqlite_factory& f) { return file_bytes(f.path) + file_bytes(f.path.string() + "-wal"); }
std::string raw_bytes(journaled_factory& f) {
  return file_bytes(f.path) + file_bytes(f.path.string() + "-wal") +
         file_bytes(f.path.parent_path() / "messages.journal");
}
std::string raw_bytes(redis_factory& f) {
  // Every value of every key, through a connection of the test's own (by type: DUMP would
  // compress them).
  std::string out;
  redisContext* c = redisConnect("127.0.0.1", f.server->port());
  if (!c || c->err) return "cannot connect";
  const auto append = [&](const redisReply* r, const auto& self) -> void {
    if (!r) return;
    if (r->type == REDIS_REPLY_STRING) out.append(r->str, r->len).push_back('\n');
    for (std::size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) self(r->element[i], self);
  };
  auto* keys = static_cast<redisReply*>(redisCommand(c, "KEYS *"));
  for (std::size_t i = 0; keys && i < keys->elements; ++i) {
    const std::string k(keys->element[i]->str, keys->element[i]->len);
    auto* type = static_cast<redisReply*>(redisCommand(c, "TYPE %b", k.data(), k.size()));
    const std::string t = type && type->type == REDIS_REPLY_STATUS ? type->str : "";
    freeReplyObject(type);
    const char* read = t == "zset"   ? "ZRANGE %b 0 -1"
                       : t == "hash" ? "HGETALL %b"
                       : t == "set"  ? "SMEMBERS %b"
                       : t == "list" ? "LRANGE %b 0 -1"
                                     : "GET %b";
    auto* v = static_cast<redisReply*>(redisCommand(c, read, k.data(), k.size()));
    append(v, append);
    freeReplyObject(v);
  }
  freeReplyObject(keys);
  redisFree(c);
  return out;
}

TYPED_TEST(MessageStoreTest, AnEditFoldsIntoHistoryAndReplayHasItAsAnEvent) {
  this->store->commit_group({msg("r", "m1", "helo")});
  auto edit = change("e1", event_kind::edit, 1, "hello @lee", "dev123", "kim", 2500);
  edit.mentions = {"LEEidentity00001"};
  const auto r = this->store->commit_group({edit});
  EXPECT_EQ(r[0].seq, 2u);
  const auto page = this->store->read_before("r", std::nullopt, 10);
  ASSERT_EQ(page.messages.size(), 1u) << "history holds messages only";
  EXPECT_EQ(page.messages[0].text, "hello @lee");
  EXPECT_EQ(page.messages[0].edited, 2500);
  EXPECT_EQ(page.messages[0].mentions, std::vector<std::string>{"LEEidentity00001"});
  const auto replay = this->store->read_after("r", 0, 10);
  ASSERT_EQ(replay.size(), 2u);
  EXPECT_EQ(replay[0].kind, event_kind::message);
  EXPECT_EQ(replay[0].text, "hello @lee") << "replay gives the message as it is now";
  EXPECT_EQ(replay[0].edited, 2500);
  EXPECT_EQ(replay[1].kind, event_kind::edit);
  EXPECT_EQ(replay[1].target, 1u);
  EXPECT_EQ(replay[1].text, "hello @lee");
  EXPECT_EQ(replay[1].id, "e1");
}

TYPED_TEST(MessageStoreTest, AChangeOfAMissingEventOrDeletedTargetHoldsItsSeqAndChangesNothing) {
  this->store->commit_group({msg("r", "m1", "one"), msg("r", "m2", "two")});
  this->store->commit_group({change("d", event_kind::remove, 2)});                 // 3
  this->store->commit_group({change("e-missing", event_kind::edit, 99, "x")});     // 4
  this->store->commit_group({change("e-event", event_kind::edit, 3, "y")});        // 5
  this->store->commit_group({change("e-deleted", event_kind::edit, 2, "back!")});  // 6
  this->store->commit_group({change("r-deleted", event_kind::react, 2, "👍")});     // 7
  EXPECT_EQ(this->store->last_seq("r"), 7u);
  const auto replay = this->store->read_after("r", 0, 10);
  ASSERT_EQ(replay.size(), 7u);
  EXPECT_EQ(replay[1].text, "") << "still deleted";
  EXPECT_TRUE(replay[1].deleted);
  EXPECT_EQ(replay[5].kind, event_kind::edit);
  EXPECT_EQ(replay[5].text, "") << "an edit of a deleted message is stored without its text";
  const auto page = this->store->read_before("r", std::nullopt, 10);
  ASSERT_EQ(page.messages.size(), 2u);
  EXPECT_EQ(page.messages[0].text, "one");
  EXPECT_EQ(page.messages[0].edited, 0);
  EXPECT_TRUE(page.messages[1].deleted);
  EXPECT_TRUE(page.messages[1].reactions.empty());
  EXPECT_TRUE(this->store->reactions("r", 2).empty());
}

TYPED_TEST(MessageStoreTest, ADeleteTombstonesTheMessageAndScrubsItsEditsAndReactions) {
  auto first = msg("r", "m1", "SECRET-ORIGINAL");
  first.mentions = {"LEEidentity00001"};
  this->store->commit_group({first, msg("r", "m2", "keep me")});
  this->store->commit_group({change("e1", event_kind::edit, 1, "SECRET-EDITED")});
  this->store->commit_group({change("x1", event_kind::react, 1, "👍", "LEEidentity00001", "lee")});
  this->store->commit_group({change("d1", event_kind::remove, 1)});
  const auto page = this->store->read_before("r", std::nullopt, 10);
  ASSERT_EQ(page.messages.size(), 2u);
  EXPECT_TRUE(page.messages[0].deleted);
  EXPECT_EQ(page.messages[0].text, "");
  EXPECT_TRUE(page.messages[0].mentions.empty());
  EXPECT_TRUE(page.messages[0].reactions.empty()) << "a tombstone carries nothing";
  EXPECT_EQ(page.messages[1].text, "keep me");
  for (const auto& row : this->store->read_after("r", 0, 10)) {
    EXPECT_EQ(row.text.find("SECRET"), std::string::npos) << "row " << row.seq;
    if (row.kind == event_kind::edit) {
      EXPECT_TRUE(row.mentions.empty());
    }
  }
  ASSERT_TRUE(this->store->find("r", 1));
  EXPECT_TRUE(this->store->find("r", 1)->deleted);
  EXPECT_TRUE(this->store->reactions("r", 1).empty());
  this->store->do_deferred_work();  // Within limits::store_defer of the delete.
  EXPECT_EQ(raw_bytes(this->factory).find("SECRET"), std::string::npos) << "the store still holds the text";
}

TYPED_TEST(MessageStoreTest, ADeletedTextIsNotInTheFilesAfterTheyAreClosed) {
  if (!TypeParam::durable) GTEST_SKIP() << "nothing outlives the process";
  this->store->commit_group({msg("r", "m1", "SECRET-ORIGINAL"), msg("r", "m2", "keep me")});
  this->store->commit_group({change("e1", event_kind::edit, 1, "SECRET-EDITED")});
  this->store = this->factory.reopen(std::move(this->store));  // Now in the database file itself.
  EXPECT_NE(raw_bytes(this->factory).find("SECRET-EDITED"), std::string::npos)
      << "the test looks in the right place";
  this->store->commit_group({change("d1", event_kind::remove, 1)});
  this->store.reset();
  EXPECT_EQ(raw_bytes(this->factory).find("SECRET"), std::string::npos);
  EXPECT_NE(raw_bytes(this->factory).find("keep me"), std::string::npos);
}

TYPED_TEST(MessageStoreTest, ReactionsAreASetPerIdentityWithCountsThreeNamesAndMine) {
  this->store->commit_group({msg("r", "m1")});
  std::vector<core::new_message> batch;
  for (int i = 1; i <= 5; ++i)
    batch.push_back(change("t" + std::to_string(i), event_kind::react, 1, "👍",
                           "ID" + std::to_string(i) + "identity0000", "user" + std::to_string(i)));
  this->store->commit_group(batch);
  this->store->commit_group({change("again", event_kind::react, 1, "👍", "ID1identity0000", "renamed")});
  this->store->commit_group({change("heart", event_kind::react, 1, "❤️", "ID2identity0000", "user2")});
  this->store->commit_group({change("off", event_kind::unreact, 1, "👍", "ID3identity0000", "user3")});
  this->store->commit_group({change("never", event_kind::unreact, 1, "👍", "ID9identity0000", "user9")});
  const auto page = this->store->read_before("r", std::nullopt, 10, "ID5identity0000");
  ASSERT_EQ(page.messages.size(), 1u);
  const auto& m = page.messages[0];
  ASSERT_EQ(m.reactions.size(), 2u);
  EXPECT_EQ(m.reactions[0].emoji, "👍") << "in order of first reaction";
  EXPECT_EQ(m.reactions[0].count, 4u);
  ASSERT_EQ(m.reactions[0].users.size(), 3u) << "three names";
  EXPECT_EQ(m.reactions[0].users[0].username, "user1")
      << "the name at reaction time; a second add changed nothing";
  EXPECT_EQ(m.reactions[0].users[0].identity, "ID1identity0000");
  EXPECT_EQ(m.reactions[0].users[1].username, "user2");
  EXPECT_EQ(m.reactions[0].users[2].username, "user4") << "user3 took theirs back";
  EXPECT_TRUE(m.reactions[0].mine) << "user5 is among all of them, not among the three named";
  EXPECT_EQ(m.reactions[1].emoji, "❤️");
  EXPECT_EQ(m.reactions[1].count, 1u);
  EXPECT_FALSE(m.reactions[1].mine);
  EXPECT_FALSE(this->store->read_before("r", std::nullopt, 10).messages[0].reactions[0].mine) << "no viewer";
  const auto all = this->store->reactions("r", 1);
  ASSERT_EQ(all.size(), 2u);
  ASSERT_EQ(all[0].users.size(), 4u) << "the full list";
  EXPECT_EQ(all[0].count, 4u);
  EXPECT_EQ(all[0].users[3].username, "user5");
  EXPECT_TRUE(this->store->read_after("r", 0, 1)[0].reactions.empty()) << "replay carries no reactions";
  EXPECT_EQ(this->store->read_messages_after("r", 0, 10, "ID2identity0000")[0].reactions[1].mine, true);
  // Re-adding after taking back counts again, now last.
  this->store->commit_group({change("back", event_kind::react, 1, "👍", "ID3identity0000", "user3")});
  const auto again = this->store->reactions("r", 1);
  ASSERT_EQ(again[0].users.size(), 5u);
  EXPECT_EQ(again[0].users[4].username, "user3");
}

TYPED_TEST(MessageStoreTest, AReplyQuotesItsTargetAsItIsNow) {
  std::string long_text;
  for (int i = 0; i < 120; ++i) long_text += "é";
  auto original = msg("r", "m1", long_text);
  original.device = "KIMidentity00001";
  this->store->commit_group({original, reply("m2", 1, "answer")});
  const auto quoted = [&] {
    const auto page = this->store->read_before("r", std::nullopt, 10);
    EXPECT_EQ(page.messages.size(), 2u);
    return page.messages.back().reply;
  };
  auto q = quoted();
  ASSERT_TRUE(q);
  EXPECT_EQ(q->seq, 1u);
  EXPECT_EQ(q->username, "kim");
  EXPECT_EQ(q->identity, "KIMidentity00001");
  EXPECT_EQ(q->text.size(), 200u) << "100 code points of two bytes each";
  EXPECT_FALSE(q->deleted);
  EXPECT_EQ(this->store->read_after("r", 1, 1)[0].reply_to, 1u);
  ASSERT_TRUE(this->store->read_after("r", 1, 1)[0].reply);
  ASSERT_TRUE(this->store->find("r", 2)->reply);
  this->store->commit_group({change("e1", event_kind::edit, 1, "short now", "KIMidentity00001")});
  q = quoted();
  ASSERT_TRUE(q);
  EXPECT_EQ(q->text, "short now") << "live, not copied at send";
  this->store->commit_group({change("d1", event_kind::remove, 1, "", "KIMidentity00001")});
  q = quoted();
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->deleted);
  EXPECT_EQ(q->text, "");
  EXPECT_TRUE(this->store->read_after("r", 1, 1)[0].reply->deleted);
  // An anonymous author's device tag is no identity.
  this->store->commit_group({msg("r", "m3", "anon"), reply("m4", 5)});
  const auto anon = this->store->find("r", 6);
  ASSERT_TRUE(anon && anon->reply);
  EXPECT_EQ(anon->reply->identity, "");
}

TYPED_TEST(MessageStoreTest, HistoryLimitCountsMessagesOnlyAndMoreSpeaksOfMessages) {
  this->store->commit_group({msg("r", "m1", "one")});                      // 1
  this->store->commit_group({change("x1", event_kind::react, 1, "👍")});    // 2
  this->store->commit_group({msg("r", "m2", "two")});                      // 3
  this->store->commit_group({change("e1", event_kind::edit, 3, "two!")});  // 4
  this->store->commit_group({change("x2", event_kind::react, 3, "😂")});    // 5
  this->store->commit_group({msg("r", "m3", "three")});                    // 6
  this->store->commit_group({change("x3", event_kind::react, 6, "🎉")});    // 7
  auto page = this->store->read_before("r", std::nullopt, 2);
  ASSERT_EQ(page.messages.size(), 2u);
  EXPECT_EQ(page.messages[0].seq, 3u);
  EXPECT_EQ(page.messages[1].seq, 6u);
  EXPECT_TRUE(page.more);
  page = this->store->read_before("r", std::nullopt, 3);
  EXPECT_EQ(page.messages.size(), 3u);
  EXPECT_FALSE(page.more) << "only events are older";
  page = this->store->read_before("r", 3, 5);
  ASSERT_EQ(page.messages.size(), 1u);
  EXPECT_EQ(page.messages[0].seq, 1u);
  EXPECT_FALSE(page.more);
  auto forward = this->store->read_messages_after("r", 1, 1);
  ASSERT_EQ(forward.size(), 1u);
  EXPECT_EQ(forward[0].seq, 3u);
  EXPECT_EQ(forward[0].text, "two!");
  ASSERT_EQ(forward[0].reactions.size(), 1u);
  forward = this->store->read_messages_after("r", 0, 10);
  ASSERT_EQ(forward.size(), 3u);
  EXPECT_EQ(forward[2].reactions[0].emoji, "🎉");
  const auto replay = this->store->read_after("r", 0, 10);
  ASSERT_EQ(replay.size(), 7u) << "replay gives every row in order";
  const std::vector<event_kind> kinds{event_kind::message, event_kind::react, event_kind::message,
                                      event_kind::edit,    event_kind::react, event_kind::message,
                                      event_kind::react};
  for (std::size_t i = 0; i < replay.size(); ++i) {
    EXPECT_EQ(replay[i].seq, i + 1);
    EXPECT_EQ(replay[i].kind, kinds[i]) << "row " << i + 1;
  }
}

TYPED_TEST(MessageStoreTest, FindGivesAnyRowAsReplayDoes) {
  this->store->commit_group({msg("r", "m1", "one"), change("x1", event_kind::react, 1, "👍")});
  ASSERT_TRUE(this->store->find("r", 1));
  EXPECT_EQ(this->store->find("r", 1)->text, "one");
  ASSERT_TRUE(this->store->find("r", 2));
  EXPECT_EQ(this->store->find("r", 2)->kind, event_kind::react);
  EXPECT_EQ(this->store->find("r", 2)->target, 1u);
  EXPECT_EQ(this->store->find("r", 2)->text, "👍");
  EXPECT_FALSE(this->store->find("r", 3));
  EXPECT_FALSE(this->store->find("other", 1));
}

TYPED_TEST(MessageStoreTest, AResentEventIsADuplicateAndFoldsOnce) {
  this->store->commit_group({msg("r", "m1")});
  const auto a = this->store->commit_group({change("x1", event_kind::react, 1, "👍", "ID1identity0000")});
  this->store->commit_group({change("x2", event_kind::unreact, 1, "👍", "ID1identity0000")});
  const auto b = this->store->commit_group({change("x1", event_kind::react, 1, "👍", "ID1identity0000"),
                                            change("x1", event_kind::react, 1, "👍", "ID1identity0000")});
  EXPECT_TRUE(b[0].duplicate);
  EXPECT_EQ(b[0].seq, a[0].seq);
  EXPECT_TRUE(b[1].duplicate);
  EXPECT_TRUE(this->store->reactions("r", 1).empty()) << "the resent react was not applied again";
  EXPECT_EQ(this->store->last_seq("r"), 3u);
  const auto e = this->store->commit_group(
      {change("e1", event_kind::edit, 1, "new"), change("e1", event_kind::edit, 1, "newer")});
  EXPECT_TRUE(e[1].duplicate) << "within one batch";
  EXPECT_EQ(this->store->read_before("r", std::nullopt, 1).messages[0].text, "new");
}

TYPED_TEST(MessageStoreTest, TheConversationSurvivesAReopen) {
  if (!TypeParam::durable) GTEST_SKIP() << "memory does not survive a reopen";
  auto m2 = reply("m2", 1, "answer");
  m2.mentions = {"KIMidentity00001", "LEEidentity00001"};
  this->store->commit_group({msg("r", "m1", "one"), m2, msg("r", "m3", "three")});
  this->store->commit_group({change("e1", event_kind::edit, 1, "one!", "dev123", "kim", 2100)});
  this->store->commit_group({change("x1", event_kind::react, 2, "👍", "ID1identity0000", "user1"),
                             change("x2", event_kind::react, 2, "👍", "ID2identity0000", "user2")});
  this->store->commit_group({change("d1", event_kind::remove, 3)});
  const auto before = this->store->read_after("r", 0, 100);
  this->store = this->factory.reopen(std::move(this->store));
  const auto after = this->store->read_after("r", 0, 100);
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].kind, before[i].kind) << i;
    EXPECT_EQ(after[i].text, before[i].text) << i;
    EXPECT_EQ(after[i].target, before[i].target) << i;
    EXPECT_EQ(after[i].reply_to, before[i].reply_to) << i;
    EXPECT_EQ(after[i].mentions, before[i].mentions) << i;
    EXPECT_EQ(after[i].edited, before[i].edited) << i;
    EXPECT_EQ(after[i].deleted, before[i].deleted) << i;
  }
  const auto page = this->store->read_before("r", std::nullopt, 10, "ID2identity0000");
  ASSERT_EQ(page.messages.size(), 3u);
  EXPECT_EQ(page.messages[0].text, "one!");
  EXPECT_EQ(page.messages[0].edited, 2100);
  EXPECT_EQ(page.messages[1].mentions.size(), 2u);
  ASSERT_TRUE(page.messages[1].reply);
  EXPECT_EQ(page.messages[1].reply->text, "one!");
  ASSERT_EQ(page.messages[1].reactions.size(), 1u);
  EXPECT_EQ(page.messages[1].reactions[0].count, 2u);
  EXPECT_TRUE(page.messages[1].reactions[0].mine);
  EXPECT_TRUE(page.messages[2].deleted);
  // Folding goes on after the reopen: the set still knows who reacted.
  this->store->commit_group({change("x3", event_kind::react, 2, "👍", "ID1identity0000", "user1")});
  EXPECT_EQ(this->store->reactions("r", 2)[0].count, 2u);
}

TYPED_TEST(MessageStoreTest, AFileTravelsWithItsMessageThroughEveryReadAndADeleteDropsIt) {
  const core::file_ref file{std::string(64, 'a'), "photo of us.jpg", 123456, "image/jpeg", 4000, 3000, true};
  // Among plain messages on both sides, so that a store inserting plain rows in groups puts
  // the file's row in between them.
  for (int i = 0; i < 20; ++i) this->store->commit_group({msg("r", "a" + std::to_string(i))});
  auto shared = msg("r", "f1", "look");
  shared.file = file;
  EXPECT_EQ(this->store->commit_group({shared})[0].seq, 21u);
  for (int i = 0; i < 20; ++i) this->store->commit_group({msg("r", "b" + std::to_string(i))});
  const auto check = [&](const char* when) {
    const auto found = this->store->find("r", 21);
    ASSERT_TRUE(found) << when;
    EXPECT_EQ(found->file, file) << when;
    EXPECT_FALSE(this->store->find("r", 20)->file) << when << ": a plain message has none";
    EXPECT_FALSE(this->store->find("r", 22)->file) << when;
    const auto replay = this->store->read_after("r", 20, 1);
    ASSERT_EQ(replay.size(), 1u);
    EXPECT_EQ(replay[0].file, file) << when;
    const auto page = this->store->read_before("r", 22, 1);
    ASSERT_EQ(page.messages.size(), 1u);
    EXPECT_EQ(page.messages[0].file, file) << when;
    EXPECT_EQ(page.messages[0].text, "look") << when << ": the caption";
  };
  check("stored");
  if (TypeParam::durable) {
    this->store = this->factory.reopen(std::move(this->store));
    check("after a reopen");
  }
  this->store->commit_group({change("d1", event_kind::remove, 21)});
  EXPECT_FALSE(this->store->find("r", 21)->file) << "a deleted message shares no file any more";
  EXPECT_FALSE(this->store->read_before("r", 22, 1).messages[0].file);
}

TYPED_TEST(MessageStoreTest, AMarkedGoneFileSaysSoInEveryMessageSharingTheBlob) {
  const std::string a(64, 'a'), b(64, 'b');
  const auto with_file = [](core::new_message m, const std::string& sha) {
    m.file = core::file_ref{sha, "f.bin", 10, "application/octet-stream", 0, 0, false};
    return m;
  };
  this->store->commit_group({with_file(msg("r", "f1", "", 1000), a)});
  this->store->commit_group({with_file(msg("s", "f2", "", 1000), a)});
  this->store->commit_group({with_file(msg("s", "f3", "", 1000), b)});
  this->store->mark_file_gone(a);
  const auto check = [&](const char* when) {
    auto r1 = this->store->find("r", 1);
    auto s1 = this->store->find("s", 1);
    auto s2 = this->store->find("s", 2);
    ASSERT_TRUE(r1 && r1->file && s1 && s1->file && s2 && s2->file) << when;
    EXPECT_TRUE(r1->file->gone) << when;
    EXPECT_TRUE(s1->file->gone) << when;
    EXPECT_FALSE(s2->file->gone) << when << ": another blob";
    EXPECT_EQ(s1->file->name, "f.bin") << when << ": the rest of the file stays";
    const auto uses = this->store->file_uses(a);
    ASSERT_EQ(uses.size(), 2u) << when << ": the messages still share it";
    EXPECT_TRUE(uses[0].file.gone) << when;
  };
  check("marked");
  if (TypeParam::durable) {
    this->store = this->factory.reopen(std::move(this->store));
    check("after a reopen");
  }
}

TYPED_TEST(MessageStoreTest, FileUsesNamesEachRoomsNewestLiveMessageSharingTheBlob) {
  const std::string a(64, 'a'), b(64, 'b');
  const auto with_file = [](core::new_message m, const std::string& sha, const std::string& name) {
    m.file = core::file_ref{sha, name, 10, "image/png", 2, 2, false};
    return m;
  };
  EXPECT_TRUE(this->store->file_uses(a).empty()) << "no message shares it yet";
  this->store->commit_group({msg("r", "m1", "old", 1000)});                        // r 1: plain
  this->store->commit_group({with_file(msg("r", "f1", "", 1000), a, "one.png")});  // r 2
  this->store->commit_group({with_file(msg("s", "f2", "", 9000), a, "two.png")});  // s 1
  this->store->commit_group({with_file(msg("s", "f3", "", 9000), b, "other.png")});
  this->store->commit_group({with_file(msg("s", "f4", "", 9000), a, "three.png")});  // s 3
  const auto check = [&](const char* when) {
    const auto uses = this->store->file_uses(a);
    ASSERT_EQ(uses.size(), 2u) << when;
    EXPECT_EQ(uses[0].room, "r") << when;
    EXPECT_EQ(uses[0].seq, 2u) << when;
    EXPECT_EQ(uses[0].file.name, "one.png") << when;
    EXPECT_EQ(uses[1].room, "s") << when;
    EXPECT_EQ(uses[1].seq, 3u) << when << ": the room's newest message sharing it";
    EXPECT_EQ(uses[1].file.name, "three.png") << when;
    EXPECT_EQ(uses[1].file.type, "image/png") << when;
    ASSERT_EQ(this->store->file_uses(b).size(), 1u) << when;
    EXPECT_TRUE(this->store->file_uses(std::string(64, 'c')).empty()) << when;
  };
  check("stored");
  if (TypeParam::durable) {
    this->store = this->factory.reopen(std::move(this->store));
    check("after a reopen");
  }
  // A delete of s's newest leaves its older one; a delete of r's only one leaves r out.
  auto remove_in = [](const std::string& room, const std::string& id, std::uint64_t target) {
    auto m = change(id, event_kind::remove, target);
    m.room = room;
    return m;
  };
  this->store->commit_group({remove_in("s", "d1", 3)});
  this->store->commit_group({remove_in("r", "d2", 2)});
  auto uses = this->store->file_uses(a);
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].room, "s");
  EXPECT_EQ(uses[0].seq, 1u);
  // Retention removes s's old message (ts 9000 < 10000): no room shares the blob any more.
  this->store->prune(0, 10000, 0, 100);
  EXPECT_TRUE(this->store->file_uses(a).empty()) << "retention removed every message sharing it";
  EXPECT_TRUE(this->store->file_uses(b).empty());
}

TYPED_TEST(MessageStoreTest, RetentionRemovesTheReactionsOfTheMessagesItRemoves) {
  this->store->commit_group({msg("r", "m1", "old", 1000)});
  this->store->commit_group({change("x1", event_kind::react, 1, "👍", "ID1identity0000", "user1", 1000)});
  this->store->commit_group({msg("r", "m2", "new", 9000)});
  this->store->commit_group({change("x2", event_kind::react, 3, "🎉", "ID1identity0000", "user1", 9000)});
  this->store->prune(0, 5000, 0, 100);
  EXPECT_TRUE(this->store->reactions("r", 1).empty());
  EXPECT_EQ(this->store->reactions("r", 3).size(), 1u);
  EXPECT_FALSE(this->store->find("r", 1));
  const auto page = this->store->read_before("r", std::nullopt, 10);
  ASSERT_EQ(page.messages.size(), 1u);
  EXPECT_EQ(page.messages[0].reactions.size(), 1u);
}

}  // namespace
}  // namespace message::store
