#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/identity_directory.hpp"
#include "core/sequencing_store.hpp"
#include "store/sqlite_checkpointer.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace message::store {

class integrity_check;

/// How hard each commit tries to survive a crash.
enum class durability {
  process,  ///< WAL + synchronous=NORMAL: survives a killed process, may lose the last
            ///< commits on power loss. Default.
  power,    ///< WAL + synchronous=FULL: every commit is fsynced; survives power loss.
};

/// The message log in one SQLite file (WAL). Opening checks the file and fails with a
/// store_error that says what is wrong (not a database, another program's database, corrupt,
/// locked, unreadable); it never replaces an existing file. Our databases carry a marker
/// (`PRAGMA application_id`); one without it is taken as ours only when it is empty or has our
/// `messages` table (made before the marker), and is then marked. Not thread-safe (see sequencing_store).
class sqlite_message_store final : public sequencing_store, public identity_directory {
 public:
  sqlite_message_store(const std::filesystem::path& file, durability mode);
  ~sqlite_message_store() override;
  sqlite_message_store(const sqlite_message_store&) = delete;
  sqlite_message_store& operator=(const sqlite_message_store&) = delete;

  std::vector<append_result> commit_group(const std::vector<core::new_message>& batch) override;
  /// Stores messages whose seqs were assigned already (journaled_message_store), in one
  /// transaction; a (room, seq) stored before is left as it is. Throws store_error, storing none.
  void insert(const std::vector<core::chat_message>& messages);
  /// insert(stored), then append(batch), in one transaction: `stored` holds the room's newest
  /// seqs, and its ids count for the batch's duplicates.
  std::vector<append_result> append_after(const std::vector<core::chat_message>& stored,
                                          const std::vector<core::new_message>& batch);
  /// The seq of the message `id` appended to `room` (within id_memory), if any.
  std::optional<std::uint64_t> find_id(const std::string& room, const std::string& id);
  /// The id of the message `seq` of `room`, if the database still knows it (a message that
  /// retention removed is known while its id is remembered).
  std::optional<std::string> id_at(const std::string& room, std::uint64_t seq);
  /// Calls `visit` with every (room, id) that find_id() may still find.
  void for_each_id(const std::function<void(std::string_view room, std::string_view id)>& visit);
  /// With `durability::power` every commit syncs; otherwise a commit writes the WAL into the
  /// page cache and waits for nothing, except the one that takes the WAL to its inline
  /// checkpoint (sqlite_checkpointer), which syncs.
  bool commit_never_waits() const override;
  /// After a delete, the WAL still holds the pages with the deleted text (and so the file,
  /// until the WAL starts over): the deferred work checkpoints it with TRUNCATE, off the I/O
  /// loops and within limits::store_defer (docs/security.md).
  bool has_deferred_work() const override { return wal_holds_deleted_; }
  void do_deferred_work() override;
  std::vector<core::chat_message> read_after(const std::string& room, std::uint64_t after,
                                             std::size_t limit) override;
  history_page read_before(const std::string& room, std::optional<std::uint64_t> before, std::size_t limit,
                           const std::string& viewer = {}) override;
  std::vector<core::chat_message> read_messages_after(const std::string& room, std::uint64_t after,
                                                      std::size_t limit,
                                                      const std::string& viewer = {}) override;
  std::optional<core::chat_message> find(const std::string& room, std::uint64_t seq) override;
  std::vector<core::reaction_summary> reactions(const std::string& room, std::uint64_t seq) override;
  std::uint64_t last_seq(const std::string& name) override;
  std::optional<std::uint64_t> oldest_seq(const std::string& name) override;
  std::string room_epoch(const std::string& name) override;
  std::vector<room_info> rooms() override;
  std::vector<file_use> file_uses(const std::string& sha256) override;
  void mark_file_gone(const std::string& sha256) override;
  std::size_t prune(std::uint64_t keep_per_room, std::int64_t older_than_ms, std::int64_t id_cutoff_ms,
                    std::size_t max_rows) override;
  /// Blocks until the background quick_check has finished (tests; see integrity_check).
  void wait_for_integrity_check();

