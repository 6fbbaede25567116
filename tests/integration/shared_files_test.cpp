// Files across nodes (docs/deployment.md, "Files on several nodes"), against the real binary and
// a real redis-server: two nodes on one Redis with their own data directories and one
// --shared-files folder. A file uploaded (tus) on node A reaches node B's client as a message,
// and node B serves its bytes and its thumbnail as node A does.

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>

#include "harness.hpp"
#include "redis_server.hpp"
#include "temp_dir.hpp"
#include "test_digest.hpp"
#include "test_png.hpp"

namespace message::test {
namespace {

namespace fs = std::filesystem;
using header_list = std::vector<std::pair<std::string, std::string>>;

/// Bytes that are no picture: a file as a person would send.
std::string file_bytes(std::size_t n) {
  std::string s(n, '\0');
  std::uint32_t x = 2654435761u;
  for (auto& c : s) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return s;
}

/// One answer: status, a header, the body.
struct reply {
  int status = 0;
  std::string text;
  std::string body() const {
    const auto at = text.find("\r\n\r\n");
    return at == std::string::npos ? std::string() : text.substr(at + 4);
  }
  std::string header(const std::string& name) const {
    const auto head = text.substr(0, text.find("\r\n\r\n"));
    const auto at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return {};
    const auto start = at + 4 + name.size();
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

reply exchange(unsigned short port, const std::string& method, const std::string& target, char who,
               header_list headers = {}, std::string_view body = {}) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\nTus-Resumable: 1.0.0\r\nAuthorization: Identity " +
                    identity_token(who) + "\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (method == "PATCH" || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n";
  req += body;
  reply r;
  r.text = raw_exchange(port, req, 20000ms);
  if (r.text.rfind("HTTP/1.1 ", 0) == 0) r.status = std::stoi(r.text.substr(9, 3));
  return r;
}

/// Uploads `bytes` as `name` into the lobby in two PATCHes (tus); returns the last answer.
reply upload(unsigned short port, char who, const std::string& name, const std::string& bytes) {
  auto created = exchange(port, "POST", "/files/uploads", who,
                          {{"Upload-Length", std::to_string(bytes.size())},
                           {"Upload-Metadata", "filename " + base64(name) + ",room " + base64("lobby")}});
  EXPECT_EQ(created.status, 201) << created.text;
  const auto path = created.header("Location");
  const auto half = bytes.size() / 2;
  const header_list type{{"Content-Type", "application/offset+octet-stream"}};
  auto first = type;
  first.emplace_back("Upload-Offset", "0");
  EXPECT_EQ(exchange(port, "PATCH", path, who, first, std::string_view(bytes).substr(0, half)).status, 204);
  auto second = type;
  second.emplace_back("Upload-Offset", std::to_string(half));
  return exchange(port, "PATCH", path, who, second, std::string_view(bytes).substr(half));
}

/// The blobs under a files folder (blob_store's layout), by name.
std::vector<std::string> blobs_under(const fs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root / "sha256", ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file())
      out.push_back(it->path().parent_path().filename().string() + it->path().filename().string());
  return out;
}

class SharedFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
    redis = std::make_unique<redis_server>();
  }
  /// A node on the test's Redis with its own data directory; `shared` adds --shared-files.
  server_process& node(bool shared = true) {
    dirs.push_back(std::make_unique<temp_dir>());
    std::vector<std::string> args{"--data",          dirs.back()->path().string(), "--redis", redis->url(),
                                  "--no-rate-limit", "--min-free-bytes",           "0"};
    if (shared) args.insert(args.end(), {"--shared-files", shared_dir.path().string()});
    nodes.push_back(std::make_unique<server_process>(args));
    return *nodes.back();
  }
  std::unique_ptr<redis_server> redis;
  temp_dir shared_dir;
  std::vector<std::unique_ptr<temp_dir>> dirs;
  std::vector<std::unique_ptr<server_process>> nodes;
};

