// transport/tus_headers: the header values of tus 1.0.0 as any tus client writes them
// (docs/protocol.md, "Files"), and the file names the protocol takes.

#include <gtest/gtest.h>

#include "transport/tus_headers.hpp"

namespace message::transport {
namespace {

TEST(TusHeaders, MetadataIsReadAsTusClientsWriteIt) {
  // tus-js-client's form: `key base64`, comma separated; a key may come without a value.
  auto m = parse_upload_metadata("filename aGVsbG8udHh0,room bG9iYnk=, is_confidential");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0], std::make_pair(std::string("filename"), std::string("hello.txt")));
  EXPECT_EQ((*m)[1].second, "lobby");
  EXPECT_EQ((*m)[2], std::make_pair(std::string("is_confidential"), std::string()));
  EXPECT_EQ(encode_upload_metadata(*m), "filename aGVsbG8udHh0,room bG9iYnk=,is_confidential");
  EXPECT_FALSE(parse_upload_metadata("filename not*base64"));
  EXPECT_FALSE(parse_upload_metadata("a YQ==,a Yg=="));
  EXPECT_FALSE(parse_upload_metadata(",a YQ=="));
  EXPECT_TRUE(parse_upload_metadata("")->empty());
}

TEST(TusHeaders, NumbersAndChecksumsAreStrict) {
  EXPECT_EQ(parse_decimal("0"), 0u);
  EXPECT_EQ(parse_decimal("2147483648"), 2147483648u);
  EXPECT_FALSE(parse_decimal("-1"));
  EXPECT_FALSE(parse_decimal("1e3"));
  EXPECT_FALSE(parse_decimal(""));
  EXPECT_FALSE(parse_decimal("99999999999999999999"));
  // sha1("abc") and sha256("abc"), base64.
  auto sha1 = parse_upload_checksum("sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
  ASSERT_TRUE(sha1);
  EXPECT_EQ(sha1->algorithm, "sha1");
  EXPECT_EQ(sha1->digest.size(), 20u);
  EXPECT_TRUE(parse_upload_checksum("sha256 ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="));
  EXPECT_FALSE(parse_upload_checksum("md5 kAFQmDzST7DWlj99KOF/cg=="));
  EXPECT_FALSE(parse_upload_checksum("sha256 qZk+NkcGgWq6PiVxeFDCbJzQ2J0="));  // A sha1's length.
  EXPECT_FALSE(parse_upload_checksum("sha256"));
}

TEST(TusHeaders, FileNamesHaveNoPathsNorControlCharacters) {
  EXPECT_TRUE(is_valid_file_name("holiday photo.jpg"));
  EXPECT_TRUE(is_valid_file_name("ça va ✓.txt"));
  EXPECT_FALSE(is_valid_file_name(""));
  EXPECT_FALSE(is_valid_file_name("../x"));
  EXPECT_FALSE(is_valid_file_name("a\\b"));
  EXPECT_FALSE(is_valid_file_name(std::string("a\0b", 3)));
  EXPECT_FALSE(is_valid_file_name("tab\there"));
  EXPECT_FALSE(is_valid_file_name("c1\xc2\x85"));
  EXPECT_FALSE(is_valid_file_name("\xff\xfe"));
  EXPECT_TRUE(is_valid_file_name(std::string(255, 'x')));
  EXPECT_FALSE(is_valid_file_name(std::string(256, 'x')));
}

}  // namespace
}  // namespace message::transport
