#include "protocol/codec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace message::protocol {
namespace {

core::limits limits;
using namespace std::string_literals;

/// A plain message (the conversation fields left at their defaults).
core::chat_message plain_message(std::string room, std::uint64_t seq, std::string id, std::string username,
                                 std::string text, std::string device, std::int64_t ts) {
  core::chat_message m;
  m.room = std::move(room);
  m.seq = seq;
  m.id = std::move(id);
  m.username = std::move(username);
  m.text = std::move(text);
  m.device = std::move(device);
  m.ts = ts;
  return m;
}

template <class T>
T decoded_as(std::string_view frame) {
  auto r = decode(frame, limits);
  EXPECT_TRUE(std::holds_alternative<command>(r)) << frame;
  auto* cmd = std::get_if<command>(&r);
  EXPECT_TRUE(cmd && std::holds_alternative<T>(*cmd)) << frame;
  return std::get<T>(std::get<command>(r));
}

std::string error_code_of(std::string_view frame) {
  auto r = decode(frame, limits);
  auto* e = std::get_if<decode_error>(&r);
  return e ? e->code : "accepted";
}

TEST(Codec, DecodesSend) {
  auto s = decoded_as<send_command>(
      R"({"type":"send","id":"a1","username":"kim","message":"hi","room":"kitchen"})");
  EXPECT_EQ(s.id, "a1");
  EXPECT_EQ(s.username, "kim");
  EXPECT_EQ(s.text, "hi");
  EXPECT_EQ(s.room, "kitchen");
}

TEST(Codec, AcceptsTheOriginalBareForm) {
  auto s = decoded_as<send_command>(R"({"username":"kim","message":"hello"})");
  EXPECT_TRUE(s.id.empty());
  EXPECT_EQ(s.text, "hello");
}

TEST(Codec, KeepsTextExactlyAsSent) {
  auto s = decoded_as<send_command>(
      R"({"type":"send","id":"x","username":"k","message":"<img src=x onerror=alert(1)>\n한국어 🎉"})");
  EXPECT_EQ(s.text, "<img src=x onerror=alert(1)>\n한국어 🎉");
}

TEST(Codec, RefusesBadFramesWithDocumentedCodes) {
  EXPECT_EQ(error_code_of("not json"), "bad_json");
  EXPECT_EQ(error_code_of("[1,2]"), "bad_json");
  EXPECT_EQ(error_code_of(R"({"type":"dance"})"), "unknown_type");
  EXPECT_EQ(error_code_of(R"({"type":"send","username":"k","message":"m"})"), "missing_field");
  EXPECT_EQ(error_code_of(R"({"type":"send","id":"1","username":"","message":"m"})"), "missing_field");
  EXPECT_EQ(error_code_of(R"({"type":"send","id":"1","username":"k","message":""})"), "missing_field");
  EXPECT_EQ(error_code_of(R"({"type":"send","id":"1","username":"k","message":5})"), "missing_field");
  EXPECT_EQ(error_code_of(R"({"type":"send","id":"has space","username":"k","message":"m"})"), "bad_id");
  EXPECT_EQ(error_code_of(R"({"type":"send","id":"1","username":"k","message":"m","room":"no/slash"})"),
            "bad_room");
  EXPECT_EQ(error_code_of(R"({"type":"history","before":-1})"), "bad_before");
  EXPECT_EQ(error_code_of(R"({"type":"subscribe","room":"a","since":"x"})"), "bad_since");
  EXPECT_EQ(error_code_of(R"({"type":"subscribe"})"), "missing_field");
}

TEST(Codec, CountsLengthInCharactersNotBytes) {
  std::string exactly(limits.max_message_chars, 'a');
  std::string korean;
  for (std::size_t i = 0; i < limits.max_message_chars; ++i) korean += "한";  // 3 bytes each
  EXPECT_EQ(error_code_of(R"({"type":"send","id":"1","username":"k","message":")" + exactly + "\"}"),
            "accepted");
  EXPECT_EQ(error_code_of(R"({"type":"send","id":"1","username":"k","message":")" + korean + "\"}"),
            "accepted");
  EXPECT_EQ(error_code_of(R"({"type":"send","id":"1","username":"k","message":")" + exactly + "a\"}"),
            "too_long");
  EXPECT_EQ(
      error_code_of(R"({"type":"send","id":"1","username":")" + std::string(33, 'u') + R"(","message":"m"})"),
      "too_long");
}

