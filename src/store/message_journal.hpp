#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/chat_message.hpp"

namespace message::store {

/// An append-only file of accepted messages: the durable half of journaled_message_store's
/// commit. Appending a group is a copy into the file's shared mapping, far cheaper than a
/// SQLite transaction of one message; the messages move into the database later, in batches,
/// and the file is then emptied.
///
/// What is stored in the mapping is in the page cache at once and survives a killed process,
/// as a write() would. The file is reserved ahead in steps (fallocate, reserve_step), so a full
/// disk or the file size limit fails the append that would cross it with a clear error, never
/// a store into a page the file cannot hold. With `sync_each_append` every append is a write()
/// flushed to the disk (fdatasync) and survives power loss; a file system that cannot reserve
/// or map gets a write() per append too.
///
/// Format: an 8-byte magic, then records `u32 length | u32 crc32(payload) | payload` (little
/// endian), the payload holding seq, ts and the message's strings, then, for a change event or
/// a message with reply_to or mentions, u8 kind | u64 target | u64 reply_to | u32 count |
/// the mentions (a record written before these fields reads as a plain message). Opening reads every whole
/// record. A torn tail (the last append cut short by a crash: bad bytes with no whole record
/// after them) is cut off with a warning, since that append never returned; a tail of zeros
/// (space reserved ahead of a killed process's appends) is cut off quietly. Damage with whole
/// records after it is refused (store_error naming the offset and how many follow), as is a
/// file without the magic: neither is ever cut or replaced. With `salvage`, a damaged file's
/// whole records (before and after the damage) are kept in a new journal and the original is
/// kept beside it as `FILE.damaged-TIME`.
///
/// Thread-safety: none; one caller at a time (the store's).
class message_journal {
 public:
  /// Opens or creates `file`; throws store_error if it cannot be read or written or is not a
  /// journal. recovered() then holds the messages it held.
  message_journal(std::filesystem::path file, bool sync_each_append, bool salvage = false);
  ~message_journal();
  message_journal(const message_journal&) = delete;
  message_journal& operator=(const message_journal&) = delete;

  /// The messages found at opening, in file order. Cleared by reset().
  const std::vector<core::chat_message>& recovered() const { return recovered_; }
  /// True when opening salvaged a damaged file: recovered() may then miss seqs (the damage).
  bool salvaged() const { return salvaged_; }

  /// Appends `messages` at once. On failure (full disk, file size limit, I/O error) store_error
  /// says why and none of them is journaled: size() and the records are as they were.
  void append(const std::vector<core::chat_message>& messages);

  /// Empties the file once every message in it is stored elsewhere.
  void reset();
  /// Overwrites every record with zeros on the disk (fdatasync), then empties the file: after a
  /// delete, so that the deleted text is not left in the file's freed blocks.
  void scrub();

  /// Bytes of records in the file (the magic included); the file may be longer by space
  /// reserved ahead, all zeros.
  std::uint64_t size() const { return end_; }

  /// How far ahead the file is reserved: a fallocate per ~1,000 chat messages.
  static constexpr std::uint64_t reserve_step = 256 * 1024;

 private:
  void read_existing();
  /// Keeps every whole record of a file damaged at `damaged_at`: recovered_ and `after` go into
  /// a new file, the original stays beside it.
  void salvage(std::uint64_t damaged_at, std::uint64_t damaged_bytes, std::vector<core::chat_message> after);
  /// Appends the records of `messages` to buffer_.
  void encode(const std::vector<core::chat_message>& messages);
  /// Makes the file and the mapping hold `bytes` more past end_: 0, or why not (errno).
  int reserve(std::size_t bytes);
  /// Maps (or remaps) the file's first `size` bytes and faults them in: 0, or why not (errno).
  int map(std::uint64_t size);
  void unmap();
  /// Appends buffer_ with write() (and fdatasync when every append syncs).
  void write_buffer();
  [[noreturn]] void fail(const std::string& what, int err) const;

  std::filesystem::path file_;
  bool sync_each_append_;
  bool salvage_;  // Keep a damaged file's whole records instead of refusing it.
  bool salvaged_ = false;
  int fd_ = -1;
  std::uint64_t end_ = 0;        // Where the next record goes: the end of the last whole record.
  std::uint64_t allocated_ = 0;  // The file's size while appends are mapped: records, then zeros.
  char* map_ = nullptr;          // The file's shared mapping, or none (before the first append).
  std::uint64_t mapped_ = 0;     // The mapping's length (allocated_, or more after a failure).
  bool mapping_works_ = true;    // False once the file system refused to reserve or map.
  std::string buffer_;           // Reused encoding buffer.
  std::vector<core::chat_message> recovered_;
};

}  // namespace message::store
