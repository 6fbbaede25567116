#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace message::core {

/// The shared file a message carries (docs/protocol.md, "Files"). Set by the server when an
/// upload's last byte is stored and checked, never taken from a client's frame. Plain data.
struct file_ref {
  std::string sha256;       ///< 64 lowercase hex digits: the blob's name.
  std::string name;         ///< As the uploader named it (checked: no path, no control characters).
  std::uint64_t size = 0;   ///< Bytes.
  std::string type;         ///< The MIME type sniffed from the content.
  std::uint32_t width = 0;  ///< A picture's size in pixels (0: not a picture, or not read).
  std::uint32_t height = 0;
  bool thumb = false;  ///< /files/<sha256>/thumb exists.
  bool gone = false;   ///< The blob was removed (the size cap) while this message still names it.

  bool operator==(const file_ref&) const = default;
};

/// The one text form a file_ref is stored in (SQLite column, journal record, Redis entry):
/// a JSON object with the protocol's field names.
std::string file_ref_text(const file_ref& f);
/// nullopt for text that is not such an object (a damaged row keeps its message, not its file).
std::optional<file_ref> parse_file_ref(std::string_view text);

}  // namespace message::core