TEST(Codec, RefusesDeepNestingAndKeepsHugeNumbersHarmless) {
  EXPECT_EQ(error_code_of(std::string(1000, '[') + std::string(1000, ']')), "bad_json");
  EXPECT_EQ(error_code_of(R"({"type":"history","before":1e400})"), "bad_before");
  EXPECT_EQ(error_code_of(R"({"type":"history","before":123456789012345678901234567890})"), "bad_before");
}

TEST(Codec, CapsHistoryLimit) {
  auto h = decoded_as<history_command>(R"({"type":"history","before":10,"limit":100000})");
  EXPECT_EQ(h.limit, limits.history_limit);
  EXPECT_EQ(h.before, 10u);
}

TEST(Codec, IgnoresUnknownFields) { decoded_as<ping_command>(R"({"type":"ping","extra":{"a":1}})"); }

TEST(Codec, EncodesMessagesAsTheProtocolSays) {
  auto m = plain_message("lobby", 7, "id-1", "kim", "say \"hi\"\n<b>", "abcdef", 1700000000000);
  auto v = boost::json::parse(encode_message(m)).as_object();
  EXPECT_EQ(v["type"], "message");
  EXPECT_EQ(v["room"], "lobby");
  EXPECT_EQ(v["seq"].to_number<std::uint64_t>(), 7u);
  EXPECT_EQ(v["id"], "id-1");
  EXPECT_EQ(v["message"], "say \"hi\"\n<b>");
  EXPECT_EQ(v["ts"].to_number<std::int64_t>(), 1700000000000);
  EXPECT_EQ(v["device"], "abcdef");
  EXPECT_EQ(encode_message(m).find('\n'), std::string::npos) << "a line of NDJSON has no raw newline";
}

// The message, ack and history frames are written without building a json::object; they must
// be exactly what Boost.JSON writes for the same members, escapes included.
boost::json::object message_members(const core::chat_message& m) {
  boost::json::object o;
  o["type"] = "message";
  o["room"] = m.room;
  o["seq"] = m.seq;
  o["id"] = m.id;
  o["username"] = m.username;
  o["message"] = m.text;
  o["ts"] = m.ts;
  if (!m.device.empty()) o["device"] = m.device;
  return o;
}

TEST(Codec, WritesFramesExactlyAsBoostJsonWould) {
  const std::string awkward[] = {"",
                                 "plain",
                                 "quote \" and backslash \\ and slash /",
                                 "nul \0 bell \a tab \t cr \r nl \n esc \x1b del \x7f"s,
                                 "\u00e9t\u00e9 \u4f60\u597d \U0001F600",
                                 std::string(300, '"'),
                                 std::string(200, '\x01')};
  std::vector<core::chat_message> page;
  for (const auto& s : awkward) {
    auto m = plain_message("room " + s, 18446744073709551615ULL, "id " + s, s, s, s, -1);
    EXPECT_EQ(encode_message(m), boost::json::serialize(message_members(m))) << s;
    for (bool duplicate : {false, true}) {
      boost::json::object ack{{"type", "ack"}, {"room", m.room}, {"id", m.id}, {"seq", 42}};
      if (duplicate) ack["duplicate"] = true;
      EXPECT_EQ(encode_ack(m.room, m.id, 42, duplicate), boost::json::serialize(ack)) << s;
    }
    page.push_back(m);
  }
  for (bool more : {false, true}) {
    boost::json::array messages;
    for (const auto& m : page) messages.push_back(message_members(m));
    boost::json::object history{
        {"type", "history"}, {"room", "r\"1"}, {"messages", messages}, {"more", more}};
    EXPECT_EQ(encode_history("r\"1", page, more), boost::json::serialize(history));
    EXPECT_EQ(encode_history("r", {}, more),
              boost::json::serialize(boost::json::object{
                  {"type", "history"}, {"room", "r"}, {"messages", boost::json::array{}}, {"more", more}}));
  }
}

