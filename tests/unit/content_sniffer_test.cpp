// files::content_sniffer on real bytes (docs/protocol.md, "Files"): the type comes from the
// content, never from a name.

#include <gtest/gtest.h>

#include <string>

#include "files/content_sniffer.hpp"

namespace message::files {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s.push_back(static_cast<char>(v));
  return s;
}

/// A whole 1x1 PNG (red), as an image editor writes it.
std::string one_pixel_png() {
  return bytes({0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
                0x44, 0x52, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00,
                0x00, 0x12, 0x16, 0xf1, 0x4d, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08,
                0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d,
                0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82});
}

/// The start of a JPEG: SOI, a JFIF APP0 segment, then a baseline frame of 640x480.
std::string jpeg_head() {
  return bytes({0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00,
                0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02,
                0x80, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xd9});
}

TEST(ContentSniffer, TellsTypesFromTheBytes) {
  content_sniffer sniff;
  EXPECT_EQ(sniff.type_of(one_pixel_png()), "image/png");
  EXPECT_EQ(sniff.type_of(jpeg_head()), "image/jpeg");
  EXPECT_EQ(
      sniff.type_of("<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script>"
                    "</body></html>\n"),
      "text/html");
  EXPECT_EQ(sniff.type_of("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" "
                          "height=\"10\"><script>alert(1)</script></svg>\n"),
            "image/svg+xml");
  EXPECT_EQ(sniff.type_of(""), "application/x-empty");
  EXPECT_EQ(sniff.type_of("just some words\n"), "text/plain");
}

TEST(ContentSniffer, NamesAWaveByItsRegisteredTypeSoItIsServedInline) {
  content_sniffer sniff;
  // A RIFF/WAVE header of 8 kHz mono 8-bit PCM with no samples.
  std::string wav = "RIFF";
  wav += bytes({36, 0, 0, 0});
  wav += "WAVEfmt ";
  wav += bytes({16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 1, 0, 8, 0});
  wav += "data";
  wav += bytes({0, 0, 0, 0});
  EXPECT_EQ(sniff.type_of(wav), "audio/wav");
}

}  // namespace
}  // namespace message::files
