#include "app/qr_matrix.hpp"

#include <qrencode.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace message::app {

qr_matrix::qr_matrix(std::string_view text) {
  // Bytes, not a C string: the version 0 asks libqrencode for the smallest that fits.
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeData(static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()), 0,
                        QR_ECLEVEL_L),
      &QRcode_free);
  if (!code) throw std::runtime_error(std::string("cannot make a QR code: ") + std::strerror(errno));
  size_ = code->width;
  const auto cells = static_cast<std::size_t>(size_) * static_cast<std::size_t>(size_);
  dark_.resize(cells);
  // Bit 0 of each byte is the module's colour; the other bits say what the module is for.
  for (std::size_t i = 0; i < cells; ++i) dark_[i] = (code->data[i] & 1U) != 0;
}

}  // namespace message::app
