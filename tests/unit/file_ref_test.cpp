// A message's shared file (docs/protocol.md, "Files"): its stored text form reads back equal,
// damaged text reads as no file, and a message frame carries `file` only while the message is
// not deleted.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/file_ref.hpp"
#include "protocol/codec.hpp"

namespace message {
namespace {

const core::file_ref picture{
    std::string(64, 'b'), "ünïcode \"name\".png", 5000000000ULL, "image/png", 640, 480, true};

TEST(FileRef, ItsStoredTextReadsBackEqual) {
  EXPECT_EQ(core::parse_file_ref(core::file_ref_text(picture)), picture);
  const core::file_ref plain{std::string(64, 'c'), "notes.txt", 0, "text/plain"};
  EXPECT_EQ(core::parse_file_ref(core::file_ref_text(plain)), plain) << "an empty file is a file";
}

TEST(FileRef, DamagedTextReadsAsNoFile) {
  for (const char* text :
       {"", "{", "[]", R"({"sha256":"x","name":"a"})", R"({"sha256":"x","name":"a","type":"t","size":-1})",
        R"({"sha256":"x","name":"a","type":"t","size":1,"width":99999999999})"})
    EXPECT_FALSE(core::parse_file_ref(text)) << text;
}

TEST(FileRef, AMessageFrameCarriesItsFileUntilItIsDeleted) {
  core::chat_message m{"lobby", 7, "f1", "kim", "look", "dev123", 1000};
  m.file = picture;
  auto v = boost::json::parse(protocol::encode_message(m)).as_object();
  const auto& f = v.at("file").as_object();
  EXPECT_EQ(f.at("sha256").as_string(), picture.sha256);
  EXPECT_EQ(f.at("name").as_string(), picture.name);
  EXPECT_EQ(f.at("size").to_number<std::uint64_t>(), picture.size);
  EXPECT_EQ(f.at("type").as_string(), "image/png");
  EXPECT_EQ(f.at("width").to_number<int>(), 640);
  EXPECT_EQ(f.at("height").to_number<int>(), 480);
  EXPECT_TRUE(f.at("thumb").as_bool());
  EXPECT_EQ(v.at("message").as_string(), "look");
  m.deleted = true;
  v = boost::json::parse(protocol::encode_message(m)).as_object();
  EXPECT_FALSE(v.contains("file"));
  m.deleted = false;
  m.file.reset();
  EXPECT_FALSE(boost::json::parse(protocol::encode_message(m)).as_object().contains("file"));
}

}  // namespace
}  // namespace message
