// The pure pieces of a download's answer (transport/file_response): its path, the inline
// allowlist, RFC 6266 names and Range.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transport/file_response.hpp"

namespace message::transport {
namespace {

const std::string hash(64, 'a');

TEST(FileResponse, ParsesABlobAndItsThumbnailAndNothingElse) {
  auto blob = parse_file_target("/files/" + hash);
  ASSERT_TRUE(blob);
  EXPECT_EQ(blob->sha256, hash);
  EXPECT_FALSE(blob->thumb);
  auto thumb = parse_file_target("/files/" + hash + "/thumb");
  ASSERT_TRUE(thumb);
  EXPECT_TRUE(thumb->thumb);
  for (const std::string& bad :
       std::vector<std::string>{"/files/", "/files/uploads", "/files/uploads/abc", "/files/" + hash + "/",
                                "/files/" + std::string(64, 'A'), "/files/" + hash.substr(1),
                                "/files/" + hash + "/thumbs", "/files/../" + hash.substr(3), "/file/" + hash})
    EXPECT_FALSE(parse_file_target(bad)) << bad;
}

TEST(FileResponse, OnlyPicturesVideoAndAudioAreInline) {
  for (const char* t : {"image/png", "image/jpeg", "image/gif", "image/webp", "video/mp4", "audio/mpeg"})
    EXPECT_TRUE(served_inline(t)) << t;
  for (const char* t : {"text/html", "image/svg+xml", "application/javascript", "application/pdf",
                        "text/plain", "application/octet-stream", "", "image/png; charset=x", "text/xml"})
    EXPECT_FALSE(served_inline(t)) << t;
}

TEST(FileResponse, ANameIsQuotedAndEncodedSoNoByteCanBreakTheHeader) {
  EXPECT_EQ(content_disposition("cat.png", true), "inline; filename=\"cat.png\"; filename*=UTF-8''cat.png");
  EXPECT_EQ(content_disposition("a\"b;c\\d é.txt", false),
            "attachment; filename=\"a_b;c_d __.txt\"; filename*=UTF-8''a%22b%3Bc%5Cd%20%C3%A9.txt");
  const auto broken = content_disposition("x\r\nSet-Cookie: a=b", false);
  EXPECT_EQ(broken.find('\r'), std::string::npos);
  EXPECT_EQ(broken.find('\n'), std::string::npos);
  EXPECT_EQ(content_disposition("", false), "attachment; filename=\"file\"; filename*=UTF-8''file");
}

TEST(FileResponse, RangesResolveAgainstTheSize) {
  auto r = parse_range("bytes=0-99", 1000);
  EXPECT_EQ(r.result, range_request::kind::partial);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.last, 99u);
  r = parse_range("bytes=900-", 1000);
  EXPECT_EQ(r.range.first, 900u);
  EXPECT_EQ(r.range.last, 999u);
  r = parse_range("bytes=990-5000", 1000);
  EXPECT_EQ(r.range.last, 999u) << "a last byte past the end is the end";
  r = parse_range("bytes=-10", 1000);
  EXPECT_EQ(r.range.first, 990u);
  r = parse_range("bytes=-5000", 1000);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(parse_range("bytes=1000-", 1000).result, range_request::kind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=-0", 1000).result, range_request::kind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-", 0).result, range_request::kind::unsatisfiable);
  for (const char* whole : {"bytes=0-1,5-6", "items=0-1", "bytes=5-1", "bytes=x-1", "bytes=", "bytes=-",
                            "bytes=99999999999999999999-"})
    EXPECT_EQ(parse_range(whole, 1000).result, range_request::kind::whole) << whole;
}

}  // namespace
}  // namespace message::transport
