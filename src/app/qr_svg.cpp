#include "app/qr_svg.hpp"

#include <fmt/format.h>

namespace message::app {

namespace {
constexpr int quiet = 4;
}  // namespace

std::string draw_qr_svg(const qr_matrix& code) {
  const int side = code.size() + 2 * quiet;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {0}\" shape-rendering=\"crispEdges\">"
      "<rect width=\"{0}\" height=\"{0}\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
      side);
  // One run of dark modules per "M x y h n v1 h -n z": far shorter than a square per module.
  for (int y = 0; y < code.size(); ++y) {
    for (int x = 0; x < code.size();) {
      if (!code.dark(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < code.size() && code.dark(x + run, y)) ++run;
      out += fmt::format("M{} {}h{}v1h-{}z", x + quiet, y + quiet, run, run);
      x += run;
    }
  }
  out += "\"/></svg>\n";
  return out;
}

}  // namespace message::app
