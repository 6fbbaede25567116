// The QR drawings read back: the terminal's half blocks and the page's SVG are turned into
// images and decoded by zbarimg (zbar-tools), a reader that knows nothing of how we drew them.
#include <gtest/gtest.h>

#include <string>

#include "app/invite_link.hpp"
#include "app/qr_matrix.hpp"
#include "app/qr_svg.hpp"
#include "app/qr_terminal.hpp"
#include "qr_reader.hpp"
#include "temp_dir.hpp"

namespace message::app {
namespace {

using test::decode_svg_qr;
using test::decode_terminal_qr;
using test::have_tool;
using test::modules_of_terminal;

const std::string invite = invite_url("http", "192.168.1.20:8000", "s3cret key/ü#&");

TEST(QrTerminal, DrawsTwoModulesPerCellAndDecodesBack) {
  if (!have_tool("zbarimg")) GTEST_SKIP() << "zbarimg (zbar-tools) is not installed";
  const qr_matrix code(invite);
  const std::string drawing = draw_qr_terminal(code);
  const auto rows = modules_of_terminal(drawing);
  ASSERT_EQ(static_cast<int>(rows.at(0).size()), qr_terminal_columns(code));
  // Half blocks: a cell per two rows, rounded up (the last one may be half quiet zone).
  EXPECT_EQ(rows.size() / 2, static_cast<std::size_t>((code.size() + 2 * qr_terminal_quiet + 1) / 2));
  test::temp_dir dir;
  EXPECT_EQ(decode_terminal_qr(drawing, dir.path()), invite);
}

TEST(QrTerminal, EveryLineResetsItsColours) {
  const std::string drawing = draw_qr_terminal(qr_matrix("http://10.0.0.1:8000/"));
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = drawing.find('\n', at)) != std::string::npos; ++at, ++lines)
    EXPECT_EQ(drawing.compare(at - 4, 4, "\x1b[0m"), 0) << "line " << lines;
  EXPECT_GT(lines, 10U);
}

TEST(QrSvg, RendersAndDecodesBack) {
  if (!have_tool("zbarimg") || !have_tool("rsvg-convert"))
    GTEST_SKIP() << "zbarimg (zbar-tools) or rsvg-convert (librsvg2-bin) is not installed";
  test::temp_dir dir;
  EXPECT_EQ(decode_svg_qr(draw_qr_svg(qr_matrix(invite)), dir.path()), invite);
}

TEST(QrMatrix, SmallestVersionThatFits) {
  EXPECT_EQ(qr_matrix("http://10.0.0.1:8000/").size(), 25);  // Version 2: 21 + 4 modules.
  EXPECT_THROW(qr_matrix(std::string(4000, 'a')), std::runtime_error);
}

TEST(InviteLink, KeyInTheFragmentEscaped) {
  EXPECT_EQ(invite_url("http", "192.168.1.20:8000", ""), "http://192.168.1.20:8000/");
  EXPECT_EQ(invite_url("https", "[fd00::2]:8000", "a b/c#d&e%f"),
            "https://[fd00::2]:8000/#k=a%20b%2Fc%23d%26e%25f");
  EXPECT_EQ(percent_escape("Az09-._~!*'()"), "Az09-._~%21%2A%27%28%29");
  EXPECT_EQ(percent_escape("\xC3\xBC"), "%C3%BC");
}

}  // namespace
}  // namespace message::app
