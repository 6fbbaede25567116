#pragma once

// Reads QR codes back for the tests, with a reader that knows nothing of how we drew them:
// zbarimg (zbar-tools) on an image, the terminal's half blocks turned into a PBM first.

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace message::test {

/// True when `tool` is on the PATH.
inline bool have_tool(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

/// Runs `command` through the shell and returns its standard output.
inline std::string output_of(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;) out.append(buf.data(), n);
  pclose(pipe);
  return out;
}

/// What zbarimg reads in the image at `path` ("" when it finds no code).
inline std::string decode_qr_image(const std::filesystem::path& path) {
  std::string text = output_of("zbarimg --quiet --raw '" + path.string() + "' 2>/dev/null");
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

/// The module rows of the first terminal QR drawing in `text` (half blocks, two rows a line;
/// colour escapes and carriage returns skipped; other lines ignored).
inline std::vector<std::vector<bool>> modules_of_terminal(const std::string& text) {
  std::vector<std::vector<bool>> rows;
  std::size_t i = 0;
  while (i < text.size()) {
    std::vector<bool> top, bottom;
    bool drawing = false;
    while (i < text.size() && text[i] != '\n') {
      if (text[i] == '\x1b') {
        drawing = true;
        const auto end = text.find('m', i);
        i = end == std::string::npos ? text.size() : end + 1;
      } else if (text[i] == '\r') {
        ++i;
      } else if (text[i] == ' ') {
        top.push_back(false), bottom.push_back(false), ++i;
      } else {
        const std::string cell = text.substr(i, 3);
        top.push_back(cell == "\u2580" || cell == "\u2588");
        bottom.push_back(cell == "\u2584" || cell == "\u2588");
        i += (static_cast<unsigned char>(text[i]) & 0x80U) ? 3 : 1;
      }
    }
    ++i;
    if (!drawing) {
      if (!rows.empty()) break;  // The drawing has ended.
      continue;
    }
    rows.push_back(top);
    rows.push_back(bottom);
  }
  return rows;
}

/// Writes module rows as a plain PBM, `scale` pixels a module, on a wide white border.
inline void write_pbm(const std::vector<std::vector<bool>>& rows, const std::filesystem::path& path,
                      int scale = 6) {
  const int border = 8;
  const int w = rows.empty() ? 0 : static_cast<int>(rows[0].size());
  const int h = static_cast<int>(rows.size());
  std::ofstream out(path);
  out << "P1\n" << (w + 2 * border) * scale << ' ' << (h + 2 * border) * scale << '\n';
  for (int y = -border; y < h + border; ++y) {
    for (int sy = 0; sy < scale; ++sy) {
      for (int x = -border; x < w + border; ++x) {
        const auto& row = rows[static_cast<std::size_t>(std::clamp(y, 0, std::max(h - 1, 0)))];
        const bool dark =
            y >= 0 && y < h && x >= 0 && x < static_cast<int>(row.size()) && row[static_cast<std::size_t>(x)];
        for (int sx = 0; sx < scale; ++sx) out << (dark ? '1' : '0');
      }
      out << '\n';
    }
  }
}

/// Decodes the first terminal QR drawing in `text` through a PBM in `dir`.
inline std::string decode_terminal_qr(const std::string& text, const std::filesystem::path& dir) {
  const auto rows = modules_of_terminal(text);
  if (rows.empty()) return {};
  write_pbm(rows, dir / "terminal.pbm");
  return decode_qr_image(dir / "terminal.pbm");
}

/// Renders an SVG to PNG (rsvg-convert) in `dir` and decodes it.
inline std::string decode_svg_qr(const std::string& svg, const std::filesystem::path& dir) {
  { std::ofstream(dir / "qr.svg") << svg; }
  const std::string png = (dir / "qr.png").string();
  if (std::system(("rsvg-convert --width 400 --background-color white -o '" + png + "' '" +
                   (dir / "qr.svg").string() + "'")
                      .c_str()) != 0)
    return {};
  return decode_qr_image(png);
}

}  // namespace message::test
