#pragma once

#include <cstdint>
#include <filesystem>

#include "common/file_ref.hpp"

namespace message::files {

/// The picture step of an upload's last byte (docs/protocol.md, "Files"): for a file sniffed
/// as an image, makes its thumbnail at `thumb` (files::make_thumbnail: JPEG, PNG, GIF and WebP,
/// at most `max_pixels`, fitting in `max_side`) and fills `file.width`, `file.height` (as shown,
/// EXIF orientation applied; also for a picture over `max_pixels`, which gets no thumbnail) and
/// `file.thumb`. Anything else is left as it is. Slow and disk-bound: runs on the files worker.
/// Throws std::runtime_error when the thumbnail cannot be written (a full disk).
void add_picture_details(const std::filesystem::path& blob, const std::filesystem::path& thumb,
                         core::file_ref& file, std::uint64_t max_pixels, std::uint32_t max_side);

}  // namespace message::files