TEST_F(SharedFiles, AFileUploadedOnOneNodeIsAMessageOnTheOtherWhichServesTheSameBytes) {
  auto& a = node();
  auto& b = node();
  auto bob = connect_person(b.port(), 'b', "/ws");
  const auto bytes = file_bytes(600 * 1024 + 7);
  const auto last = upload(a.port(), 'a', "report.bin", bytes);
  ASSERT_EQ(last.status, 204) << last.text;

  auto m = bob.ws->next_of("message");
  ASSERT_TRUE(m) << "node B's client sees the file message sent on node A";
  const auto sha = sha256_hex(bytes);
  EXPECT_EQ(str((*m)["file"].as_object().at("sha256")), sha);

  const auto got = exchange(b.port(), "GET", "/files/" + sha, 'b');
  ASSERT_EQ(got.status, 200) << got.text.substr(0, 300);
  EXPECT_EQ(sha256_hex(got.body()), sha) << "node B serves the same bytes";
  EXPECT_EQ(exchange(a.port(), "GET", "/files/" + sha, 'b').status, 200);

  // One copy, in the shared folder; neither node's data directory holds a blob.
  EXPECT_EQ(blobs_under(shared_dir.path()), std::vector<std::string>{sha});
  for (const auto& d : dirs) EXPECT_TRUE(blobs_under(d->path() / "files").empty()) << d->path();
}

TEST_F(SharedFiles, APictureUploadedOnOneNodeHasItsThumbnailOnTheOther) {
  auto& a = node();
  auto& b = node();
  auto bob = connect_person(b.port(), 'b', "/ws");
  const std::string picture = png(640);
  ASSERT_EQ(upload(a.port(), 'a', "cat.png", picture).status, 204);
  auto m = bob.ws->next_of("message");
  ASSERT_TRUE(m);
  const auto& file = (*m)["file"].as_object();
  ASSERT_TRUE(file.contains("thumb") && file.at("thumb").as_bool());
  const auto sha = sha256_hex(picture);

  const auto full = exchange(b.port(), "GET", "/files/" + sha, 'b');
  ASSERT_EQ(full.status, 200);
  EXPECT_EQ(sha256_hex(full.body()), sha);
  const auto thumb_on_b = exchange(b.port(), "GET", "/files/" + sha + "/thumb", 'b');
  ASSERT_EQ(thumb_on_b.status, 200) << thumb_on_b.text.substr(0, 300);
  EXPECT_EQ(thumb_on_b.header("Content-Type"), "image/webp");
  const auto thumb_on_a = exchange(a.port(), "GET", "/files/" + sha + "/thumb", 'b');
  ASSERT_EQ(thumb_on_a.status, 200);
  EXPECT_EQ(sha256_hex(thumb_on_b.body()), sha256_hex(thumb_on_a.body())) << "one thumbnail, made once";
}

TEST_F(SharedFiles, ABlobNeitherNodeHoldsIs404OnBoth) {
  auto& a = node();
  auto& b = node();
  const auto nobody = sha256_hex("nobody shares this");
  EXPECT_EQ(exchange(a.port(), "GET", "/files/" + nobody, 'b').status, 404);
  EXPECT_EQ(exchange(b.port(), "GET", "/files/" + nobody, 'b').status, 404);
  EXPECT_EQ(exchange(b.port(), "GET", "/files/" + nobody + "/thumb", 'b').status, 404);
}

TEST_F(SharedFiles, WithoutASharedFolderANodeServesOnlyTheFilesUploadedToIt) {
  auto& a = node(false);
  auto& b = node(false);
  auto bob = connect_person(b.port(), 'b', "/ws");
  const auto bytes = file_bytes(1000);
  ASSERT_EQ(upload(a.port(), 'a', "local.bin", bytes).status, 204);
  ASSERT_TRUE(bob.ws->next_of("message")) << "the message travels through Redis all the same";
  const auto sha = sha256_hex(bytes);
  EXPECT_EQ(exchange(a.port(), "GET", "/files/" + sha, 'b').status, 200);
  EXPECT_EQ(exchange(b.port(), "GET", "/files/" + sha, 'b').status, 410)
      << "a message names it, node B has no copy: the reason for --shared-files";
}

}  // namespace
}  // namespace message::test
