#pragma once

#include <filesystem>
#include <string_view>

#include "common/file_ref.hpp"

namespace message::files {

/// The picture step of an upload's last byte (docs/protocol.md, "Files"): for a PNG, GIF,
/// WebP or JPEG (by `file.type`, the sniffed type) fills `file.width` and `file.height` from
/// the picture's header, read from `path` without decoding any pixel. Anything else, or a
/// header it cannot read, leaves them 0. The thumbnail (and `thumb`) is made here too once the
/// thumbnailer exists; until then `thumb` stays false. Runs on the files worker.
void add_picture_details(const std::filesystem::path& path, core::file_ref& file);

/// The size in the header of a picture of MIME type `type` (its first bytes in `head`);
/// {0, 0} when it cannot tell. Pure.
struct picture_dimensions {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};
picture_dimensions picture_size(std::string_view type, std::string_view head);

}  // namespace message::files
