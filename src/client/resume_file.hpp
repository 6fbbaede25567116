#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace message::client {

/// `send --resume-from FILE`: the run id the message ids derive from, and how many input lines
/// are known acknowledged (all of 1..acked). Sending the same input again with the same FILE
/// gives every line the same id, so the server recognises what it already has (within the
/// id memory it announces) and nothing is duplicated; the lines up to `acked` are not even
/// sent. The file is written (atomically: a temporary and a rename) before the first message
/// goes out, so a kill at any moment leaves a usable one. Not thread-safe.
class resume_file {
 public:
  /// Reads FILE, or starts a new run (and writes it) when FILE does not exist. Throws
  /// std::runtime_error when it cannot be read, is not a resume file, or cannot be written.
  explicit resume_file(std::filesystem::path path);

  const std::string& run_id() const { return run_id_; }
  std::uint64_t acked() const { return acked_; }
  /// Records progress (written at once).
  void set_acked(std::uint64_t n);
  /// The run is over: the file goes, and the next run with it starts afresh.
  void finish();

 private:
  void write() const;
  std::filesystem::path path_;
  std::string run_id_;
  std::uint64_t acked_ = 0;
};

/// A new random run id: 16 hex characters.
std::string new_run_id();

/// The id of input line `number` with content `text` in run `run`: printable ASCII, at most
/// 64 characters, the same for the same three.
std::string line_id(const std::string& run, std::uint64_t number, const std::string& text);

}  // namespace message::client
