// What the start lines say on a terminal and off one (a log file, a service's journal).
#include "app/start_report.hpp"

#include <gtest/gtest.h>

#include "app/display_name.hpp"

namespace message::app {
namespace {

reach lan_with_key() {
  reach r;
  r.port = 8000;
  r.everywhere = true;
  r.hosts = {"192.168.1.20:8000", "[fd00::2]:8000"};
  r.key = "k y";
  return r;
}

TEST(StartLines, OnATerminalTheLinksCarryTheKeyAndTheQrFollows) {
  const screen s{true, 120, true};
  const std::string lines = open_lines(lan_with_key(), s);
  EXPECT_NE(lines.find("open http://192.168.1.20:8000/#k=k%20y on any machine"), std::string::npos) << lines;
  EXPECT_NE(lines.find("open http://[fd00::2]:8000/#k=k%20y"), std::string::npos) << lines;
  const std::string qr = qr_lines(lan_with_key(), s);
  EXPECT_NE(qr.find("scan to open http://192.168.1.20:8000/#k=k%20y"), std::string::npos) << qr;
  EXPECT_NE(qr.find("\u2588"), std::string::npos);
}

TEST(StartLines, OffATerminalNoKeyNoQrAndHowToShowTheInvite) {
  const screen s{false, 200, true};
  const std::string lines = open_lines(lan_with_key(), s) + qr_lines(lan_with_key(), s);
  EXPECT_EQ(lines.find("k y"), std::string::npos) << lines;
  EXPECT_EQ(lines.find("#k="), std::string::npos) << lines;
  EXPECT_NE(lines.find("open http://192.168.1.20:8000/ on any machine"), std::string::npos) << lines;
  EXPECT_NE(lines.find("'message invite'"), std::string::npos) << lines;
  EXPECT_EQ(lines.find("\u2588"), std::string::npos);
}

TEST(StartLines, NoQrFlag) { EXPECT_EQ(qr_lines(lan_with_key(), screen{true, 120, false}), ""); }

TEST(StartLines, ANarrowTerminalGetsTheUrlAndWhyNoQr) {
  const std::string qr = qr_lines(lan_with_key(), screen{true, 20, true});
  EXPECT_NE(qr.find("did not fit"), std::string::npos) << qr;
  EXPECT_NE(qr.find("http://192.168.1.20:8000/#k=k%20y"), std::string::npos) << qr;
  EXPECT_EQ(qr.find("\u2588"), std::string::npos);
}

TEST(StartLines, LoopbackOnlySaysSo) {
  reach r;
  r.port = 8000;
  r.everywhere = true;
  r.loopback_only = true;
  r.hosts = {"127.0.0.1:8000"};
  const std::string lines = open_lines(r, screen{true, 80, true});
  EXPECT_NE(lines.find("no LAN address"), std::string::npos) << lines;
  EXPECT_NE(lines.find("http://127.0.0.1:8000/"), std::string::npos) << lines;
}

TEST(StartLines, AvahiEvents) {
  using kind = avahi_announcer::event::kind;
  const reach r = lan_with_key();
  EXPECT_EQ(announce_line(r, screen{true, 80, true}, {kind::announced, "message on vm", "vm.local", {}}),
            "  open http://vm.local:8000/#k=k%20y too: announced on the LAN as \"message on vm\"\n");
  EXPECT_EQ(announce_line(r, screen{false, 80, true}, {kind::announced, "message on vm", "vm.local", {}}),
            "  open http://vm.local:8000/ too: announced on the LAN as \"message on vm\"\n");
  EXPECT_NE(announce_line(r, screen{}, {kind::renamed, "message on vm #2", {}, "\"message on vm\" is taken"})
                .find("announcing as \"message on vm #2\""),
            std::string::npos);
  EXPECT_NE(announce_line(r, screen{}, {kind::unavailable, {}, {}, "avahi-daemon is not running"})
                .find("no .local name: avahi-daemon is not running"),
            std::string::npos);
}

TEST(DisplayName, ConfiguredOrMessageOnHostCutAtACharacter) {
  EXPECT_EQ(display_name("Kitchen chat"), "Kitchen chat");
  EXPECT_EQ(display_name("").rfind("message on ", 0), 0U);
  EXPECT_EQ(cut_utf8("ab\xC3\xBC", 3), "ab");
  EXPECT_EQ(display_name(std::string(70, 'x')).size(), max_service_name_bytes);
}

}  // namespace
}  // namespace message::app
