#include "core/presence.hpp"

#include <gtest/gtest.h>

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
