// files::make_thumbnail on real pictures drawn here with libvips, and on hostile bytes.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <vips/vips.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "files/thumbnailer.hpp"
#include "test_png.hpp"

namespace message::files {
namespace {

namespace fs = std::filesystem;
using test::png_chunk;

constexpr std::uint64_t max_pixels = 100'000'000;
constexpr std::uint32_t max_side = 480;

class Thumbnailer : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(VIPS_INIT("thumbnailer_test"), 0);
    dir = fs::temp_directory_path() / ("message-thumb-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    thumb = thumb_path(dir / "files", std::string(64, 'a'));
  }
  void TearDown() override { fs::remove_all(dir); }

  /// A `width` x `height` RGB gradient (so a turned picture is not the same picture).
  static VipsImage* drawing(int width, int height) {
    VipsImage* xyz = nullptr;
    VipsImage* rgb = nullptr;
    VipsImage* cast = nullptr;
    EXPECT_EQ(vips_xyz(&xyz, width, height, nullptr), 0);
    VipsImage* bands[] = {xyz, xyz};
    VipsImage* joined = nullptr;
    EXPECT_EQ(vips_bandjoin(bands, &joined, 2, nullptr), 0);  // x, y, x, y: 4 bands
    EXPECT_EQ(vips_extract_band(joined, &rgb, 0, "n", 3, nullptr), 0);
    EXPECT_EQ(vips_cast(rgb, &cast, VIPS_FORMAT_UCHAR, nullptr), 0);
    g_object_unref(xyz);
    g_object_unref(joined);
    g_object_unref(rgb);
    cast->Type = VIPS_INTERPRETATION_sRGB;
    return cast;
  }

  static VipsImage* load(const fs::path& p) {
    VipsImage* image = vips_image_new_from_file(p.c_str(), nullptr);
    EXPECT_NE(image, nullptr) << p;
    return image;
  }

  void expect_webp_thumb(const thumbnail_outcome& got, std::uint32_t w, std::uint32_t h, std::uint32_t tw,
                         std::uint32_t th) {
    EXPECT_EQ(got.result, thumbnail_outcome::kind::made);
    EXPECT_EQ(got.width, w);
    EXPECT_EQ(got.height, h);
    EXPECT_EQ(got.thumb_width, tw);
    EXPECT_EQ(got.thumb_height, th);
    ASSERT_TRUE(fs::exists(thumb));
    EXPECT_EQ(std::string(vips_foreign_find_load(thumb.c_str())), "VipsForeignLoadWebpFile");
    VipsImage* t = load(thumb);
    EXPECT_EQ(vips_image_get_width(t), static_cast<int>(tw));
    EXPECT_EQ(vips_image_get_height(t), static_cast<int>(th));
    // libvips 8.14's WebP writer adds a minimal EXIF of its own (resolution): none of the
    // picture's own tags may be in it, and no orientation (the pixels are turned already).
    EXPECT_EQ(vips_image_get_typeof(t, "exif-ifd0-ImageDescription"), 0u) << "the picture's EXIF is dropped";
    EXPECT_EQ(vips_image_get_typeof(t, VIPS_META_XMP_NAME), 0u);
    int orientation = 1;
    if (vips_image_get_typeof(t, VIPS_META_ORIENTATION) != 0)
      vips_image_get_int(t, VIPS_META_ORIENTATION, &orientation);
    EXPECT_EQ(orientation, 1);
    g_object_unref(t);
    // Nothing but the thumbnail is left beside it (no temporary file).
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(thumb.parent_path())) files += e.is_regular_file();
    EXPECT_EQ(files, 1u);
  }

  fs::path dir;
  fs::path thumb;
};

TEST_F(Thumbnailer, ThumbPathIsUnderThumbByTheHashsFirstTwoDigits) {
  const std::string sha = "ab" + std::string(62, 'c');
  EXPECT_EQ(thumb_path("/d/files", sha), fs::path("/d/files/thumb/ab") / std::string(62, 'c'));
}

TEST_F(Thumbnailer, APngIsShrunkIntoTheBoxKeepingItsShape) {
  VipsImage* image = drawing(1200, 600);
  ASSERT_EQ(vips_pngsave(image, (dir / "in").c_str(), nullptr), 0);
  g_object_unref(image);
  expect_webp_thumb(make_thumbnail(dir / "in", thumb, max_pixels, max_side), 1200, 600, 480, 240);
}

TEST_F(Thumbnailer, ASmallPictureIsNeverEnlarged) {
  VipsImage* image = drawing(64, 32);
  ASSERT_EQ(vips_pngsave(image, (dir / "in").c_str(), nullptr), 0);
  g_object_unref(image);
  expect_webp_thumb(make_thumbnail(dir / "in", thumb, max_pixels, max_side), 64, 32, 64, 32);
}