  identity_directory& directory() override { return *this; }
  // identity_directory: the `names` table (folded name, identity, name as given).
  name_claim claim_name(const std::string& identity, const std::string& name) override;
  std::string release_name(const std::string& identity) override;
  std::string name_owner(const std::string& name) override;
  std::unordered_map<std::string, std::string> names_of(const std::vector<std::string>& identities) override;
  void set_following(const std::string& identity, const std::string& room, bool following) override;
  std::vector<std::string> followed(const std::string& identity) override;
  bool create_private_room(const std::string& room, const std::string& creator,
                           const std::string& secret) override;
  void add_member(const std::string& room, const std::string& identity) override;
  room_access access(const std::string& room, const std::string& identity) override;
  std::string room_secret(const std::string& room) override;
  std::vector<std::string> hidden_rooms(const std::string& identity) override;
  bool raise_read(const std::string& identity, const std::string& room, std::uint64_t seq) override;
  std::uint64_t read_position(const std::string& identity, const std::string& room) override;
  std::vector<std::pair<std::string, std::uint64_t>> readers(const std::string& room) override;
  void put_link_code(const std::string& code, const std::string& identity, std::int64_t expires_ms) override;
  std::string take_link_code(const std::string& code, std::int64_t now_ms) override;
  void link_device(const std::string& device, const std::string& identity) override;
  std::string identity_of_device(const std::string& device) override;

 private:
  class statement;
  void exec(const char* sql);
  /// Throws store_error once the background quick_check has found the file damaged.
  void refuse_if_damaged() const;
  /// True when the file carries our marker; false when it is new or ours from before the
  /// marker (to be marked); throws store_error, writing nothing, for another program's file.
  bool check_ownership();
  /// Adds the conversation's columns to a `messages` table made before them.
  void add_conversation_columns();
  [[noreturn]] void fail(const std::string& what) const;
  statement& prepared(const char* sql);
  /// Folds change row `seq` into its target (sequencing_store's contract) inside the open
  /// transaction; returns the text the change row is stored with.
  std::string fold_change(const std::string& room, std::uint64_t seq, core::event_kind kind,
                          std::uint64_t target, const std::string& text,
                          const std::vector<std::string>& mentions, std::int64_t ts,
                          const std::string& device, const std::string& username);
  /// Sets each message's folded `reactions` (for `viewer`); `messages` are in seq order.
  void add_reactions(const std::string& room, std::vector<core::chat_message>& messages,
                     const std::string& viewer);
  /// What the store knows of a room: its highest seq, and whether `rooms` has its row.
  struct room_state {
    std::uint64_t last_seq = 0;
    bool has_row = false;
  };
  room_state& room(const std::string& name);  // Cached after the first read.
  std::vector<std::string> room_names();      // Every room with a row, by name.
  /// The highest seq of `name` that retention removes (0: none).
  std::uint64_t retention_cut(const std::string& name, std::uint64_t keep_per_room,
                              std::int64_t older_than_ms, std::size_t max_rows);

  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
  durability mode_;
  std::unordered_map<const char*, std::unique_ptr<statement>> statements_;
  std::unordered_map<std::string, room_state> rooms_;
  // Ids of messages older than this are forgotten (the last prune's cutoff; 0 until then).
  std::int64_t id_cutoff_ms_ = 0;
  bool wal_holds_deleted_ = false;  // A delete committed since the last TRUNCATE checkpoint.
  std::unique_ptr<sqlite_checkpointer> checkpointer_;  // Destroyed before db_ is closed.
  std::unique_ptr<integrity_check> integrity_;         // Its own connection; set last when opening.
};

}  // namespace message::store
