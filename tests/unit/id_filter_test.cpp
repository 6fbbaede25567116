// The id filter that spares a new message's SQLite read: it must never miss an id it was
// given (that would accept a resend twice), and at its capacity it may say "maybe" for at
// most a few percent of new ids (each such "maybe" costs one read, nothing worse).
#include "store/id_filter.hpp"

#include <gtest/gtest.h>

#include <string>

namespace message::store {
namespace {

std::string id_of(int i) { return "3f2b8c1e-" + std::to_string(i * 7919) + "-web"; }

TEST(IdFilter, NeverMissesAnAddedId) {
  id_filter ids(100000);
  for (int i = 0; i < 100000; ++i) ids.add(i % 2 ? "lobby" : "kitchen", id_of(i));
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(ids.may_contain(i % 2 ? "lobby" : "kitchen", id_of(i))) << i;
  EXPECT_FALSE(ids.full());
}

TEST(IdFilter, NewIdsAreMostlyKnownNewAtCapacity) {
  // 87,381 pairs get 2,048 blocks: 12.0 bits each, the least the sizing ever gives.
  constexpr int capacity = 87381;
  id_filter ids(capacity);
  for (int i = 0; i < capacity; ++i) ids.add("lobby", id_of(i));
  EXPECT_FALSE(ids.full());
  int maybe = 0;
  for (int i = capacity; i < capacity + 100000; ++i) maybe += ids.may_contain("lobby", id_of(i)) ? 1 : 0;
  EXPECT_LT(maybe, 1000) << "1% false maybes or more";
  int other_room = 0;
  for (int i = 0; i < capacity; ++i) other_room += ids.may_contain("kitchen", id_of(i)) ? 1 : 0;
  EXPECT_LT(other_room, 1000) << "an id is per room";
}

TEST(IdFilter, SaysWhenItHoldsMoreThanItWasSizedFor) {
  id_filter ids(1024);
  for (int i = 0; i < 1024; ++i) ids.add("r", id_of(i));
  EXPECT_FALSE(ids.full());
  ids.add("r", "one more");
  EXPECT_TRUE(ids.full());
  EXPECT_TRUE(ids.may_contain("r", "one more")) << "still never misses past its size";
  EXPECT_TRUE(ids.may_contain("r", id_of(0)));
}

}  // namespace
}  // namespace message::store
