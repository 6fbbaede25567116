#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/sequencing_store.hpp"
#include "store/id_filter.hpp"
#include "store/id_filter_builder.hpp"
#include "store/message_journal.hpp"
#include "store/sqlite_message_store.hpp"

namespace message::store {

/// The default store: SQLite behind a journal of its own. A commit checks the ids, assigns
/// the seqs and appends the group to the journal (message_journal): a copy into the file's
/// mapping, durable as a SQLite commit with synchronous=NORMAL (a killed process loses
/// nothing; with durability::power it is fdatasynced). The messages then wait in memory until
/// the store's caller runs the deferred work (core::store_thread, a few milliseconds later),
/// which moves everything waiting into SQLite in one transaction and, past a size, empties the
/// journal. A lone message thus does not pay a whole SQLite transaction of its own, which
/// would be most of a two-person chat's server CPU.
///
/// A group of `direct_group` or more (a busy room's group commit) skips the journal and goes
/// into SQLite at once, together with everything waiting, in one transaction: there the
/// transaction's cost is shared by hundreds, and the journal would only write each twice.
///
/// Change events (docs/protocol.md, "Conversation") are journaled like messages and folded by
/// the database when they move in; a move that takes an edit or a delete scrubs the journal
/// (message_journal::scrub), so a deleted text leaves the file within store_defer.
///
/// Reads see both: the database, then the waiting messages, whose seqs are all higher. Opening
/// moves what a killed process left in the journal into the database before anything else.
/// If the database refuses writes (a full disk), the messages stay journaled and waiting, and
/// are moved later; past `max_waiting` appends fail, so memory stays bounded.
///
/// Thread-safety: none (see sequencing_store).
class journaled_message_store final : public sequencing_store {
 public:
  /// Opens (creating) both files. Throws store_error if either cannot be opened, is not what it
  /// should be, or the journal's messages cannot be moved into the database. With
  /// `salvage_journal` a damaged journal's whole records are kept (message_journal) and the
  /// seqs the damage held are left unused.
  /// The id filter is built in the background (id_filter_builder): until it is ready, a new
  /// id is looked up in SQLite. `before_id_scan` (tests only) runs on the builder's thread
  /// before its scan, to hold the build while a test acts.
  journaled_message_store(const std::filesystem::path& database, const std::filesystem::path& journal,
                          durability mode, bool salvage_journal = false,
                          std::function<void()> before_id_scan = {});
  /// Moves what waits into the database; if that fails it stays in the journal for next time.
  ~journaled_message_store() override;
  journaled_message_store(const journaled_message_store&) = delete;
  journaled_message_store& operator=(const journaled_message_store&) = delete;

  /// Messages that may wait for the database at once: about 100 MB of full-length messages.
  static constexpr std::size_t max_waiting = 100000;
  /// The journal is emptied once everything in it is in the database and it is this big.
  static constexpr std::uint64_t reset_bytes = 1 << 20;
  /// The id filter's first size: 2M ids in 2.5 MiB. A bigger database sizes it at opening to
  /// twice its ids; past its size it is rebuilt twice as big (a scan of the id index, about a
  /// second per million ids, on id_filter_builder's thread: the store serves meanwhile).
  static constexpr std::size_t min_ids = 1 << 21;
  /// A group this big skips the journal: it goes into the database directly, behind what waits,
  /// in one transaction (a busy room's group commit of hundreds; people chatting send 1-2).
  static constexpr std::size_t direct_group = 16;

  std::vector<append_result> commit_group(const std::vector<core::new_message>& batch) override;
  /// True unless every append syncs (durability::power) or the waiting messages are at their
  /// limit (the next append then moves them into the database first).
  bool commit_never_waits() const override;
  /// False while the id filter is built in the background (ids then take the exact way), true
  /// once do_deferred_work() adopted it.
  bool id_filter_ready() const { return !building_; }
  bool has_deferred_work() const override {
    return !waiting_.empty() || database_.has_deferred_work() ||
           (building_ ? building_->done() : ids_.full());
  }
  /// Moves every waiting message into the database (one transaction); adopts a finished id
  /// filter, or starts building a bigger one when it is full.
  void do_deferred_work() override;
  /// Reads fold every change: one waiting (journaled, not yet in the database) is moved into
  /// the database first (the deferred work, done early), so that the database folds it. They
  /// may thus throw store_error when the database refuses writes.
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
  /// The database's: the journal only holds messages on their way there.
  std::string room_epoch(const std::string& room) override { return database_.room_epoch(room); }
  std::vector<room_info> rooms() override;
  std::vector<file_use> file_uses(const std::string& sha256) override;
  void mark_file_gone(const std::string& sha256) override;
  /// Names are written straight into the database: they are rare, and never wait behind messages.
  identity_directory& directory() override { return database_; }
  std::size_t prune(std::uint64_t keep_per_room, std::int64_t older_than_ms, std::int64_t id_cutoff_ms,
                    std::size_t max_rows) override;

 private:
  /// The seq of a message already accepted into `room` with `id`: waiting or in the database.
  std::optional<std::uint64_t> known_id(const std::string& room, const std::string& id);
  /// Starts building `ids_` anew in the background for at least `capacity`; meanwhile every
  /// id is recorded in `added_while_building_` and looked up without the filter.
  void rebuild_ids(std::size_t capacity);
  /// Takes the finished filter, adds what was recorded meanwhile, and uses it from now on.
  void adopt_ids();
  /// Remembers an id as stored: in the filter, or recorded while one is built.
  void remember_id(const std::string& room, const std::string& id);
  /// Drops the waiting messages once the database holds them (and empties a big journal; scrubs
  /// it when an edit or delete went in, so that no old text stays in the file).
  void forget_stored();
  /// Moves what waits into the database when a change event is among it: reads then see every
  /// change folded (by the database) and waiting rows are plain messages.
  void fold_waiting_changes();
  /// A waiting message as reads give it: with its reply quote.
  core::chat_message with_quote(const core::chat_message& m);

  durability mode_;
  sqlite_message_store database_;
  message_journal journal_;
  /// What a room's waiting messages add: its highest seq and their ids.
  struct waiting_room {
    std::uint64_t last_seq = 0;
    std::unordered_map<std::string, std::uint64_t> ids;
  };
  std::vector<core::chat_message> waiting_;  // Journaled, not yet in the database; seq order per room.
  std::unordered_map<std::string, waiting_room> waiting_rooms_;
  std::size_t waiting_changes_ = 0;  // Change events among waiting_.
  bool rewrite_journal_ = false;     // An edit or delete is journaled: scrub the file once it is moved.
  /// Every id the database may still find and every waiting one, so that a new id needs no
  /// look-up at all (known_id). Rebuilt twice as big, as deferred work, once it holds more
  /// than it was sized for.
  id_filter ids_{0};  // Unused while building_ runs; adopt_ids() fills it.
  std::filesystem::path database_file_;
  std::function<void()> before_id_scan_;
  /// While set, ids_ is being built: known_id() asks the waiting ids and SQLite, and every id
  /// stored meanwhile is recorded here, to be added to the new filter (the scan's snapshot may
  /// have missed it).
  std::unique_ptr<id_filter_builder> building_;
  std::vector<std::pair<std::string, std::string>> added_while_building_;
};

}  // namespace message::store