TEST(Codec, WelcomeAnnouncesLimits) {
  auto v = boost::json::parse(encode_welcome("lobby", 3, limits)).as_object();
  EXPECT_EQ(v["type"], "welcome");
  EXPECT_EQ(v["seq"].to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(v["limits"].as_object()["max_message_chars"].to_number<std::size_t>(), limits.max_message_chars);
  EXPECT_EQ(v["limits"].as_object()["max_frame_bytes"].to_number<std::size_t>(), limits.max_frame_bytes);
}

TEST(Codec, DecodesWhoIsWhoRequests) {
  decoded_as<release_command>(R"({"type":"release"})");
  EXPECT_EQ(decoded_as<unfollow_command>(R"({"type":"unfollow","room":"kitchen"})").room, "kitchen");
  EXPECT_EQ(decoded_as<create_room_command>(R"({"type":"create_room","room":"plans","private":true})").room,
            "plans");
  auto invite =
      decoded_as<invite_command>(R"({"type":"invite","room":"plans","identity":"0123456789abcdef"})");
  EXPECT_EQ(invite.identity, "0123456789abcdef");
  EXPECT_EQ(decoded_as<direct_command>(R"({"type":"direct","identity":"0123456789abcdef"})").identity,
            "0123456789abcdef");
  EXPECT_EQ(decoded_as<subscribe_command>(R"({"type":"subscribe","room":"plans","secret":"abc-_1"})").secret,
            "abc-_1");
  EXPECT_EQ(error_code_of(R"({"type":"create_room","room":"plans"})"), "missing_field")
      << "private rooms only";
  EXPECT_EQ(error_code_of(R"({"type":"direct","identity":"kim"})"), "bad_identity");
  EXPECT_EQ(error_code_of(R"({"type":"invite","room":"plans"})"), "bad_identity");
  EXPECT_EQ(error_code_of(R"({"type":"invite","identity":"0123456789abcdef"})"), "missing_field");
  EXPECT_EQ(error_code_of(R"({"type":"subscribe","room":"plans","secret":"no spaces"})"), "missing_field");
}

TEST(Codec, HistoryTakesOneOfBeforeAfterAround) {
  EXPECT_EQ(decoded_as<history_command>(R"({"type":"history","around":7})").around, 7u);
  EXPECT_EQ(decoded_as<history_command>(R"({"type":"history","after":"3"})").after, 3u);
  EXPECT_EQ(error_code_of(R"({"type":"history","around":-1})"), "bad_before");
  EXPECT_EQ(error_code_of(R"({"type":"history","before":5,"after":2})"), "bad_before");
  auto v = boost::json::parse(encode_history("lobby", {}, false, true)).as_object();
  EXPECT_EQ(v["more_after"], true);
  EXPECT_FALSE(boost::json::parse(encode_history("lobby", {}, true)).as_object().contains("more_after"));
}

TEST(Codec, WritesIdentitiesBesideTheirDeviceTag) {
  auto m = plain_message("lobby", 1, "a1", "kim", "hi", "0123456789abcdef", 5);
  auto v = boost::json::parse(encode_message(m)).as_object();
  EXPECT_EQ(v["identity"], "0123456789abcdef");
  EXPECT_EQ(v["device"], "012345");
  m.device = "dev123";
  v = boost::json::parse(encode_message(m)).as_object();
  EXPECT_FALSE(v.contains("identity")) << "a tag from before identities is no identity";
  EXPECT_EQ(v["device"], "dev123");
  auto taken = boost::json::parse(encode_name_taken("kim", "kim-2", "a1")).as_object();
  EXPECT_EQ(taken["code"], "name_taken");
  EXPECT_EQ(taken["suggestion"], "kim-2");
  EXPECT_EQ(taken["id"], "a1");
  auto room = boost::json::parse(encode_room("dm-x", {}, "0123456789abcdef", "fedcba9876543210")).as_object();
  EXPECT_EQ(room["direct"], true);
  EXPECT_EQ(room["by"], "fedcba9876543210");
  EXPECT_FALSE(room.contains("secret"));
}

}  // namespace
}  // namespace message::protocol
