// Which queued lines a slow reader may have dropped (transport/queued_message): room messages
// as the codec writes them, and nothing else.
#include "transport/queued_message.hpp"

#include <gtest/gtest.h>

#include "common/chat_message.hpp"
#include "protocol/codec.hpp"

namespace message::transport {
namespace {

TEST(QueuedMessage, AMessageLineNamesItsRoomAndSeq) {
  core::chat_message m;
  m.room = "kitchen";
  m.seq = 1234;
  m.id = "x";
  m.username = "kim";
  m.text = "hello";
  const auto line = protocol::encode_message(m);
  const auto got = queued_message_of(line);
  ASSERT_TRUE(got) << line;
  EXPECT_EQ(got->room, "kitchen");
  EXPECT_EQ(got->seq, 1234u);
  m.seq = 1235;
  const auto joined = line + "\n" + protocol::encode_message(m);
  ASSERT_TRUE(queued_message_of(joined));
  EXPECT_EQ(queued_message_of(joined)->seq, 1234u) << "a batch is named by its first line";
}

TEST(QueuedMessage, AChangeEventLineIsARowOfItsRoomToo) {
  core::chat_message m;
  m.room = "kitchen";
  m.seq = 77;
  m.id = "c1";
  m.target = 5;
  for (const auto kind : {core::event_kind::edit, core::event_kind::remove, core::event_kind::react,
                          core::event_kind::unreact}) {
    m.kind = kind;
    m.text = kind == core::event_kind::edit ? "fixed" : "👍";
    const auto line = protocol::encode_message(m);
    const auto got = queued_message_of(line);
    ASSERT_TRUE(got) << line;
    EXPECT_EQ(got->room, "kitchen");
    EXPECT_EQ(got->seq, 77u);
  }
}

TEST(QueuedMessage, EveryOtherLineIsKept) {
  for (const std::string line :
       {R"({"type":"ack","room":"lobby","id":"a","seq":3})",
        R"({"type":"history","room":"lobby","messages":[]})",
        R"({"type":"gap","room":"lobby","from":1,"to":2})",
        R"({"type":"presence","room":"lobby","users":[]})",
        R"({"type":"reactions","room":"lobby","target":3,"reactions":[]})",
        R"({"type":"read","room":"lobby","seq":3})", R"({"type":"message","room":"","seq":1})",
        R"({"type":"message","room":"a","seq":x})", ""})
    EXPECT_FALSE(queued_message_of(line)) << line;
}

}  // namespace
}  // namespace message::transport
