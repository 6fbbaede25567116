// The conversation frames of docs/protocol.md ("Conversation: edit, delete, reactions,
// replies, mentions"): decoding edit, delete, react, reactions and a send's reply_to and
// mentions, with every refusal's code; encoding every event kind and a message's new fields.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "protocol/codec.hpp"

namespace message::protocol {
namespace {

namespace json = boost::json;

core::limits limits;
const std::string kim = "AAAAAAAAAAAAAAAA";  // The form of a public identity id: 16 characters.
const std::string lee = "BBBBBBBBBBBBBBBB";

template <class T>
T decoded_as(std::string_view frame) {
  auto r = decode(frame, limits);
  EXPECT_TRUE(std::holds_alternative<command>(r)) << frame;
  auto* cmd = std::get_if<command>(&r);
  EXPECT_TRUE(cmd && std::holds_alternative<T>(*cmd)) << frame;
  return std::get<T>(std::get<command>(r));
}

decode_error refused(std::string_view frame) {
  auto r = decode(frame, limits);
  auto* e = std::get_if<decode_error>(&r);
  EXPECT_TRUE(e) << frame;
  return e ? *e : decode_error{"accepted", {}, {}};
}

json::object parsed(const std::string& line) { return json::parse(line).as_object(); }

TEST(ConversationCodec, DecodesEditDeleteReactAndReactions) {
  auto e =
      decoded_as<edit_command>(R"({"type":"edit","id":"e1","target":12,"message":"fixed","room":"kitchen"})");
  EXPECT_EQ(e.id, "e1");
  EXPECT_EQ(e.target, 12U);
  EXPECT_EQ(e.text, "fixed");
  EXPECT_EQ(e.room, "kitchen");
  EXPECT_FALSE(e.mentions);

  auto d = decoded_as<delete_command>(R"({"type":"delete","id":"d1","target":"7"})");
  EXPECT_EQ(d.id, "d1");
  EXPECT_EQ(d.target, 7U);
  EXPECT_FALSE(d.room);

  auto r = decoded_as<react_command>(R"({"type":"react","id":"r1","target":3,"emoji":"👍🏽"})");
  EXPECT_EQ(r.emoji, "👍🏽");
  EXPECT_FALSE(r.remove);
  EXPECT_TRUE(
      decoded_as<react_command>(R"({"type":"react","id":"r2","target":3,"emoji":"🎉","remove":true})").remove);

  auto q = decoded_as<reactions_command>(R"({"type":"reactions","target":3,"room":"kitchen"})");
  EXPECT_EQ(q.target, 3U);
  EXPECT_EQ(q.room, "kitchen");
}

TEST(ConversationCodec, DecodesASendsReplyAndMentions) {
  auto s = decoded_as<send_command>(R"({"type":"send","id":"a","username":"kim","message":"yes @lee",
                                        "reply_to":4,"mentions":[")" +
                                    lee + R"(","not-an-id",")" + lee + R"("]})");
  EXPECT_EQ(s.reply_to, 4U);
  ASSERT_TRUE(s.mentions);
  EXPECT_EQ(*s.mentions, std::vector<std::string>{lee});  // Malformed ids and repeats dropped.

