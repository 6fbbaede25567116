// libFuzzer target: the tus 1.0.0 header values of an upload (transport/tus_headers):
// Upload-Metadata, Upload-Checksum, the decimal offsets and lengths, base64 and file names.
// The first byte picks the parser, the rest is the header's value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "transport/tus_headers.hpp"

namespace tus = message::transport;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view value(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      // What parses encodes back to a value that parses to the same pairs.
      const auto metadata = tus::parse_upload_metadata(value);
      if (metadata) {
        const auto again = tus::parse_upload_metadata(tus::encode_upload_metadata(*metadata));
        if (!again || *again != *metadata) __builtin_trap();
      }
      break;
    }
    case 1: {
      const auto checksum = tus::parse_upload_checksum(value);
      if (checksum) {
        if (checksum->algorithm != "sha1" && checksum->algorithm != "sha256") __builtin_trap();
        if (checksum->digest.size() != (checksum->algorithm == "sha1" ? 20u : 32u)) __builtin_trap();
      }
      break;
    }
    case 2: {
      const auto n = tus::parse_decimal(value);
      if (n && std::to_string(*n).size() > value.size()) __builtin_trap();
      break;
    }
    case 3: {
      // base64 round trip both ways.
      if (const auto bytes = tus::base64_decode(value)) {
        if (tus::base64_decode(tus::base64_encode(*bytes)) != bytes) __builtin_trap();
      }
      break;
    }
    default:
      if (tus::is_valid_file_name(value) && (value.empty() || value.size() > 255)) __builtin_trap();
      break;
  }
  return 0;
}
