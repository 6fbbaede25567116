// The readable line tail and chat print for each non-message event, built from the frames the
// server's own encoders write.
#include <gtest/gtest.h>

#include <regex>

#include "client/event_lines.hpp"
#include "protocol/codec.hpp"

namespace message::client {
namespace {

protocol::server_event decoded(const std::string& line) {
  auto e = protocol::decode_server_line(line);
  EXPECT_TRUE(e) << line;
  return e ? *e : protocol::server_event{protocol::pong_event{}};
}

/// The line without its "HH:MM " time.
std::string untimed(const std::optional<std::string>& line) {
  if (!line) return "(none)";
  EXPECT_TRUE(std::regex_search(*line, std::regex("^[0-9][0-9]:[0-9][0-9] "))) << *line;
  return line->substr(6);
}

TEST(EventLines, ClientCodecReadsRenameNameAndRoomFrames) {
  const auto r = decoded(protocol::encode_rename("lobby", "AbCdEfGhIjKlMnOp", "kimberly"));
  ASSERT_TRUE(std::holds_alternative<protocol::rename_event>(r));
  EXPECT_EQ(std::get<protocol::rename_event>(r).identity, "AbCdEfGhIjKlMnOp");
  EXPECT_EQ(std::get<protocol::rename_event>(r).username, "kimberly");
  const auto n = decoded(protocol::encode_name("AbCdEfGhIjKlMnOp", "kim"));
  ASSERT_TRUE(std::holds_alternative<protocol::name_event>(n));
  EXPECT_EQ(std::get<protocol::name_event>(n).username, "kim");
  const auto room = decoded(protocol::encode_room("dm-x", "", "WithWithWithWith", "ByByByByByByByBy"));
  ASSERT_TRUE(std::holds_alternative<protocol::room_event>(room));
  const auto& re = std::get<protocol::room_event>(room);
  EXPECT_TRUE(re.direct);
  EXPECT_EQ(re.with, "WithWithWithWith");
  EXPECT_EQ(re.by, "ByByByByByByByBy");
  EXPECT_EQ(re.wire, protocol::encode_room("dm-x", "", "WithWithWithWith", "ByByByByByByByBy"));
}

TEST(EventLines, OneReadableLinePerEventAndNoneForBookkeeping) {
  event_lines lines(false);
  const auto line = [&](const std::string& wire) {
    const auto e = decoded(wire);
    auto out = lines.line(e, 0);
    lines.saw(e);
    return out;
  };
  EXPECT_EQ(untimed(line(protocol::encode_person_event("join", "lobby", "kim", "AbCdEfGhIjKlMnOp"))),
            "-- kim joined");
  EXPECT_EQ(untimed(line(protocol::encode_person_event("leave", "lobby", "kim", "AbCdEfGhIjKlMnOp"))),
            "-- kim left");
  EXPECT_EQ(untimed(line(protocol::encode_rename("lobby", "AbCdEfGhIjKlMnOp", "kimberly"))),
            "-- kim is now kimberly");
  // The server may show the new name (a join) before the rename: the one before it is the old.
  line(protocol::encode_person_event("join", "lobby", "kimmy", "AbCdEfGhIjKlMnOp"));
  EXPECT_EQ(untimed(line(protocol::encode_rename("lobby", "AbCdEfGhIjKlMnOp", "kimmy"))),
            "-- kimberly is now kimmy");
  EXPECT_EQ(untimed(line(protocol::encode_rename("lobby", "ZyXwVuTsRqPoNmLk", "lee"))),
            "-- someone (ZyXwVu) is now lee");
  EXPECT_EQ(untimed(line(protocol::encode_room("plans", "", "", "AbCdEfGhIjKlMnOp"))),
            "-- kimmy invited you to the private room plans");
  EXPECT_EQ(untimed(line(protocol::encode_room("dm-abc", "", "Me", "AbCdEfGhIjKlMnOp"))),
            "-- kimmy wrote to you directly: room dm-abc");
  EXPECT_EQ(untimed(line(protocol::encode_name("Me", "ann"))), "-- you are now ann");
  EXPECT_EQ(untimed(line(protocol::encode_name("Me", ""))), "-- you gave up your name");
  EXPECT_EQ(line(protocol::encode_gap("lobby", 3, 5)), "-- messages 3 to 5 are no longer available");
  // A room answering this connection's own request, typing, presence: no line.
  EXPECT_FALSE(line(protocol::encode_room("plans", "secret", "", "")));
  EXPECT_FALSE(line(protocol::encode_person_event("typing", "lobby", "kim", "AbCdEfGhIjKlMnOp")));
  std::vector<protocol::presence_entry> users{{"ann", "d1"}};
  EXPECT_FALSE(line(protocol::encode_presence("lobby", users)));
  EXPECT_FALSE(event_lines::printed(decoded(protocol::encode_presence("lobby", users))));
  EXPECT_TRUE(event_lines::printed(decoded(protocol::encode_rename("lobby", "AbCdEfGhIjKlMnOp", "x"))));
}

TEST(EventLines, NamesAreMadePrintable) {
  event_lines lines(false);
  const auto e = decoded(protocol::encode_person_event("join", "lobby", "a\033[2Jb", ""));
  EXPECT_EQ(untimed(lines.line(e, 0)), "-- a\xEF\xBF\xBD[2Jb joined");
}

core::chat_message change_of(core::event_kind kind, std::string text) {
  core::chat_message c;
  c.room = "lobby";
  c.seq = 13;
  c.id = "c1";
  c.username = "kim";
  c.device = "AbCdEfGhIjKlMnOp";
  c.ts = 1000;
  c.kind = kind;
  c.target = 12;
  c.text = std::move(text);
  return c;
}

TEST(EventLines, OneLinePerChangeToAMessageAndItsWireObjectForJson) {
  event_lines lines(false);
  const auto line_of = [&](const core::chat_message& c) {
    const auto e = decoded(protocol::encode_message(c));
    EXPECT_TRUE(std::holds_alternative<protocol::change_event>(e));
    EXPECT_TRUE(event_lines::printed(e));
    return untimed(lines.line(e, 0));
  };
  EXPECT_EQ(line_of(change_of(core::event_kind::edit, "new text")), "-- kim edited #12: new text");
  EXPECT_EQ(line_of(change_of(core::event_kind::remove, "")), "-- kim deleted #12");
  EXPECT_EQ(line_of(change_of(core::event_kind::react, "👍")), "-- kim reacted 👍 to #12");
  EXPECT_EQ(line_of(change_of(core::event_kind::unreact, "👍")), "-- kim took back 👍 from #12");
  // An edit's text is made printable like a message's.
  EXPECT_EQ(line_of(change_of(core::event_kind::edit, "a\x1b[2Jb")).find('\x1b'), std::string::npos);

  const auto wire = protocol::encode_message(change_of(core::event_kind::edit, "new text"));
  const auto e = decoded(wire);
  const auto& c = std::get<protocol::change_event>(e);
  EXPECT_EQ(c.wire, wire);  // What --json prints.
  EXPECT_EQ(c.change.seq, 13U);
  EXPECT_EQ(c.change.target, 12U);
}

}  // namespace
}  // namespace message::client
