#include "files/thumbnailer.hpp"

#include <vips/vips.h>

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace message::files {

namespace fs = std::filesystem;

namespace {

/// libvips starts once per process. Its operation cache is off: every picture is new, and a
/// cache would keep decoded pixels of other people's files in memory.
void start_vips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("message") != 0) throw std::runtime_error("libvips cannot start");
    // Loaders libvips marks untrusted (ImageMagick, PDF, SVG, FITS, ...) are never run,
    // whatever bytes arrive (vips_block_untrusted_set: libvips 8.13 and later).
    vips_block_untrusted_set(TRUE);
    vips_cache_set_max(0);
    // One thread per picture: the caller's worker is the unit of concurrency, and the machine's
    // cores belong to the I/O loops.
    vips_concurrency_set(1);
  });
}

struct unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using image_ptr = std::unique_ptr<VipsImage, unref>;

/// The loaders we trust with a stranger's bytes: the four formats the page shows as pictures.
bool is_picture_loader(const char* loader) {
  if (!loader) return false;
  for (const char* name : {"VipsForeignLoadJpegFile", "VipsForeignLoadPngFile", "VipsForeignLoadPng",
                           "VipsForeignLoadNsgifFile", "VipsForeignLoadGifFile", "VipsForeignLoadWebpFile"})
    if (std::strcmp(loader, name) == 0) return true;
  return false;
}

/// EXIF orientations 5-8 turn the picture a quarter: width and height swap when shown.
bool turns_quarter(VipsImage* image) {
  int orientation = 1;
  if (vips_image_get_typeof(image, VIPS_META_ORIENTATION) != 0)
    vips_image_get_int(image, VIPS_META_ORIENTATION, &orientation);
  return orientation >= 5 && orientation <= 8;
}

/// Drops every piece of metadata a picture can carry (EXIF with its GPS position, XMP, IPTC,
/// ICC, comments). The save's `strip` is asked for too; libvips 8.14's WebP writer still adds a
/// minimal EXIF of its own (the resolution), with none of the picture's tags once these are gone.
void drop_metadata(VipsImage* image) {
  gchar** fields = vips_image_get_fields(image);
  for (gchar** f = fields; *f; ++f) {
    const std::string_view name(*f);
    for (const std::string_view kind :
         {"exif", "xmp", "iptc", "icc", "png-comment", "gif-comment", "orientation"})
      if (name.starts_with(kind)) vips_image_remove(image, *f);
  }
  g_strfreev(fields);
}

std::string random_suffix() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  return fmt::format("{:016x}", gen());
}

}  // namespace

fs::path thumb_path(const fs::path& root, std::string_view sha256) {
  return root / "thumb" / std::string(sha256.substr(0, 2)) / std::string(sha256.substr(2));
}

thumbnail_outcome make_thumbnail(const fs::path& picture, const fs::path& thumb, std::uint64_t max_pixels,
                                 std::uint32_t max_side) {
  start_vips();
  thumbnail_outcome out;
  // The loader is chosen by the content's first bytes, never the name.
  if (!is_picture_loader(vips_foreign_find_load(picture.c_str()))) {
    vips_error_clear();
    return out;
  }
  // Opening reads the header only: the pixels are decoded later, on demand.
  image_ptr header(vips_image_new_from_file(picture.c_str(), "access", VIPS_ACCESS_SEQUENTIAL, nullptr));
  if (!header) {
    vips_error_clear();
    return out;
  }
  auto width = static_cast<std::uint32_t>(vips_image_get_width(header.get()));
  auto height = static_cast<std::uint32_t>(vips_image_get_height(header.get()));
  if (turns_quarter(header.get())) std::swap(width, height);
  out.width = width;
  out.height = height;
  if (static_cast<std::uint64_t>(width) * height > max_pixels || width == 0 || height == 0) {
    out.result = thumbnail_outcome::kind::too_many_pixels;
    return out;
  }
  header.reset();

  VipsImage* made = nullptr;
  // vips_thumbnail shrinks while it loads (JPEG: in the decoder) and applies the EXIF
  // orientation (its default).
  if (vips_thumbnail(picture.c_str(), &made, static_cast<int>(max_side), "height", static_cast<int>(max_side),
                     "size", VIPS_SIZE_DOWN, nullptr) != 0) {
    vips_error_clear();  // Damaged past its header: shared as a plain file.
    out = {};
    return out;
  }
  // A copy to change: the thumbnail's fields may be shared with what vips keeps.
  VipsImage* copied = nullptr;
  const int copy_failed = vips_copy(made, &copied, nullptr);
  g_object_unref(made);
  if (copy_failed != 0) {
    std::string why = vips_error_buffer();
    vips_error_clear();
    throw std::runtime_error("cannot make the thumbnail: " + why);
  }
  image_ptr small(copied);
  drop_metadata(small.get());
  std::error_code ec;
  fs::create_directories(thumb.parent_path(), ec);
  if (ec)
    throw std::runtime_error(fmt::format("cannot make {}: {}", thumb.parent_path().string(), ec.message()));
  const fs::path temp = thumb.string() + ".tmp-" + random_suffix();
  // strip: no EXIF, XMP or ICC profile in the thumbnail.
  if (vips_webpsave(small.get(), temp.c_str(), "Q", 80, "strip", TRUE, nullptr) != 0) {
    std::string why = vips_error_buffer();
    vips_error_clear();
    fs::remove(temp, ec);
    throw std::runtime_error(fmt::format("cannot write the thumbnail {}: {}", thumb.string(), why));
  }
  fs::rename(temp, thumb, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw std::runtime_error(fmt::format("cannot write the thumbnail {}: {}", thumb.string(), ec.message()));
  }
  out.result = thumbnail_outcome::kind::made;
  out.thumb_width = static_cast<std::uint32_t>(vips_image_get_width(small.get()));
  out.thumb_height = static_cast<std::uint32_t>(vips_image_get_height(small.get()));
  return out;
}

}  // namespace message::files
