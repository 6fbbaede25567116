#include "app/qr_terminal.hpp"

namespace message::app {

namespace {
constexpr const char* dark_on_light = "\x1b[30;107m";
constexpr const char* reset = "\x1b[0m";
}  // namespace

int qr_terminal_columns(const qr_matrix& code) { return code.size() + 2 * qr_terminal_quiet; }

std::string draw_qr_terminal(const qr_matrix& code) {
  std::string out;
  const int first = -qr_terminal_quiet;
  const int end = code.size() + qr_terminal_quiet;
  for (int y = first; y < end; y += 2) {
    out += dark_on_light;
    for (int x = first; x < end; ++x) {
      const bool top = code.dark_or_quiet(x, y);
      const bool bottom = code.dark_or_quiet(x, y + 1);
      out += top ? (bottom ? "\u2588" : "\u2580") : (bottom ? "\u2584" : " ");
    }
    out += reset;
    out += '\n';
  }
  return out;
}

}  // namespace message::app
