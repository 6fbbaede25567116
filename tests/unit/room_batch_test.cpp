// Joining held batches: consecutive batches of one room become one with the same lines, ids
// and seqs (and the joined text a live follower receives); others stay as they are, in order.
#include "core/room_batch.hpp"

#include <gtest/gtest.h>

namespace message::core {
namespace {

shared_batch batch(const std::string& room, std::uint64_t first, std::vector<std::string> texts) {
  auto b = std::make_shared<room_batch>();
  b->room = room;
  b->first_seq = first;
  b->last_seq = first + texts.size() - 1;
  std::string joined;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (!joined.empty()) joined.push_back('\n');
    joined += texts[i];
    b->lines.push_back(std::make_shared<const std::string>(texts[i]));
    b->ids.push_back("id-" + texts[i]);
  }
  b->joined = std::make_shared<const std::string>(joined);
  return b;
}

TEST(JoinConsecutive, ConsecutiveBatchesOfARoomBecomeOne) {
  const auto out =
      join_consecutive({batch("lobby", 1, {"a", "b"}), batch("lobby", 3, {"c"}), batch("lobby", 4, {"d"})});
  ASSERT_EQ(out.size(), 1u);
  const auto& b = *out[0];
  EXPECT_EQ(b.room, "lobby");
  EXPECT_EQ(b.first_seq, 1u);
  EXPECT_EQ(b.last_seq, 4u);
  EXPECT_EQ(*b.joined, "a\nb\nc\nd");
  ASSERT_EQ(b.lines.size(), 4u);
  EXPECT_EQ(*b.lines[2], "c") << "line i still has seq first_seq + i";
  EXPECT_EQ(b.ids, (std::vector<std::string>{"id-a", "id-b", "id-c", "id-d"}));
}

TEST(JoinConsecutive, OtherRoomsAndGapsAreKeptApartInOrder) {
  const auto lobby1 = batch("lobby", 1, {"a"});
  const auto kitchen = batch("kitchen", 7, {"k"});
  const auto lobby2 = batch("lobby", 2, {"b"});
  const auto lobby5 = batch("lobby", 5, {"e"});  // A gap: seq 3-4 went to another node's batch.
  const auto out = join_consecutive({lobby1, kitchen, lobby2, lobby5});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], lobby1) << "a lone batch is passed on as it is, not copied";
  EXPECT_EQ(out[1], kitchen);
  EXPECT_EQ(out[2], lobby2);
  EXPECT_EQ(out[3], lobby5);
  EXPECT_TRUE(join_consecutive({}).empty());
}

}  // namespace
}  // namespace message::core
