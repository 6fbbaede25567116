#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace message::transport {

/// What `/files/<sha256>` or `/files/<sha256>/thumb` names (docs/protocol.md, "Files").
struct file_target {
  std::string sha256;  ///< 64 lowercase hex digits.
  bool thumb = false;
};

/// The target of a download path; nothing for any other path (an upload's, a malformed hash).
/// Pure.
std::optional<file_target> parse_file_target(std::string_view path);

/// True for the types served `inline` (docs/protocol.md, "Files": pictures, video and audio a
/// browser plays without running anything); every other type is an attachment. Pure.
bool served_inline(std::string_view type);

/// `Content-Disposition` for `name`, RFC 6266: `attachment` (or `inline`), then `filename="..."`
/// with an ASCII stand-in (every byte outside printable ASCII, `"` and `\` as `_`) for old
/// clients, and `filename*=UTF-8''...` with the exact name percent-encoded. No byte of the name
/// reaches the header unencoded but the safe printable ones: a quote, a semicolon or a line
/// break cannot end the value or start another. Pure.
std::string content_disposition(std::string_view name, bool inline_);

/// One byte range of a `Range` header, resolved against the file's size: [first, last].
struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

/// What a `Range` header asks of a file of `size` bytes.
struct range_request {
  enum class kind {
    whole,          ///< No Range, one we ignore (malformed, another unit), or several ranges: 200.
    partial,        ///< One satisfiable range: 206.
    unsatisfiable,  ///< One range wholly past the end: 416.
  };
  kind result = kind::whole;
  byte_range range{};
};

/// Reads a `Range` header (RFC 9110, 14.2): `bytes=a-b`, `bytes=a-`, `bytes=-n`. Several
/// ranges are answered with the whole file (allowed, and docs/protocol.md says so). Pure.
range_request parse_range(std::string_view value, std::uint64_t size);

}  // namespace message::transport
