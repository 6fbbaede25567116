// files::upload_store with its uploads in a folder of their own, away from the blobs: what a
// node does with --shared-files (docs/deployment.md, "Files on several nodes"). A finished
// upload ends whole under its hash in the shared folder, linked on the same file system and
// copied from another one, and its part stays whole for a retry.

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "files/blob_store.hpp"
#include "files/sha256_stream.hpp"
#include "files/upload_store.hpp"
#include "temp_dir.hpp"

namespace message::files {
namespace {

namespace fs = std::filesystem;
using test::temp_dir;
constexpr std::uint64_t any_size = 1ULL << 40;

std::string contents(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 11) % 251);
  return s;
}

/// Uploads `bytes` whole into `uploads` and seals it; returns {id, hash}.
std::pair<std::string, std::string> upload_whole(upload_store& uploads, const std::string& bytes) {
  const std::string id = uploads.create("ann", bytes.size(), {{"filename", "a.bin"}}, any_size, 0, 1).id;
  uploads.write(id, 0, bytes, 2);
  uploads.sync(id);
  return {id, uploads.seal(id)};
}

dev_t device_of(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_dev : dev_t{};
}

bool temp_folder_is_empty(const blob_store& blobs) { return fs::is_empty(blobs.temp_dir()); }

TEST(SharedBlobs, UploadsInTheirOwnFolderEndUnderTheirHashInTheSharedOne) {
  temp_dir shared;
  temp_dir node;
  blob_store blobs(shared.path());
  upload_store uploads(blobs, node.path() / "uploads", 0);
  const auto bytes = pattern(200000);
  const auto [id, sha] = upload_whole(uploads, bytes);
  EXPECT_EQ(contents(blobs.path_of(sha)), bytes);
  EXPECT_TRUE(fs::exists(node.path() / "uploads" / (id + ".part")));
  EXPECT_FALSE(fs::exists(shared.path() / "uploads")) << "no upload in the shared folder";
  EXPECT_TRUE(temp_folder_is_empty(blobs));
  uploads.remove(id);
  EXPECT_EQ(contents(blobs.path_of(sha)), bytes) << "the blob outlives its upload";
}

TEST(SharedBlobs, AnUploadOnAnotherFileSystemIsCopiedWholeUnderItsHash) {
  // /dev/shm is a tmpfs: another file system than the temporary folder's disk, where a link fails.
  const fs::path shm = "/dev/shm";
  temp_dir shared;
  if (!fs::is_directory(shm) || device_of(shm) == device_of(shared.path()))
    GTEST_SKIP() << "no second file system to upload from";
  const auto node = shm / ("message-test-" + fs::path(shared.path()).filename().string());
  fs::create_directories(node);
  blob_store blobs(shared.path());
  {
    upload_store uploads(blobs, node, 0);
    const auto bytes = pattern(300001);
    const auto [id, sha] = upload_whole(uploads, bytes);
    EXPECT_EQ(contents(blobs.path_of(sha)), bytes) << "copied whole, under its hash";
    EXPECT_EQ(contents(node / (id + ".part")), bytes) << "the part stays whole for a retry";
    EXPECT_TRUE(temp_folder_is_empty(blobs)) << "no copy left behind";
    // Sealed again (a retried message): the blob is there already, nothing is copied.
    EXPECT_EQ(uploads.seal(id), sha);
    EXPECT_TRUE(temp_folder_is_empty(blobs));
  }
  std::error_code ec;
  fs::remove_all(node, ec);
}

}  // namespace
}  // namespace message::files
