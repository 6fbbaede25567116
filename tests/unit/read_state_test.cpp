// The rules of read state and room activity (core/read_state.hpp): clamping, unread counts,
// mentions, and the per-room coalescing of reads and recounts.
#include "core/read_state.hpp"

#include <gtest/gtest.h>

#include "common/limits.hpp"
#include "core/read_gate.hpp"
#include "protocol/codec.hpp"

namespace message::core {
namespace {

using namespace std::chrono_literals;
using clock = read_coalescer::clock;

TEST(ReadPosition, ABeyondTheLastSeqIsClampedToIt) {
  EXPECT_EQ(next_read_position(1000, 12, 0), 12u);
  EXPECT_EQ(next_read_position(7, 12, 3), 7u);
}

TEST(ReadPosition, OneNotAboveTheStoredPositionChangesNothing) {
  EXPECT_FALSE(next_read_position(3, 12, 7));
  EXPECT_FALSE(next_read_position(7, 12, 7));
  EXPECT_FALSE(next_read_position(50, 12, 12)) << "clamped to 12, which is stored";
  EXPECT_FALSE(next_read_position(5, 0, 0)) << "an empty room has nothing to read";
}

TEST(UnreadCount, CountsTheMessagesStillStoredAfterThePosition) {
  EXPECT_EQ(unread_count(10, 1, 4), 6u);
  EXPECT_EQ(unread_count(10, 1, 10), 0u);
  EXPECT_EQ(unread_count(10, 8, 0), 3u) << "retention removed 1..7";
  EXPECT_EQ(unread_count(0, 1, 0), 0u);
}

TEST(Mentions, AreTheNameAfterAnAtAsAWholeWordInAnyAsciiCase) {
  EXPECT_TRUE(mentions("@kim", "kim"));
  EXPECT_TRUE(mentions("lunch, @Kim?", "kim"));
  EXPECT_TRUE(mentions("(@KIM) look", "Kim"));
  EXPECT_TRUE(mentions("@kimberly and @kim", "kim"));
  EXPECT_TRUE(mentions("hi @Kim Lee!", "kim lee"));
  EXPECT_FALSE(mentions("@kimberly", "kim"));
  EXPECT_FALSE(mentions("@kim-2", "kim"));
  EXPECT_FALSE(mentions("mail@kim", "kim"));
  EXPECT_FALSE(mentions("kim", "kim"));
  EXPECT_FALSE(mentions("@ki", "kim"));
  EXPECT_FALSE(mentions("@kimé", "kim"));
  EXPECT_FALSE(mentions("@", ""));
}

TEST(ReadCoalescer, TheFirstReadGoesAtOnceAndTheHighestOfTheRestAfterTheInterval) {
  read_coalescer c(1s);
  const auto t0 = clock::time_point{} + 100s;
  c.offer("lobby", 3);
  auto due = c.take_due(t0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0], (std::pair<std::string, std::uint64_t>{"lobby", 3}));
  for (std::uint64_t s = 4; s < 3000; ++s) c.offer("lobby", s);
  c.offer("lobby", 10);  // Lower than what is held: the highest stays.
  EXPECT_TRUE(c.take_due(t0 + 500ms).empty()) << "held within the interval";
  ASSERT_EQ(c.next_due(), t0 + 1s);
  due = c.take_due(t0 + 1s);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].second, 2999u) << "thousands of reads, one write, the last one wins";
  EXPECT_FALSE(c.next_due());
}

TEST(ReadCoalescer, RoomsAreCoalescedApartAndIdleOnesForgotten) {
  read_coalescer c(1s);
  const auto t0 = clock::time_point{} + 100s;
  c.offer("a", 1);
  c.offer("b", 1);
  EXPECT_EQ(c.take_due(t0).size(), 2u);
  c.offer("a", 2);
  EXPECT_TRUE(c.take_due(t0 + 10ms).empty());
  c.offer("c", 1);
  auto due = c.take_due(t0 + 20ms);
  ASSERT_EQ(due.size(), 1u) << "a room of its own goes at once";
  EXPECT_EQ(due[0].first, "c");
  EXPECT_EQ(c.take_due(t0 + 2s).size(), 1u) << "a's held read";
  EXPECT_TRUE(c.take_due(t0 + 4s).empty());
  EXPECT_EQ(c.size(), 0u) << "rooms idle for an interval are forgotten";
}

TEST(ReadGate, AnIdentitysTabsTogetherStoreOneReadPerRoomPerInterval) {
  read_gate gate(1s);
  const auto t0 = read_gate::clock::time_point{} + 100s;
  EXPECT_TRUE(gate.admit("ann", "lobby", t0));
  EXPECT_FALSE(gate.admit("ann", "lobby", t0 + 300ms)) << "ann's other tab waits";
  EXPECT_TRUE(gate.admit("ann", "kitchen", t0 + 300ms)) << "another room does not";
  EXPECT_TRUE(gate.admit("bob", "lobby", t0 + 300ms)) << "nor another identity";
  EXPECT_TRUE(gate.admit("ann", "lobby", t0 + 1s));
}

TEST(ReadGate, ForgetsWhatIsOlderThanTheInterval) {
  read_gate gate(1s);
  const auto t0 = read_gate::clock::time_point{} + 100s;
  for (int i = 0; i < 5000; ++i) gate.admit("early-" + std::to_string(i), "lobby", t0);
  for (int i = 0; i < 5000; ++i) gate.admit("late-" + std::to_string(i), "lobby", t0 + 2s);
  EXPECT_LE(gate.size(), 5000u) << "the early ones are swept: what one interval admitted, at most";
}

TEST(ReadCodec, DecodesAReadAndRefusesABadSeq) {
  limits l;
  auto ok = protocol::decode(R"({"type":"read","room":"lobby","seq":12})", l);
  auto* cmd = std::get_if<protocol::command>(&ok);
  ASSERT_TRUE(cmd);
  auto* read = std::get_if<protocol::read_command>(cmd);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->seq, 12u);
  EXPECT_EQ(read->room, "lobby");
  for (const char* bad :
       {R"({"type":"read"})", R"({"type":"read","seq":-1})", R"({"type":"read","seq":"x"})"}) {
    auto err = protocol::decode(bad, l);
    auto* e = std::get_if<protocol::decode_error>(&err);
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(e->code, "missing_field") << bad;
  }
  auto room = protocol::decode(R"({"type":"read","room":"no way","seq":1})", l);
  ASSERT_TRUE(std::get_if<protocol::decode_error>(&room));
  EXPECT_EQ(std::get<protocol::decode_error>(room).code, "bad_room");
}

}  // namespace
}  // namespace message::core
