#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace message::files {

/// What make_thumbnail() did with a file.
struct thumbnail_outcome {
  enum class kind {
    made,             ///< A picture: its thumbnail is written.
    not_a_picture,    ///< Not a JPEG, PNG, GIF or WebP vips can read (or damaged): no thumbnail.
    too_many_pixels,  ///< Its header declares more than max_pixels: refused before decoding.
  };
  kind result = kind::not_a_picture;
  /// The picture's size as it is shown (EXIF orientation applied); also set for
  /// too_many_pixels (as declared), 0 for not_a_picture. The message's `width`/`height`.
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  /// The thumbnail's size (made only).
  std::uint32_t thumb_width = 0;
  std::uint32_t thumb_height = 0;
};

/// Where the thumbnail of blob `sha256` lives under a blob_store's root: `ROOT/thumb/ab/<the
/// other 62 hex digits>` (a WebP), beside `ROOT/sha256/`, so GET /files/<sha256>/thumb needs
/// nothing but the hash.
std::filesystem::path thumb_path(const std::filesystem::path& root, std::string_view sha256);

/// Makes the thumbnail of the picture in `picture` (JPEG, PNG, GIF or WebP, by its content,
/// never its name) as `thumb` (folders made as needed): a WebP fitting in `max_side` x
/// `max_side` pixels (never enlarged), EXIF orientation applied, no metadata kept (EXIF, XMP,
/// ICC: a phone's photo carries where it was taken). Written under a temporary name beside
/// `thumb` and renamed, so a reader never sees half of one.
///
/// Safety (docs/security.md): libvips with its untrusted loaders blocked
/// (vips_block_untrusted_set), and only the four loaders above; the size is read from the
/// header and a picture over `max_pixels` is refused before any pixel is decoded.
/// Throws std::runtime_error only when the thumbnail cannot be written (full disk).
///
/// Slow (tens of milliseconds for a photo) and disk-bound: call it off the I/O loops (the
/// upload's files worker). Thread-safety: safe from any thread (libvips is thread-safe; its
/// one start-up runs once).
thumbnail_outcome make_thumbnail(const std::filesystem::path& picture, const std::filesystem::path& thumb,
                                 std::uint64_t max_pixels, std::uint32_t max_side);

}  // namespace message::files
