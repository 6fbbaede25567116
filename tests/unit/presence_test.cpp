#include "core/presence.hpp"

#include <gtest/gtest.h>

#include <tuple>

namespace message::core {
namespace {

TEST(Presence, OneEntryPerPersonHoweverManyTabs) {
  presence p;
  EXPECT_TRUE(p.join("lobby", "kim", "aaa").changed);
  EXPECT_FALSE(p.join("lobby", "kim", "aaa").changed) << "a second tab is not a second person";
  auto other_machine = p.join("lobby", "kim", "bbb");
  EXPECT_TRUE(other_machine.changed) << "same name on another device is another person";
  EXPECT_EQ(other_machine.users.size(), 2u);
  EXPECT_FALSE(p.leave("lobby", "kim", "aaa").changed);
  auto gone = p.leave("lobby", "kim", "aaa");
  EXPECT_TRUE(gone.changed);
  EXPECT_EQ(gone.users.size(), 1u);
  EXPECT_EQ(p.list("lobby").size(), 1u);
  EXPECT_TRUE(p.list("kitchen").empty());
}

TEST(Presence, LeavingSomeoneUnknownChangesNothing) {
  presence p;
  EXPECT_FALSE(p.leave("lobby", "ghost", "x").changed);
}

}  // namespace
}  // namespace message::core

namespace message::core {
namespace {

// Across nodes (redis_broker): the list is the union of this node and what others announced.
TEST(Presence, RemoteEntriesJoinTheUnionAndExpire) {
  presence p;
  const auto now = presence::clock::now();
  std::vector<std::tuple<std::string, std::string, std::string, bool>> local;
  p.set_local_listener([&](const std::string& room, const std::string& user, const std::string& device,
                           bool on) { local.emplace_back(room, user, device, on); });
  auto c = p.remote_update("nodeB", {"lobby", "lee", "bbb"}, true, now + std::chrono::seconds(3));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].present);
  EXPECT_EQ(c[0].person.username, "lee");
  EXPECT_TRUE(p.remote_update("nodeC", {"lobby", "lee", "bbb"}, true, now + std::chrono::seconds(9)).empty())
      << "lee on a second node is not a second person";

  auto kim = p.join("lobby", "kim", "aaa");
  EXPECT_TRUE(kim.changed);
  EXPECT_EQ(kim.users.size(), 2u);
  EXPECT_FALSE(p.join("lobby", "lee", "bbb").changed) << "already present through another node";
  ASSERT_EQ(local.size(), 2u) << "each first local connection is announced to the broker";

  EXPECT_TRUE(p.expire(now + std::chrono::seconds(5)).empty()) << "nodeC still vouches for lee";
  EXPECT_FALSE(p.leave("lobby", "lee", "bbb").changed) << "lee is still on node C";
  auto gone = p.expire(now + std::chrono::seconds(10));
  ASSERT_EQ(gone.size(), 1u) << "every node that had lee went silent";
  EXPECT_FALSE(gone[0].present);
  EXPECT_EQ(p.list("lobby").size(), 1u);
}

TEST(Presence, ASnapshotReplacesWhatANodeSaidBefore) {
  presence p;
  const auto later = presence::clock::now() + std::chrono::seconds(30);
  p.remote_snapshot("n1", {{"a", "kim", "x"}, {"b", "lee", "y"}}, later);
  EXPECT_EQ(p.list("a").size(), 1u);
  auto c = p.remote_snapshot("n1", {{"a", "kim", "x"}}, later);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].room, "b");
  EXPECT_FALSE(c[0].present);
  EXPECT_EQ(p.remote_snapshot("n1", {}, later).size(), 1u) << "bye: everyone of n1 leaves";
  EXPECT_TRUE(p.list("a").empty());
}

}  // namespace
}  // namespace message::core
