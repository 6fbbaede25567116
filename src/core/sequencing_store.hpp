#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/chat_message.hpp"
#include "core/identity_directory.hpp"

namespace message::store {

/// Thrown by a store when it cannot do what was asked (I/O error, full disk, corruption).
/// The message says what went wrong in words a person can act on.
class store_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What happened to one message of an append batch.
struct append_result {
  std::uint64_t seq = 0;   ///< The seq it has (new or, for a duplicate, the earlier one).
  bool duplicate = false;  ///< true: the id was accepted before; nothing was stored now.
};

struct room_info {
  std::string room;
  std::uint64_t last_seq = 0;
};

/// A live message sharing a blob (file_uses()).
struct file_use {
  std::string room;
  std::uint64_t seq = 0;  ///< The room's newest live message sharing the blob.
  core::file_ref file;    ///< As that message carries it (name, sniffed type, ...).
};

struct history_page {
  std::vector<core::chat_message> messages;  ///< Oldest first.
  bool more = false;                         ///< Older messages exist before the first one.
};

/// The durable, ordered log of messages, one sequence per room: where a message gets its seq
/// (commit_group) and where duplicate ids are recognised. On one node that is the journaled
/// SQLite store; across nodes, Redis's script, the only place every node's sends meet.
///
/// Contract (the conformance suite in tests/unit/message_store_test.cpp checks every
/// implementation against it):
/// - commit_group() assigns each new message the room's next seq (last + 1, starting at 1) and makes
///   the whole batch durable atomically: after it returns, every message of the batch is stored;
///   if it throws, none is, and the next commit reuses the same seqs.
/// - A message whose (room, id) was appended before (within id_memory) is a duplicate: it gets
///   the earlier seq, duplicate = true, and is not stored again. This holds within one batch too.
/// - Seqs are never reused, even after retention removed every message of a room.
/// - Reads see every committed append.
/// - Changes fold at append (docs/protocol.md, "Conversation"): an edit replaces its target
///   message's text, mentions and `edited`; a remove turns the target into a tombstone and
///   scrubs its text and its edits' texts in the same commit (and drops its reactions; files
///   keep no old text past the deferred work: docs/security.md); react/unreact add/remove the
///   (identity = device, emoji) pair of the target, a set (a second add changes nothing). A
///   change whose target is missing, an event, or deleted is stored as a row (it holds its
///   seq) but changes nothing, and an edit of a deleted message is stored with "" text. Who may
///   change what is checked before append (core), not here.
///
/// Thread-safety: none. One caller at a time: the store_thread's thread, or an I/O loop that
/// the worker let commit in place while it was idle (it hands the store over under its mutex).
class sequencing_store {
 public:
  virtual ~sequencing_store() = default;

  /// True when the next commit_group() of a message or two waits for no network and no disk sync:
  /// only then may an I/O loop commit in place instead of handing the message to the store
  /// worker's thread (core::store_thread). Asked between calls, by the store's one caller.
  virtual bool commit_never_waits() const { return false; }

  /// The commit of one group, and where a message gets its seq (the contract above). Called by
  /// core::store_thread, one group at a time.
  virtual std::vector<append_result> commit_group(const std::vector<core::new_message>& batch) = 0;

  /// True when the store holds work it kept off the commit path (journaled_message_store:
  /// messages journaled but not yet in the database). The store thread then runs
  /// do_deferred_work() soon (limits::store_defer), off every I/O loop. Asked by the one caller.
  virtual bool has_deferred_work() const { return false; }
  /// Does that work. Throws store_error when it cannot; the work is then kept for later.
  virtual void do_deferred_work() {}

  /// Replay: the rows of `room` (messages and change events) with seq > after, oldest first,
  /// at most `limit`, each as it is stored now: a message with its latest text, `edited`,
  /// `deleted` and `reply` quote (no `reactions`); an event scrubbed ("" text) when its target
  /// is deleted.
  virtual std::vector<core::chat_message> read_after(const std::string& room, std::uint64_t after,
                                                     std::size_t limit) = 0;

  /// History: the newest `limit` *messages* (kind message, events never) of `room` with
  /// seq < before (before = nullopt: the newest), oldest first, folded to their current state
  /// with `reactions` (counts, the first reaction_names users, `mine` for `viewer`: an identity
  /// id, "" for none). `more`: older messages exist.
  virtual history_page read_before(const std::string& room, std::optional<std::uint64_t> before,
                                   std::size_t limit, const std::string& viewer = {}) = 0;
  /// History forwards: the oldest `limit` messages with seq > after, folded as read_before.
  virtual std::vector<core::chat_message> read_messages_after(const std::string& room, std::uint64_t after,
                                                              std::size_t limit,
                                                              const std::string& viewer = {}) = 0;

  /// The row `seq` of `room` as read_after gives it; nullopt when there is none (never
  /// written, or removed by retention).
  virtual std::optional<core::chat_message> find(const std::string& room, std::uint64_t seq) = 0;
  /// Everyone who reacts to message `seq` of `room` now, per emoji in order of first reaction,
  /// users oldest first (count = users.size()).
  virtual std::vector<core::reaction_summary> reactions(const std::string& room, std::uint64_t seq) = 0;

  /// The highest seq ever assigned in `room` (0 for a room never written).
  virtual std::uint64_t last_seq(const std::string& room) = 0;
  /// The seq of the oldest message of `room` still stored; nullopt when none is (a room never
  /// written, or one whose every message retention removed).
  virtual std::optional<std::uint64_t> oldest_seq(const std::string& room) = 0;

  /// The room's epoch (docs/protocol.md, "Room epoch"): made (store::make_room_epoch) the first
  /// time it is asked for and kept beside the room's messages, so it changes only when they
  /// are lost or replaced (another store, a restore, a flushed Redis).
  virtual std::string room_epoch(const std::string& room) = 0;

  /// Every room that has had messages, by name.
  virtual std::vector<room_info> rooms() = 0;

  /// Which rooms hold a live message (not deleted, not removed by retention) whose `file` is
  /// blob `sha256`: one file_use per room (its newest such message), by room name. Whoever may
  /// read one of those rooms may download the blob (docs/protocol.md, "Files"); an upload
  /// that claims a hash uses it too. Empty for a blob no message shares.
  virtual std::vector<file_use> file_uses(const std::string& sha256) = 0;

  /// Marks every message whose `file` is blob `sha256` as `gone: true` (the size cap removed
  /// the blob; docs/architecture.md, "Blob retention"): history, replay and search then say so.
  virtual void mark_file_gone(const std::string& sha256) = 0;

  /// Removes messages beyond the retention limits (0 = no limit) and ids older than
  /// `id_cutoff_ms`, at most `max_rows` rows per call so the caller can interleave appends.
  /// Returns how many rows it removed.
  virtual std::size_t prune(std::uint64_t keep_per_room, std::int64_t older_than_ms,
                            std::int64_t id_cutoff_ms, std::size_t max_rows) = 0;

  /// Who owns which name, kept beside the messages (same file, same Redis) and with the same
  /// one caller.
  virtual identity_directory& directory() = 0;
};

}  // namespace message::store
