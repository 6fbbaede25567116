#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/chat_message.hpp"

namespace message::store {

/// An append-only file of accepted messages: the durable half of journaled_message_store's
/// commit. Appending a group is one write() at the end of the file, a few microseconds,
/// where a SQLite transaction of one message costs tens (bench/FINDINGS.md, seventh pass);
/// the messages move into the database later, in batches, and the file is then emptied.
///
/// A write that reached the page cache survives a killed process; with `sync_each_append`
/// every append is also flushed to the disk (fdatasync) and survives power loss.
///
/// Format: an 8-byte magic, then records `u32 length | u32 crc32(payload) | payload` (little
/// endian), the payload holding seq, ts and the message's strings. Opening reads every whole
/// record; a torn or damaged tail (a write cut short by power loss) is cut off with a warning,
/// since what follows a bad record cannot be trusted. A file without the magic is refused,
/// never replaced.
///
/// Thread-safety: none; one caller at a time (the store's).
class message_journal {
 public:
  /// Opens or creates `file`; throws store_error if it cannot be read or written or is not a
  /// journal. recovered() then holds the messages it held.
  message_journal(std::filesystem::path file, bool sync_each_append);
  ~message_journal();
  message_journal(const message_journal&) = delete;
  message_journal& operator=(const message_journal&) = delete;

  /// The messages found at opening, in file order. Cleared by reset().
  const std::vector<core::chat_message>& recovered() const { return recovered_; }

  /// Appends `messages` as one write. On failure (full disk, file size limit, I/O error) the
  /// file is cut back to where it was and store_error says why: none of them is journaled.
  void append(const std::vector<core::chat_message>& messages);

  /// Empties the file once every message in it is stored elsewhere.
  void reset();

  /// Bytes in the file (the magic included).
  std::uint64_t size() const { return end_; }

 private:
  void read_existing();
  [[noreturn]] void fail(const std::string& what, int err) const;

  std::filesystem::path file_;
  bool sync_each_append_;
  int fd_ = -1;
  std::uint64_t end_ = 0;  // Where the next record goes: the end of the last whole record.
  std::string buffer_;     // Reused encoding buffer.
  std::vector<core::chat_message> recovered_;
};

}  // namespace message::store