  auto plain = decoded_as<send_command>(R"({"type":"send","id":"b","username":"kim","message":"hi"})");
  EXPECT_EQ(plain.reply_to, 0U);
  EXPECT_FALSE(plain.mentions);
}

TEST(ConversationCodec, RefusesBadChangesWithDocumentedCodesNamingTheirId) {
  auto code_and_id = [](std::string_view frame) {
    auto e = refused(frame);
    return e.code + " " + e.id;
  };
  EXPECT_EQ(code_and_id(R"({"type":"edit","id":"e","message":"x"})"), "bad_target e");
  EXPECT_EQ(code_and_id(R"({"type":"edit","id":"e","target":0,"message":"x"})"), "bad_target e");
  EXPECT_EQ(code_and_id(R"({"type":"delete","id":"d","target":-3})"), "bad_target d");
  EXPECT_EQ(code_and_id(R"({"type":"delete","id":"d","target":"seven"})"), "bad_target d");
  EXPECT_EQ(code_and_id(R"({"type":"react","id":"r","target":1.5,"emoji":"👍"})"), "bad_target r");
  EXPECT_EQ(code_and_id(R"({"type":"send","id":"s","username":"k","message":"m","reply_to":0})"),
            "bad_target s");
  EXPECT_EQ(code_and_id(R"({"type":"react","id":"r","target":1,"emoji":"a"})"), "bad_emoji r");
  EXPECT_EQ(code_and_id(R"({"type":"react","id":"r","target":1,"emoji":"👍👍"})"), "bad_emoji r");
  EXPECT_EQ(code_and_id(R"({"type":"react","id":"r","target":1})"), "bad_emoji r");
  EXPECT_EQ(code_and_id(R"({"type":"react","id":"r","target":1,"emoji":"👍","remove":"yes"})"),
            "missing_field r");
  EXPECT_EQ(code_and_id(R"({"type":"edit","id":"e","target":1,"message":""})"), "missing_field e");
  EXPECT_EQ(code_and_id(R"({"type":"edit","target":1,"message":"x"})"), "missing_field ");
  EXPECT_EQ(code_and_id(R"({"type":"delete","id":"has space","target":1})"), "bad_id ");
  EXPECT_EQ(code_and_id(R"({"type":"edit","id":"e","target":1,"message":"x","room":"no room!"})"),
            "bad_room e");
  EXPECT_EQ(code_and_id(R"({"type":"reactions"})"), "bad_target ");

  const std::string long_text(limits.max_message_chars + 1, 'x');
  EXPECT_EQ(code_and_id(R"({"type":"edit","id":"e","target":1,"message":")" + long_text + R"("})"),
            "too_long e");
  std::string many = "[";
  for (std::size_t i = 0; i <= limits.max_mentions; ++i) many += (i ? ",\"" : "\"") + kim + "\"";
  many += "]";
  EXPECT_EQ(code_and_id(R"({"type":"send","id":"s","username":"k","message":"m","mentions":)" + many + "}"),
            "too_long s");
  EXPECT_EQ(code_and_id(R"({"type":"send","id":"s","username":"k","message":"m","mentions":"kim"})"),
            "missing_field s");
  EXPECT_EQ(code_and_id(R"({"type":"edit","id":"e","target":1,"message":"m","mentions":[1]})"),
            "missing_field e");
}

core::chat_message row(core::event_kind kind) {
  core::chat_message m;
  m.room = "kitchen";
  m.seq = 9;
  m.id = "c1";
  m.username = "kim";
  m.device = kim;
  m.ts = 1000;
  m.kind = kind;
  m.target = 4;
  return m;
}

TEST(ConversationCodec, EncodesEachEventKindAsItsFrame) {
  auto edit = row(core::event_kind::edit);
  edit.text = "new text";
  edit.mentions = {lee};
  EXPECT_EQ(parsed(encode_message(edit)),
            parsed(R"({"type":"edit","room":"kitchen","seq":9,"id":"c1","target":4,"message":"new text",
                       "mentions":[")" +
                   lee + R"("],"ts":1000,"username":"kim","identity":")" + kim + R"(","device":"AAAAAA"})"));

  EXPECT_EQ(parsed(encode_message(row(core::event_kind::remove))),
            parsed(R"({"type":"delete","room":"kitchen","seq":9,"id":"c1","target":4,"ts":1000,
                       "username":"kim","identity":")" +
                   kim + R"(","device":"AAAAAA"})"));

  auto react = row(core::event_kind::react);
  react.text = "🎉";
  EXPECT_EQ(parsed(encode_message(react)),
            parsed(R"({"type":"react","room":"kitchen","seq":9,"id":"c1","target":4,"emoji":"🎉","ts":1000,
                       "username":"kim","identity":")" +
                   kim + R"(","device":"AAAAAA"})"));
  auto unreact = row(core::event_kind::unreact);
  unreact.text = "🎉";
  EXPECT_EQ(parsed(encode_message(unreact)).at("remove"), json::value(true));

  // An edit of a message deleted since: replayed scrubbed, never with its old text or mentions.
  auto scrubbed = row(core::event_kind::edit);
  scrubbed.mentions = {lee};
  const auto o = parsed(encode_message(scrubbed));
  EXPECT_EQ(o.at("message"), json::value(""));
  EXPECT_FALSE(o.contains("mentions"));
}

TEST(ConversationCodec, EncodesAMessagesConversationFieldsOnlyWhenTheyApply) {
  auto m = row(core::event_kind::message);
  m.target = 0;
  m.text = "yes";
  m.reply_to = 4;
  m.reply = core::reply_quote{4, "lee", lee, "the start of it", false};
  m.mentions = {lee};
  m.edited = 2000;
  m.reactions = {core::reaction_summary{"👍", 5, {{lee, "lee"}}, true}};
  EXPECT_EQ(parsed(encode_message(m)),
            parsed(R"({"type":"message","room":"kitchen","seq":9,"id":"c1","username":"kim","message":"yes",
                       "ts":1000,"identity":")" +
                   kim + R"(","device":"AAAAAA","reply_to":4,
                       "reply":{"seq":4,"username":"lee","identity":")" +
                   lee + R"(","message":"the start of it"},
                       "mentions":[")" +
                   lee + R"("],"edited":2000,
                       "reactions":[{"emoji":"👍","count":5,"users":[{"identity":")" +
                   lee + R"(","username":"lee"}],
                                     "mine":true}]})"));

  // A tombstone: no text, no mentions, `deleted`; a reply to it says so.
  auto tomb = m;
  tomb.deleted = true;
  tomb.reply->deleted = true;
  const auto o = parsed(encode_message(tomb));
  EXPECT_EQ(o.at("message"), json::value(""));
  EXPECT_EQ(o.at("deleted"), json::value(true));
  EXPECT_FALSE(o.contains("mentions"));
  EXPECT_EQ(o.at("reply").at("message"), json::value(""));
  EXPECT_EQ(o.at("reply").at("deleted"), json::value(true));

  // A plain message gains nothing.
  auto plain = row(core::event_kind::message);
  EXPECT_FALSE(parsed(encode_message(plain)).contains("reply_to"));
  EXPECT_EQ(parsed(encode_message(plain)).size(), 9U);
}

TEST(ConversationCodec, AnswersReactionsWithEveryoneOldestFirst) {
  std::vector<core::reaction_summary> all{{"👍", 2, {{kim, "kim"}, {lee, "lee"}}, false},
                                          {"🎉", 1, {{lee, "lee"}}, false}};
  EXPECT_EQ(parsed(encode_reactions("kitchen", 4, all)),
            parsed(R"({"type":"reactions","room":"kitchen","target":4,"reactions":[
                       {"emoji":"👍","users":[{"identity":")" +
                   kim + R"(","username":"kim"},
                                              {"identity":")" +
                   lee + R"(","username":"lee"}]},
                       {"emoji":"🎉","users":[{"identity":")" +
                   lee + R"(","username":"lee"}]}]})"));
}

}  // namespace
}  // namespace message::protocol
