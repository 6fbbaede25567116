// redis_message_store beyond the conformance suite: what a Redis that goes away and comes back
// does to it (the suite in message_store_test.cpp covers the contract itself).
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <optional>
#include <thread>

#include "redis/redis_entry.hpp"
#include "redis_server.hpp"
#include "store/redis_message_store.hpp"

namespace message::store {
namespace {

core::new_message msg(const std::string& id) { return {"r", id, "kim", "hi", "dev123", 1000}; }

class RedisMessageStore : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
    server = std::make_unique<test::redis_server>();
    store = std::make_unique<redis_message_store>(redis::parse_redis_url(server->url()), status);
  }
  std::unique_ptr<test::redis_server> server;
  std::shared_ptr<redis::redis_status> status = std::make_shared<redis::redis_status>();
  std::unique_ptr<redis_message_store> store;
};

TEST_F(RedisMessageStore, TheFirstSendAfterARestartIsNotRefused) {
  EXPECT_EQ(store->commit_group({msg("1")})[0].seq, 1u);
  server->stop(SIGTERM);
  server->start();
  EXPECT_EQ(store->commit_group({msg("2")})[0].seq, 2u) << "the idle connection broke; a fresh one is used";
  EXPECT_TRUE(status->problem().empty());
}

TEST_F(RedisMessageStore, DownMeansStoreErrorsAndAReasonThenRecovery) {
  server->stop(SIGKILL);
  EXPECT_THROW(store->commit_group({msg("1")}), store_error);
  EXPECT_NE(status->problem().find("store"), std::string::npos) << status->problem();
  EXPECT_THROW(store->last_seq("r"), store_error);
  server->start();
  // The back-off may refuse at once for a moment; within a second it reconnects.
  std::optional<std::uint64_t> seq;
  for (int i = 0; i < 40 && !seq; ++i) {
    try {
      seq = store->commit_group({msg("1")})[0].seq;
    } catch (const store_error&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 1u) << "nothing was stored by the failed attempt";
  EXPECT_TRUE(status->problem().empty());
}

TEST(RedisEntry, AnOlderEntryIsAPlainMessageAndAnEventKeepsItsFields) {
  // As the version before conversation events wrote it.
  const auto old = redis::decode_entry(
      R"(7 {"room":"r","id":"x","username":"kim","message":"hi","device":"dev123","ts":1000})");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->kind, core::event_kind::message);
  EXPECT_EQ(old->target, 0u);
  EXPECT_EQ(old->reply_to, 0u);
  EXPECT_TRUE(old->mentions.empty());
  EXPECT_FALSE(old->deleted);

  core::new_message edit{"r", "e1", "kim", "fixed", "KIMidentity00001", 2000};
  edit.kind = core::event_kind::edit;
  edit.target = 7;
  edit.mentions = {"LEEidentity00001"};
  const auto e = redis::decode_entry("9 " + redis::encode_entry_body(edit));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, core::event_kind::edit);
  EXPECT_EQ(e->target, 7u);
  EXPECT_EQ(e->mentions, std::vector<std::string>{"LEEidentity00001"});
  EXPECT_EQ(e->text, "fixed");

  core::new_message answer{"r", "m2", "kim", "yes", "dev123", 3000};
  answer.reply_to = 7;
  EXPECT_EQ(redis::decode_entry("10 " + redis::encode_entry_body(answer))->reply_to, 7u);
  EXPECT_EQ(redis::encode_entry_body({"r", "x", "kim", "hi", "dev123", 1000}).find("kind"), std::string::npos)
      << "a plain message's entry is as before";
  // As the append script's cjson writes a folded message back (numbers as it prints them).
  const auto folded = redis::decode_entry(
      R"(7 {"deleted":true,"room":"r","id":"x","username":"kim","message":"","device":"dev123","ts":1000,"edited":2000})");
  ASSERT_TRUE(folded);
  EXPECT_TRUE(folded->deleted);
  EXPECT_EQ(folded->edited, 2000);
  EXPECT_FALSE(redis::decode_entry(
      R"(8 {"room":"r","id":"x","username":"k","message":"","device":"d","ts":1,"kind":9})"))
      << "an unknown kind is not guessed at";
}

TEST(RedisUrl, ParsesHostPortDbAndPassword) {
  auto e = redis::parse_redis_url("redis://:s3cret@10.0.0.5:6380/2");
  EXPECT_EQ(e.host, "10.0.0.5");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.db, 2u);
  EXPECT_EQ(e.password, "s3cret");
  EXPECT_EQ(e.describe(), "10.0.0.5:6380/2") << "never the password";
  EXPECT_EQ(redis::parse_redis_url("redis://localhost").port, 6379);
  EXPECT_THROW(redis::parse_redis_url("http://localhost"), std::invalid_argument);
  EXPECT_THROW(redis::parse_redis_url("redis://localhost/x"), std::invalid_argument);
  EXPECT_THROW(redis::parse_redis_url("redis://"), std::invalid_argument);
}

}  // namespace
}  // namespace message::store
