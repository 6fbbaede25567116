// The terminal client's small pure parts: --server URLs, fingerprints, message ids, the
// resume file and what reaches a terminal.
#include <gtest/gtest.h>

#include <fstream>

#include "client/message_format.hpp"
#include "client/resume_file.hpp"
#include "client_transport/server_trust.hpp"
#include "client_transport/server_url.hpp"
#include "temp_dir.hpp"

namespace message::client {
namespace {

TEST(ServerUrl, SchemesPortsAndPaths) {
  std::string error;
  auto u = parse_server_url("http://127.0.0.1:8000", error);
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->port, 8000);
  EXPECT_EQ(u->authority(), "127.0.0.1:8000");
  u = parse_server_url("wss://chat.lan/team/ws", error);
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->base_path, "/team");
  u = parse_server_url("https://[::1]:9/", error);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->authority(), "[::1]:9");
  for (const char* bad : {"127.0.0.1:8000", "ftp://x", "http://:80", "http://h:0", "http://h:70000",
                          "http://h/?key=x", "http://user:pw@h/"}) {
    error.clear();
    EXPECT_FALSE(parse_server_url(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(Fingerprint, SpellingsNormalise) {
  EXPECT_EQ(normalize_fingerprint("ab:cd:EF"), "AB:CD:EF");
  EXPECT_EQ(normalize_fingerprint("abcdef"), "AB:CD:EF");
  EXPECT_EQ(normalize_fingerprint("SHA256:ab cd ef"), "AB:CD:EF");
  // The start lines print the public key's pin as sha256//BASE64: copied from there, it pins.
  EXPECT_EQ(normalize_fingerprint("sha256//q83v"), "AB:CD:EF");
  EXPECT_EQ(normalize_fingerprint("sha256//q80="), "AB:CD");
}

TEST(LineIds, SameInputSameIdOtherwiseDifferent) {
  const auto a = line_id("0123456789abcdef", 12, "hello");
  EXPECT_EQ(a, line_id("0123456789abcdef", 12, "hello"));
  EXPECT_NE(a, line_id("0123456789abcdef", 13, "hello"));
  EXPECT_NE(a, line_id("0123456789abcdef", 12, "hellO"));
  EXPECT_NE(a, line_id("fedcba9876543210", 12, "hello"));
  EXPECT_LE(line_id("0123456789abcdef", 18446744073709551615ull, "x").size(), 64u);
  EXPECT_NE(new_run_id(), new_run_id());
}

TEST(ResumeFile, KeepsTheRunAndProgressAndGoesWhenFinished) {
  test::temp_dir dir;
  const auto path = dir.path() / "progress";
  std::string run;
  {
    resume_file f(path);
    run = f.run_id();
    EXPECT_EQ(f.acked(), 0u);
    EXPECT_TRUE(std::filesystem::exists(path)) << "written before anything is sent";
    f.set_acked(42);
  }
  resume_file again(path);
  EXPECT_EQ(again.run_id(), run);
  EXPECT_EQ(again.acked(), 42u);
  again.finish();
  EXPECT_FALSE(std::filesystem::exists(path));
  std::ofstream(dir.path() / "other") << "something else\n";
  EXPECT_THROW(resume_file(dir.path() / "other"), std::runtime_error);
}

TEST(MessageFormat, ControlCharactersNeverReachTheTerminal) {
  EXPECT_EQ(printable("a\033[2Jb"), "a\xEF\xBF\xBD[2Jb");
  EXPECT_EQ(printable("tab\there\nnext"), "tab\there\nnext");
  EXPECT_EQ(printable("c1\xC2\x9B"
                      "x"),
            "c1\xEF\xBF\xBDx");
  EXPECT_EQ(printable("é 한"), "é 한");
  EXPECT_EQ(coloured_name("ann", false), "ann");
  EXPECT_EQ(coloured_name("ann", true), coloured_name("ann", true));
  EXPECT_NE(coloured_name("ann", true).find("ann"), std::string::npos);
  EXPECT_NE(coloured_name("ann", true), "ann");
}

TEST(MessageFormat, AnExcerptCutsWholeCodePoints) {
  EXPECT_EQ(excerpt("short", 40), "short");
  EXPECT_EQ(excerpt("abcdef", 3), "abc\xE2\x80\xA6");
  EXPECT_EQ(excerpt("é한x", 2), "é한\xE2\x80\xA6");
  EXPECT_EQ(excerpt("é한", 2), "é한");
}

}  // namespace
}  // namespace message::client
