// The client's half of the codec against the server's: what one side encodes, the other
// decodes to the same values (one codec, tested once, both directions).
#include <gtest/gtest.h>

#include "protocol/client_codec.hpp"
#include "protocol/codec.hpp"
#include "protocol/validate.hpp"

namespace message::protocol {
namespace {

core::limits limits;

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

TEST(ClientCodec, ServerFramesDecodeToWhatWasEncoded) {
  auto m = plain_message("lobby", 7, "id-1", "kim \"q\"", "한국어\nline", "abc123", 1700000000123);
  auto e = decode_server_line(encode_message(m));
  ASSERT_TRUE(e);
  auto* msg = std::get_if<message_event>(&*e);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->message.room, "lobby");
  EXPECT_EQ(msg->message.seq, 7u);
  EXPECT_EQ(msg->message.id, "id-1");
  EXPECT_EQ(msg->message.username, "kim \"q\"");
  EXPECT_EQ(msg->message.text, "한국어\nline");
  EXPECT_EQ(msg->message.device, "abc123");
  EXPECT_EQ(msg->message.ts, 1700000000123);
  EXPECT_EQ(msg->wire, encode_message(m)) << "tail --json prints the wire form";
  auto later = decode_server_line(
      R"({"type":"message","room":"r","seq":1,"id":"i","username":"u","message":"m","ts":1,"edited":true})");
  ASSERT_TRUE(later);
  EXPECT_NE(std::get<message_event>(*later).wire.find("\"edited\":true"), std::string::npos)
      << "a field this client does not know is kept for --json";

  auto a = decode_server_line(encode_ack("r", "x", 9, true));
  ASSERT_TRUE(a && std::holds_alternative<ack_event>(*a));
  EXPECT_EQ(std::get<ack_event>(*a).seq, 9u);
  EXPECT_TRUE(std::get<ack_event>(*a).duplicate);

  auto err = decode_server_line(encode_error("rate_limited", "slow down", "x", "r"));
  ASSERT_TRUE(err && std::holds_alternative<error_event>(*err));
  EXPECT_EQ(std::get<error_event>(*err).code, "rate_limited");
  EXPECT_EQ(std::get<error_event>(*err).id, "x");

  std::vector<core::chat_message> page{m, m};
  page[1].seq = 8;
  auto h = decode_server_line(encode_history("lobby", page, true));
  ASSERT_TRUE(h && std::holds_alternative<history_event>(*h));
  ASSERT_EQ(std::get<history_event>(*h).messages.size(), 2u);
  EXPECT_EQ(std::get<history_event>(*h).messages[0].wire, encode_message(page[0]));
  EXPECT_TRUE(std::get<history_event>(*h).more);

