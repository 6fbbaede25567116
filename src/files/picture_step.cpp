#include "files/picture_step.hpp"

#include "files/thumbnailer.hpp"

namespace message::files {

void add_picture_details(const std::filesystem::path& blob, const std::filesystem::path& thumb,
                         core::file_ref& file, std::uint64_t max_pixels, std::uint32_t max_side) {
  if (!file.type.starts_with("image/")) return;
  const auto made = make_thumbnail(blob, thumb, max_pixels, max_side);
  file.width = made.width;
  file.height = made.height;
  file.thumb = made.result == thumbnail_outcome::kind::made;
}

}  // namespace message::files
