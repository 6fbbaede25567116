#include "protocol/validate.hpp"

#include <gtest/gtest.h>

#include "protocol/ws_query.hpp"

namespace message::protocol {
namespace {

TEST(Validate, RoomNames) {
  EXPECT_TRUE(is_valid_name("lobby", 40));
  EXPECT_TRUE(is_valid_name("Kitchen-2_b", 40));
  EXPECT_FALSE(is_valid_name("", 40));
  EXPECT_FALSE(is_valid_name(std::string(41, 'a'), 40));
  EXPECT_FALSE(is_valid_name("a b", 40));
  EXPECT_FALSE(is_valid_name("../etc", 40));
  EXPECT_FALSE(is_valid_name("café", 40));
}

TEST(Validate, Seq) {
  EXPECT_EQ(parse_seq("0"), 0u);
  EXPECT_EQ(parse_seq("12"), 12u);
  EXPECT_FALSE(parse_seq("-1"));
  EXPECT_FALSE(parse_seq("1x"));
  EXPECT_FALSE(parse_seq(""));
  EXPECT_FALSE(parse_seq("99999999999999999999999"));
}

TEST(Validate, CodePoints) {
  EXPECT_EQ(count_code_points("abc"), 3u);
  EXPECT_EQ(count_code_points("한국"), 2u);
  EXPECT_EQ(count_code_points("🎉"), 1u);
}

TEST(WsQuery, ParsesRoomNameDeviceSince) {
  core::limits limits;
  auto r = parse_ws_query("/ws?room=kitchen&name=kim%20lee&device=abc123&since=12", limits);
  ASSERT_TRUE(std::holds_alternative<connect_request>(r));
  auto q = std::get<connect_request>(r);
  EXPECT_EQ(q.room, "kitchen");
  EXPECT_EQ(q.name, "kim lee");
  EXPECT_EQ(q.device, "abc123");
  EXPECT_EQ(q.since, 12u);
}

TEST(WsQuery, DefaultsToLobby) {
  core::limits limits;
  auto q = std::get<connect_request>(parse_ws_query("/ws", limits));
  EXPECT_EQ(q.room, "lobby");
  EXPECT_FALSE(q.since);
}

TEST(WsQuery, RefusesBadValues) {
  core::limits limits;
  EXPECT_EQ(std::get<decode_error>(parse_ws_query("/ws?since=abc", limits)).code, "bad_since");
  EXPECT_EQ(std::get<decode_error>(parse_ws_query("/ws?since=-4", limits)).code, "bad_since");
  EXPECT_EQ(std::get<decode_error>(parse_ws_query("/ws?room=a%2Fb", limits)).code, "bad_room");
}

}  // namespace
}  // namespace message::protocol
