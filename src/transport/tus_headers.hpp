#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace message::transport {

// The header values of tus 1.0.0 (docs/protocol.md, "Files"). Pure functions.

/// Standard base64 (with padding, as tus writes metadata and checksums); nothing for anything
/// else.
std::optional<std::string> base64_decode(std::string_view in);
std::string base64_encode(std::string_view bytes);

/// `Upload-Metadata`: comma-separated `key base64value` (the value may be absent: ""). Nothing
/// when malformed (a bad base64 value, an empty or repeated key).
std::optional<std::vector<std::pair<std::string, std::string>>> parse_upload_metadata(std::string_view value);
std::string encode_upload_metadata(const std::vector<std::pair<std::string, std::string>>& metadata);

/// A decimal header value (Upload-Length, Upload-Offset): digits only, no sign, fits 64 bits.
std::optional<std::uint64_t> parse_decimal(std::string_view value);

/// `Upload-Checksum: <algorithm> <base64 digest>`.
struct upload_checksum {
  std::string algorithm;  ///< "sha1" or "sha256".
  std::string digest;     ///< Raw bytes.
};
/// Nothing when malformed or of another algorithm (both 400).
std::optional<upload_checksum> parse_upload_checksum(std::string_view value);

/// A file name as the protocol takes it: 1-255 bytes of UTF-8, no `/`, `\`, NUL or control
/// character (C0, DEL, C1).
bool is_valid_file_name(std::string_view name);

}  // namespace message::transport