TEST_F(Thumbnailer, AJpegWithExifOrientationSixIsTurnedAndItsExifStripped) {
  VipsImage* image = drawing(400, 200);
  VipsImage* tagged = nullptr;
  ASSERT_EQ(vips_copy(image, &tagged, nullptr), 0);
  vips_image_set_int(tagged, VIPS_META_ORIENTATION, 6);  // "turn 90 degrees clockwise to show"
  // A tag that must not reach the thumbnail (as a phone's GPS position must not).
  vips_image_set_string(tagged, "exif-ifd0-ImageDescription", "where-we-live");
  ASSERT_EQ(vips_jpegsave(tagged, (dir / "in").c_str(), nullptr), 0);
  g_object_unref(tagged);
  g_object_unref(image);
  {  // The photo as a camera writes it: 400 x 200 pixels with EXIF orientation 6.
    VipsImage* check = load(dir / "in");
    int orientation = 0;
    ASSERT_EQ(vips_image_get_int(check, VIPS_META_ORIENTATION, &orientation), 0);
    ASSERT_EQ(orientation, 6);
    ASSERT_EQ(vips_image_get_width(check), 400);
    ASSERT_NE(vips_image_get_typeof(check, "exif-ifd0-ImageDescription"), 0u);
    g_object_unref(check);
  }
  // Shown upright: 200 wide, 400 high.
  expect_webp_thumb(make_thumbnail(dir / "in", thumb, max_pixels, max_side), 200, 400, 200, 400);
  std::ifstream in(thumb, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find("where-we-live"), std::string::npos);
}

TEST_F(Thumbnailer, AGifGetsAThumbnail) {
  VipsImage* image = drawing(960, 960);
  ASSERT_EQ(vips_gifsave(image, (dir / "in").c_str(), nullptr), 0);
  g_object_unref(image);
  expect_webp_thumb(make_thumbnail(dir / "in", thumb, max_pixels, max_side), 960, 960, 480, 480);
}

TEST_F(Thumbnailer, AWebpGetsAThumbnail) {
  VipsImage* image = drawing(300, 900);
  ASSERT_EQ(vips_webpsave(image, (dir / "in").c_str(), nullptr), 0);
  g_object_unref(image);
  expect_webp_thumb(make_thumbnail(dir / "in", thumb, max_pixels, max_side), 300, 900, 160, 480);
}

TEST_F(Thumbnailer, ADecompressionBombIsRefusedFromItsHeaderWithoutDecoding) {
  // 50,000 x 50,000 RGBA: 10 GB once decoded, a few KB on disk (zeros compress to nothing).
  std::string ihdr;
  for (std::uint32_t v : {50000u, 50000u})
    for (int shift = 24; shift >= 0; shift -= 8) ihdr.push_back(static_cast<char>((v >> shift) & 0xff));
  ihdr += std::string("\x08\x06\x00\x00\x00", 5);  // 8 bits, RGBA, deflate, no filter, no interlace
  const std::string rows(1 << 20, '\0');
  std::string packed(compressBound(rows.size()), '\0');
  uLongf packed_size = packed.size();
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
                      reinterpret_cast<const Bytef*>(rows.data()), rows.size(), 9),
            Z_OK);
  packed.resize(packed_size);
  {
    std::ofstream out(dir / "in", std::ios::binary);
    out << std::string("\x89PNG\r\n\x1a\n", 8) << png_chunk("IHDR", ihdr) << png_chunk("IDAT", packed)
        << png_chunk("IEND", "");
  }
  ASSERT_LT(fs::file_size(dir / "in"), 16u * 1024);
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  const auto got = make_thumbnail(dir / "in", thumb, max_pixels, max_side);
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  EXPECT_EQ(got.result, thumbnail_outcome::kind::too_many_pixels);
  EXPECT_EQ(got.width, 50000u);
  EXPECT_EQ(got.height, 50000u);
  EXPECT_FALSE(fs::exists(thumb));
  // Decoding even one strip of it would show in the peak: the whole is 10 GB.
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 64 * 1024) << "KiB of peak memory the refusal took";
}

TEST_F(Thumbnailer, GarbageAnSvgAndAnEmptyFileAreNotPictures) {
  const std::string svg =
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>)";
  std::string garbage(4096, '\0');
  std::mt19937 gen(7);
  for (auto& c : garbage) c = static_cast<char>(gen());
  // A PNG signature followed by garbage: its loader is found, its header is not.
  const std::string broken_png = std::string("\x89PNG\r\n\x1a\n", 8) + garbage;
  for (const auto& bytes : {garbage, svg, std::string(), broken_png}) {
    std::ofstream(dir / "in", std::ios::binary | std::ios::trunc) << bytes;
    const auto got = make_thumbnail(dir / "in", thumb, max_pixels, max_side);
    EXPECT_EQ(got.result, thumbnail_outcome::kind::not_a_picture) << bytes.substr(0, 20);
    EXPECT_EQ(got.width, 0u);
    EXPECT_FALSE(fs::exists(thumb));
  }
}

}  // namespace
}  // namespace message::files
