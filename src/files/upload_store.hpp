#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "files/blob_store.hpp"
#include "files/sha256_stream.hpp"

namespace message::files {

/// Why an upload request cannot be done; each maps to one answer of docs/protocol.md, "Files".
enum class upload_refusal {
  too_big,      ///< over the largest file allowed (413 at creation)
  disk_floor,   ///< it would leave less free space than allowed (507)
  bad_offset,   ///< the request's offset is not the stored one (409)
  past_length,  ///< bytes beyond the declared length (413)
  incomplete,   ///< finish() before every byte is stored
};

class upload_refused : public std::runtime_error {
 public:
  upload_refused(upload_refusal why, const std::string& words) : std::runtime_error(words), why_(why) {}
  upload_refusal why() const { return why_; }

 private:
  upload_refusal why_;
};

/// One upload in progress, as HEAD describes it.
struct upload {
  std::string id;        ///< 22 characters of base64url, random.
  std::string identity;  ///< Whose it is: only they may see or continue it.
  std::uint64_t length = 0;
  std::uint64_t offset = 0;                                   ///< Bytes stored so far.
  std::vector<std::pair<std::string, std::string>> metadata;  ///< Upload-Metadata, decoded, in order.
  std::int64_t touched_ms = 0;                                ///< Created, or its last byte stored.
};

/// Uploads in progress under `ROOT/uploads/` of a blob_store: `<id>.part` holds the bytes so
/// far and `<id>.json` what was declared at creation. The offset is the part file's size, so
/// it survives a restart and a killed client alike. The SHA-256 grows with each write; after a
/// restart (or a truncate) finish() computes it again from the stored bytes: it is always the
/// server's own, never a client's.
///
/// Thread-safety: none; one owner (the files worker).
class upload_store {
 public:
  /// Reads the uploads a previous run left (a half-written description is dropped with its
  /// bytes).
  upload_store(blob_store& blobs, std::int64_t now_ms);
  /// The same with the uploads in `dir` rather than `ROOT/uploads/`: a node's own folder when
  /// the blobs are shared by several nodes (docs/deployment.md). On another file system than
  /// the blobs, a finished upload is copied under its hash instead of linked.
  upload_store(blob_store& blobs, std::filesystem::path dir, std::int64_t now_ms);
  ~upload_store();
  upload_store(const upload_store&) = delete;
  upload_store& operator=(const upload_store&) = delete;

  /// A new upload of `length` bytes for `identity`; upload_refused over `max_bytes` or when
  /// `length` would leave less than `min_free` bytes free.
  const upload& create(std::string identity, std::uint64_t length,
                       std::vector<std::pair<std::string, std::string>> metadata, std::uint64_t max_bytes,
                       std::uint64_t min_free, std::int64_t now_ms);
  /// nullptr when there is no such upload.
  const upload* find(std::string_view id) const;
  /// Appends `bytes` at `at`, which must be the stored offset (bad_offset) and stay within the
  /// length (past_length: nothing is written then). Durable only after sync().
  void write(std::string_view id, std::uint64_t at, std::string_view bytes, std::int64_t now_ms);
  /// Drops the bytes after `offset` (a request whose checksum did not match).
  void truncate(std::string_view id, std::uint64_t offset);
  /// Makes every byte written so far durable.
  void sync(std::string_view id);
  /// Every byte is stored: moves them under their SHA-256 and forgets the upload. Returns the
  /// hash. upload_refused (incomplete) before the last byte.
  std::string finish(std::string_view id);
  /// Every byte is stored: puts them under their SHA-256 too (a hard link, so no copy) and
  /// keeps the upload, complete, until remove(): its message may still be refused and retried.
  /// Returns the hash. upload_refused (incomplete) before the last byte.
  std::string seal(std::string_view id);
  /// The SHA-256 (hex) of the bytes stored so far: a copy of the running digest, finished; when
  /// there is none (after a restart, a truncate or a failed write) the stored bytes are read
  /// once and the digest goes on from them. A sealed upload's is its hash.
  std::string stored_sha256(std::string_view id);
  /// Where the upload's bytes are (for sniffing them), whole or not.
  std::filesystem::path bytes_of(std::string_view id) const { return part_of(id); }
  /// Forgets the upload and removes its bytes; false when there was none.
  bool remove(std::string_view id);
  /// Removes uploads untouched since `before_ms`; returns how many.
  std::size_t expire(std::int64_t before_ms);
  /// How many uploads `identity` has in progress.
  std::size_t count_of(std::string_view identity) const;

 private:
  struct entry {
    upload info;
    int fd = -1;                          // The part file, open for appending.
    std::optional<sha256_stream> digest;  // Of bytes [0, hashed); empty once it cannot grow.
    std::uint64_t hashed = 0;
    std::string sealed;  // The hash once seal() computed it.
  };
  entry& get(std::string_view id);
  std::filesystem::path part_of(std::string_view id) const;
  std::filesystem::path description_of(std::string_view id) const;
  void close(entry& e);

  blob_store& blobs_;
  std::filesystem::path dir_;
  std::map<std::string, entry, std::less<>> uploads_;
};

}  // namespace message::files
