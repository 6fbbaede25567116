#pragma once

#include <string_view>
#include <vector>

namespace message::app {

/// The modules of a QR code (libqrencode builds them; drawing is qr_terminal's and qr_svg's job).
/// Immutable after construction; safe to read from any thread.
class qr_matrix {
 public:
  /// Encodes `text` as bytes at error correction level L: the codes are shown on screens, not
  /// printed, and level L keeps a URL with a key small enough for an 80-column terminal.
  /// Throws std::runtime_error when the text does not fit in a QR code (over 2953 bytes).
  explicit qr_matrix(std::string_view text);

  /// Modules per side, without the quiet zone.
  int size() const { return size_; }
  /// True for a dark module; x and y in [0, size()).
  bool dark(int x, int y) const {
    return dark_[static_cast<std::size_t>(y) * static_cast<std::size_t>(size_) + static_cast<std::size_t>(x)];
  }
  /// Like dark(), but false outside the code (the quiet zone around it).
  bool dark_or_quiet(int x, int y) const { return x >= 0 && y >= 0 && x < size_ && y < size_ && dark(x, y); }

 private:
  int size_ = 0;
  std::vector<bool> dark_;
};

}  // namespace message::app
