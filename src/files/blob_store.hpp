#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace message::files {

/// Thrown when the file system refuses (I/O error, full disk); the words say what failed.
class files_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The shared files of a data directory, named by their SHA-256 (docs/protocol.md, "Files"):
/// `ROOT/sha256/ab/<the other 62 hex digits>`, and `ROOT/tmp/`, where a file is written before
/// it is moved under its name. Both sit in one tree, so the move is a rename within one file
/// system (a service's private /tmp is another one, where it would fail), and a blob is either
/// whole under its name or not there at all.
///
/// Thread-safety: none; one owner (the files worker), as the store has one caller.
class blob_store {
 public:
  /// Makes the folders that are missing; throws files_error when it cannot.
  explicit blob_store(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  /// Where temporary files go: the same file system as the blobs.
  std::filesystem::path temp_dir() const { return root_ / "tmp"; }
  std::filesystem::path path_of(std::string_view sha256) const;
  /// The blob's size, nullopt when it is not here (or `sha256` is not 64 lowercase hex).
  std::optional<std::uint64_t> size_of(std::string_view sha256) const;
  /// Moves `file` (written under temp_dir()) to its name and makes the move durable (the
  /// file and the folder synced). When the blob is here already, `file` is removed instead.
  void adopt(const std::filesystem::path& file, std::string_view sha256);
  /// Removes the blob; false when it was not here.
  bool remove(std::string_view sha256);
  /// Every blob's name.
  std::vector<std::string> list() const;
  /// The bytes the blobs take together.
  std::uint64_t total_bytes() const;
  /// The bytes free for this process on the blobs' file system.
  std::uint64_t free_bytes() const;

 private:
  std::filesystem::path root_;
};

/// fsync of a file or folder; throws files_error naming `what` on failure.
void sync_path(const std::filesystem::path& p, const char* what);

}  // namespace message::files
