// files::upload_store and files::blob_store on real files (docs/protocol.md, "Files"): a file
// uploaded in pieces ends under its SHA-256, computed by the server; an upload continues after
// a restart, a dropped request and a full disk with the right hash; wrong offsets, bytes past
// the length, too big a file and too full a disk are refused and change nothing.

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "files/blob_store.hpp"
#include "files/sha256_stream.hpp"
#include "files/upload_store.hpp"
#include "temp_dir.hpp"

namespace message::files {
namespace {

using test::temp_dir;
constexpr std::uint64_t any_size = 1ULL << 40;

std::string sha_of(std::string_view bytes) {
  sha256_stream s;
  s.add(bytes);
  return s.finish_hex();
}

std::string contents(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) % 251);
  return s;
}

TEST(Sha256Stream, HashesInPiecesAsInOne) {
  EXPECT_EQ(sha_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  sha256_stream s;
  s.add("a");
  s.add("");
  s.add("bc");
  EXPECT_EQ(s.finish_hex(), sha_of("abc"));
  EXPECT_TRUE(is_sha256_hex(sha_of("")));
  EXPECT_FALSE(is_sha256_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  EXPECT_FALSE(is_sha256_hex("../etc/passwd"));
}

TEST(UploadStore, AFileSentInPiecesIsStoredUnderItsOwnHash) {
  temp_dir dir;
  blob_store blobs(dir.path() / "files");
  upload_store uploads(blobs, 0);
  const auto bytes = pattern(300000);
  const auto& u = uploads.create("ann", bytes.size(), {{"filename", "photo.jpg"}}, any_size, 0, 1);
  const std::string id = u.id;
  EXPECT_EQ(id.size(), 22u);
  for (std::size_t at = 0; at < bytes.size(); at += 70000)
    uploads.write(id, at, std::string_view(bytes).substr(at, 70000), 2);
  uploads.sync(id);
  EXPECT_EQ(uploads.find(id)->offset, bytes.size());
  const auto sha = uploads.finish(id);
  EXPECT_EQ(sha, sha_of(bytes));
  EXPECT_EQ(contents(blobs.path_of(sha)), bytes);
  EXPECT_EQ(blobs.size_of(sha), bytes.size());
  EXPECT_EQ(uploads.find(id), nullptr) << "a finished upload is forgotten";
  EXPECT_EQ(blobs.list(), std::vector<std::string>{sha});
}

TEST(UploadStore, TheStoredBytesDigestFollowsWritesTruncatesAndARestart) {
  temp_dir dir;
  const auto bytes = pattern(200000);
  const auto prefix = [&](std::size_t n) { return sha_of(std::string_view(bytes).substr(0, n)); };
  std::string id;
  {
    blob_store blobs(dir.path() / "files");
    upload_store uploads(blobs, 0);
    id = uploads.create("ann", bytes.size(), {{"filename", "a.bin"}}, any_size, 0, 1).id;
    EXPECT_EQ(uploads.stored_sha256(id), sha_of(""));
    uploads.write(id, 0, std::string_view(bytes).substr(0, 80000), 2);
    EXPECT_EQ(uploads.stored_sha256(id), prefix(80000));
    EXPECT_EQ(uploads.stored_sha256(id), prefix(80000)) << "asking does not end the digest";
    uploads.write(id, 80000, std::string_view(bytes).substr(80000, 20000), 2);
    uploads.truncate(id, 90000);
    EXPECT_EQ(uploads.stored_sha256(id), prefix(90000)) << "read again after the drop";
    uploads.write(id, 90000, std::string_view(bytes).substr(90000, 10000), 2);
    EXPECT_EQ(uploads.stored_sha256(id), prefix(100000)) << "and goes on from there";
    uploads.sync(id);
  }
  blob_store blobs(dir.path() / "files");
  upload_store uploads(blobs, 5);
  EXPECT_EQ(uploads.stored_sha256(id), prefix(100000));
  uploads.write(id, 100000, std::string_view(bytes).substr(100000), 6);
  EXPECT_EQ(uploads.stored_sha256(id), sha_of(bytes));
  EXPECT_EQ(uploads.finish(id), sha_of(bytes));
}

TEST(UploadStore, AnUploadContinuesAfterARestartWithTheRightHash) {
  temp_dir dir;
  const auto bytes = pattern(100000);
  std::string id;
  {
    blob_store blobs(dir.path() / "files");
    upload_store uploads(blobs, 0);
    id = uploads.create("ann", bytes.size(), {{"filename", "a.bin"}, {"room", "lobby"}}, any_size, 0, 1).id;
    uploads.write(id, 0, std::string_view(bytes).substr(0, 40000), 2);
    uploads.sync(id);
  }
  blob_store blobs(dir.path() / "files");
  upload_store uploads(blobs, 5);
  const auto* u = uploads.find(id);
  ASSERT_NE(u, nullptr) << "the upload survives the restart";
  EXPECT_EQ(u->offset, 40000u);
  EXPECT_EQ(u->identity, "ann");
  EXPECT_EQ(u->metadata.at(1).second, "lobby");
  uploads.write(id, 40000, std::string_view(bytes).substr(40000), 6);
  EXPECT_EQ(uploads.finish(id), sha_of(bytes)) << "hashed again from the stored bytes";
}

TEST(UploadStore, AWrongOffsetOrBytesPastTheLengthAreRefusedAndChangeNothing) {
  temp_dir dir;
  blob_store blobs(dir.path() / "files");
  upload_store uploads(blobs, 0);
  const auto id = uploads.create("ann", 10, {}, any_size, 0, 1).id;
  uploads.write(id, 0, "01234", 2);
  try {
    uploads.write(id, 3, "xx", 3);
    FAIL() << "a write at the wrong offset is refused";
  } catch (const upload_refused& e) {
    EXPECT_EQ(e.why(), upload_refusal::bad_offset);
    EXPECT_NE(std::string(e.what()).find("5 bytes"), std::string::npos) << e.what();
  }
  try {
    uploads.write(id, 5, "567890", 3);
    FAIL() << "bytes past the length are refused";
  } catch (const upload_refused& e) {
    EXPECT_EQ(e.why(), upload_refusal::past_length);
  }
  EXPECT_THROW(uploads.finish(id), upload_refused) << "not every byte is there";
  EXPECT_EQ(uploads.find(id)->offset, 5u);
  uploads.write(id, 5, "56789", 4);
  EXPECT_EQ(uploads.finish(id), sha_of("0123456789"));
}

TEST(UploadStore, DroppedBytesOfABadRequestAreWrittenAgainWithTheRightHash) {
  temp_dir dir;
  blob_store blobs(dir.path() / "files");
  upload_store uploads(blobs, 0);
  const auto id = uploads.create("ann", 6, {}, any_size, 0, 1).id;
  uploads.write(id, 0, "abcXXX", 2);  // Its checksum did not match: the caller drops it.
  uploads.truncate(id, 3);
  EXPECT_EQ(uploads.find(id)->offset, 3u);
  uploads.write(id, 3, "def", 3);
  EXPECT_EQ(uploads.finish(id), sha_of("abcdef"));
}

TEST(UploadStore, TooBigAFileOrTooFullADiskIsRefusedBeforeAnyByte) {
  temp_dir dir;
  blob_store blobs(dir.path() / "files");
  upload_store uploads(blobs, 0);
  try {
    uploads.create("ann", 2001, {}, 2000, 0, 1);
    FAIL();
  } catch (const upload_refused& e) {
    EXPECT_EQ(e.why(), upload_refusal::too_big);
    EXPECT_NE(std::string(e.what()).find("2000 bytes"), std::string::npos) << e.what();
  }
  try {
    uploads.create("ann", 1, {}, any_size, blobs.free_bytes() + (1ULL << 30), 1);
    FAIL();
  } catch (const upload_refused& e) {
    EXPECT_EQ(e.why(), upload_refusal::disk_floor);
  }
  EXPECT_EQ(uploads.count_of("ann"), 0u);
  EXPECT_TRUE(std::filesystem::is_empty(blobs.root() / "uploads")) << "nothing half-made is left";
  EXPECT_EQ(uploads.create("ann", 0, {}, 2000, 0, 1).length, 0u) << "an empty file is a file";
}

TEST(UploadStore, TheSameFileTwiceIsOneBlob) {
  temp_dir dir;
  blob_store blobs(dir.path() / "files");
  upload_store uploads(blobs, 0);
  std::string shas[2];
  for (auto& sha : shas) {
    const auto id = uploads.create("ann", 3, {}, any_size, 0, 1).id;
    uploads.write(id, 0, "abc", 2);
    sha = uploads.finish(id);
  }
  EXPECT_EQ(shas[0], shas[1]);
  EXPECT_EQ(blobs.list().size(), 1u);
  EXPECT_TRUE(std::filesystem::is_empty(blobs.root() / "uploads"));
}

TEST(UploadStore, UntouchedUploadsExpireAndDamagedOnesAreDroppedAtOpen) {
  temp_dir dir;
  std::string kept, old;
  {
    blob_store blobs(dir.path() / "files");
    upload_store uploads(blobs, 0);
    old = uploads.create("ann", 3, {}, any_size, 0, 100).id;
    kept = uploads.create("ann", 3, {}, any_size, 0, 100).id;
    uploads.write(kept, 0, "a", 900);
    EXPECT_EQ(uploads.expire(500), 1u);
    EXPECT_EQ(uploads.find(old), nullptr);
    EXPECT_NE(uploads.find(kept), nullptr);
  }
  std::ofstream(dir.path() / "files" / "uploads" / (kept + ".json"), std::ios::trunc) << "{\"id\":";
  blob_store blobs(dir.path() / "files");
  upload_store uploads(blobs, 1000);
  EXPECT_EQ(uploads.find(kept), nullptr) << "a damaged description is dropped";
  EXPECT_TRUE(std::filesystem::is_empty(blobs.root() / "uploads")) << "with its bytes";
}

TEST(UploadStore, AFullDiskMidUploadKeepsWhatLandedAndTheUploadFinishesAfter) {
  temp_dir dir;
  const auto bytes = pattern(200000);
  std::string id;
  {
    blob_store blobs(dir.path() / "files");
    upload_store uploads(blobs, 0);
    id = uploads.create("ann", bytes.size(), {}, any_size, 0, 1).id;
  }
  // In a child, where a file size limit stands in for the full disk (and the child then dies
  // as a killed server would).
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{65536, 65536};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    int code = 1;
    try {
      blob_store blobs(dir.path() / "files");
      upload_store uploads(blobs, 2);
      uploads.write(id, 0, bytes, 3);
    } catch (const files_error& e) {
      code = std::string(e.what()).find("cannot store") != std::string::npos ? 0 : 2;
    } catch (...) {
      code = 3;
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the full disk is a clear error";
  blob_store blobs(dir.path() / "files");
  upload_store uploads(blobs, 10);
  const auto stored = uploads.find(id)->offset;
  EXPECT_GT(stored, 0u);
  EXPECT_LE(stored, 65536u);
  uploads.write(id, stored, std::string_view(bytes).substr(stored), 11);
  EXPECT_EQ(uploads.finish(id), sha_of(bytes));
}

}  // namespace
}  // namespace message::files