  std::vector<presence_entry> users{{"ann", "d1"}, {"bob", ""}};
  auto p = decode_server_line(encode_presence("lobby", users));
  ASSERT_TRUE(p && std::holds_alternative<presence_event>(*p));
  EXPECT_EQ(std::get<presence_event>(*p).users[0].device, "d1");
  auto j = decode_server_line(encode_person_event("join", "lobby", "ann", ""));
  ASSERT_TRUE(j && std::holds_alternative<person_event>(*j));
  EXPECT_EQ(std::get<person_event>(*j).kind, "join");
  EXPECT_TRUE(std::holds_alternative<subscribed_event>(*decode_server_line(encode_subscribed("r", 3))));
  EXPECT_TRUE(std::holds_alternative<pong_event>(*decode_server_line(encode_pong())));
}

TEST(ClientCodec, WelcomeCarriesTheLimitsAClientPacesBy) {
  core::limits l;
  l.conn_msgs_per_sec = 12.5;
  l.conn_msgs_burst = 30;
  auto e = decode_server_line(encode_welcome("lobby", 4, l));
  ASSERT_TRUE(e);
  const auto& w = std::get<welcome_event>(*e);
  EXPECT_EQ(w.seq, 4u);
  EXPECT_EQ(w.limits.max_message_chars, l.max_message_chars);
  EXPECT_EQ(w.limits.history_limit, l.history_limit);
  EXPECT_DOUBLE_EQ(w.limits.msgs_per_sec, 12.5);
  EXPECT_DOUBLE_EQ(w.limits.msgs_burst, 30);
  EXPECT_EQ(w.limits.id_memory_seconds, 48u * 3600u);
  l.rate_limit = false;
  const auto off = std::get<welcome_event>(*decode_server_line(encode_welcome("lobby", 4, l)));
  EXPECT_EQ(off.limits.msgs_per_sec, 0) << "0: not limited";
}

TEST(ClientCodec, EpochsTravelInWelcomeResetAndSubscribe) {
  core::limits l;
  const auto w =
      std::get<welcome_event>(*decode_server_line(encode_welcome("lobby", 4, l, {}, {}, 1, "00ab")));
  EXPECT_EQ(w.epoch, "00ab");
  auto r = decode_server_line(encode_reset("lobby", "00cd", 9));
  ASSERT_TRUE(r && std::holds_alternative<reset_event>(*r));
  EXPECT_EQ(std::get<reset_event>(*r).epoch, "00cd");
  EXPECT_EQ(std::get<reset_event>(*r).seq, 9u);
  auto sub = decode(encode_subscribe({"r", 3, {}, "00ab"}), l);
  EXPECT_EQ(std::get<subscribe_command>(std::get<command>(sub)).epoch, "00ab");
  auto bad = decode(R"({"type":"subscribe","room":"r","since":3,"epoch":"a b"})", l);
  ASSERT_TRUE(std::holds_alternative<decode_error>(bad));
  EXPECT_EQ(std::get<decode_error>(bad).code, "bad_epoch");
}

TEST(ClientCodec, UnknownAndBrokenLines) {
  auto u = decode_server_line(R"({"type":"poll","room":"r"})");
  ASSERT_TRUE(u && std::holds_alternative<unknown_event>(*u)) << "a later type is ignored, not an error";
  EXPECT_FALSE(decode_server_line("not json"));
  EXPECT_FALSE(decode_server_line("[1,2]"));
  EXPECT_FALSE(decode_server_line(R"({"type":3})"));
  EXPECT_FALSE(decode_server_line(R"({"type":"message","room":"r"})")) << "a message without seq";
}

// Found by fuzz_server_line: a number no seq can be (beyond uint64, or negative) reads as
// absent instead of an undefined conversion.
TEST(ClientCodec, ASeqOutOfRangeReadsAsAbsent) {
  auto m = decode_server_line(R"({"type":"subscribed","room":"r","seq":3.3e34})");
  ASSERT_TRUE(m && std::holds_alternative<subscribed_event>(*m));
  EXPECT_EQ(std::get<subscribed_event>(*m).seq, 0u);
  m = decode_server_line(R"({"type":"subscribed","room":"r","seq":-1.5})");
  ASSERT_TRUE(m && std::holds_alternative<subscribed_event>(*m));
  EXPECT_EQ(std::get<subscribed_event>(*m).seq, 0u);
}

TEST(ClientCodec, ClientCommandsDecodeOnTheServer) {
  auto s = decode(encode_send({"id-1", "ann", "hi \"there\"", std::string("ops"), 0, std::nullopt}), limits);
  ASSERT_TRUE(std::holds_alternative<command>(s));
  const auto& send = std::get<send_command>(std::get<command>(s));
  EXPECT_EQ(send.id, "id-1");
  EXPECT_EQ(send.text, "hi \"there\"");
  EXPECT_EQ(send.room, "ops");
  history_command hc;
  hc.before = 10;
  hc.limit = 5;
  auto h = decode(encode_history_request(hc), limits);
  ASSERT_TRUE(std::holds_alternative<command>(h));
  EXPECT_EQ(std::get<history_command>(std::get<command>(h)).before, 10u);
  EXPECT_EQ(std::get<history_command>(std::get<command>(h)).limit, 5u);
  auto sub = decode(encode_subscribe({"r", 3, {}, {}}), limits);
  EXPECT_EQ(std::get<subscribe_command>(std::get<command>(sub)).since, 3u);
  EXPECT_TRUE(std::holds_alternative<command>(decode(encode_identify({"ann"}), limits)));
  EXPECT_TRUE(std::holds_alternative<command>(decode(encode_rooms_request(), limits)));
  EXPECT_TRUE(std::holds_alternative<command>(decode(encode_ping(), limits)));
}

TEST(ClientCodec, FramesSplitIntoLines) {
  std::vector<std::string> got;
  for_each_line("a\nb\n\nc", [&](std::string_view l) { got.emplace_back(l); });
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Utf8, ValidAndInvalid) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("한국어 🎉 é"));
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf")) << "overlong";
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80")) << "surrogate";
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80")) << "past U+10FFFF";
  EXPECT_FALSE(is_valid_utf8("\xe2\x82")) << "cut short";
  EXPECT_FALSE(is_valid_utf8("a\x80")) << "a lone continuation byte";
}

}  // namespace
}  // namespace message::protocol
