#pragma once

#include <deque>
#include <map>
#include <string>
#include <unordered_map>

#include "core/sequencing_store.hpp"
#include "store/conversation_fold.hpp"
#include "store/memory_identity_directory.hpp"

namespace message::store {

/// Keeps the log in memory: for tests and for `--store memory` (a throwaway chat).
/// Everything is lost when the process exits. Not thread-safe (see sequencing_store).
class memory_message_store final : public sequencing_store {
 public:
  std::vector<append_result> commit_group(const std::vector<core::new_message>& batch) override;
  bool commit_never_waits() const override { return true; }
  std::vector<core::chat_message> read_after(const std::string& room, std::uint64_t after,
                                             std::size_t limit) override;
  history_page read_before(const std::string& room, std::optional<std::uint64_t> before, std::size_t limit,
                           const std::string& viewer = {}) override;
  std::vector<core::chat_message> read_messages_after(const std::string& room, std::uint64_t after,
                                                      std::size_t limit,
                                                      const std::string& viewer = {}) override;
  std::optional<core::chat_message> find(const std::string& room, std::uint64_t seq) override;
  std::vector<core::reaction_summary> reactions(const std::string& room, std::uint64_t seq) override;
  std::uint64_t last_seq(const std::string& room) override;
  std::optional<std::uint64_t> oldest_seq(const std::string& room) override;
  std::string room_epoch(const std::string& room) override;
  std::vector<room_info> rooms() override;
  std::vector<file_use> file_uses(const std::string& sha256) override;
  void mark_file_gone(const std::string& sha256) override;
  std::size_t prune(std::uint64_t keep_per_room, std::int64_t older_than_ms, std::int64_t id_cutoff_ms,
                    std::size_t max_rows) override;
  identity_directory& directory() override { return directory_; }

 private:
  struct room_log {
    std::uint64_t last_seq = 0;
    // Consecutive seqs, oldest first: every row (messages and change events), each message
    // folded to its current state at append.
    std::deque<core::chat_message> messages;
    std::unordered_map<std::string, std::pair<std::uint64_t, std::int64_t>> ids;  // id -> seq, ts
    std::map<std::uint64_t, std::vector<reaction_row>> reactions;  // message seq -> in order of reacting
    std::map<std::uint64_t, std::vector<std::uint64_t>> edits;     // message seq -> its edits' seqs
    core::chat_message* row(std::uint64_t seq);
  };
  /// Folds change `m` (seq `seq`) into its target; returns the text to store for it.
  static std::string fold(room_log& log, const core::new_message& m, std::uint64_t seq);
  /// A message as a read gives it: with its reply quote.
  static core::chat_message with_quote(room_log& log, const core::chat_message& m);
  /// A message as a history read gives it: with its quote and reactions summed up for `viewer`.
  static core::chat_message folded(room_log& log, const core::chat_message& m, const std::string& viewer);

  std::map<std::string, room_log> rooms_;
  std::map<std::string, std::string> epochs_;  // Lost with the process, as the messages are.
  memory_identity_directory directory_;
};

}  // namespace message::store
