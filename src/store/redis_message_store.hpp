#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/sequencing_store.hpp"
#include "redis/redis_endpoint.hpp"
#include "redis/redis_status.hpp"
#include "store/conversation_fold.hpp"

struct redisContext;

namespace message::store {

/// The message log in a Redis shared by every node (--redis).
///
/// One Lua script per append batch does, atomically inside Redis: the idempotency check in the
/// room's id hash (ids are pruned by age like SQLite's), INCR of the room's seq, ZADD of "<seq> <json>"
/// into the room's sorted set (score = seq), and one PUBLISH of every new entry on
/// redis::messages_channel(). So seqs are gap-free and ordered across nodes, and every node's
/// subscriber sees commits in commit order. One batch is one round trip. A change event folds
/// in the same script (see append_script): a delete rewrites the entries holding the text, but
/// Redis's AOF keeps the old commands until its next rewrite (docs/security.md).
///
/// A lost connection throws store_error (the senders get store_failed and keep their messages
/// pending); the next call reconnects, with a back-off so that a Redis that is down does not
/// make every batch wait for a connect timeout. One caveat against the sequencing_store contract:
/// when the connection breaks after the script was sent, the batch may have been stored
/// although commit_group() threw; a resend with the same id then gets the stored seq (duplicate).
///
/// Not thread-safe (see sequencing_store): the store thread owns it; its calls block that thread
/// only, never an I/O thread.
class redis_message_store final : public sequencing_store, public identity_directory {
 public:
  /// Connects once; a Redis that is down is not fatal (status says so, calls throw until it is
  /// back), but a refused AUTH or SELECT is: it throws store_error.
  redis_message_store(redis::redis_endpoint where, std::shared_ptr<redis::redis_status> status);
  ~redis_message_store() override;
  redis_message_store(const redis_message_store&) = delete;
  redis_message_store& operator=(const redis_message_store&) = delete;

  std::vector<append_result> commit_group(const std::vector<core::new_message>& batch) override;
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
  /// Kept in Redis beside the room's stream (key `epoch:<room>`), so a flushed Redis loses it
  /// with the messages and every node reads the same one.
  std::string room_epoch(const std::string& room) override;
  std::vector<room_info> rooms() override;
  std::vector<file_use> file_uses(const std::string& sha256) override;
  void mark_file_gone(const std::string& sha256) override;
  std::size_t prune(std::uint64_t keep_per_room, std::int64_t older_than_ms, std::int64_t id_cutoff_ms,
                    std::size_t max_rows) override;

  identity_directory& directory() override { return *this; }
  // identity_directory: hashes name_owners, names and names_folded, changed by Lua scripts.
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
  struct reply_deleter {
    void operator()(void* r) const;
  };
  using reply_ptr = std::unique_ptr<void, reply_deleter>;

  void connect();
  redisContext* context();
  reply_ptr command(const std::vector<std::string>& argv, bool allow_error = false);
  [[noreturn]] void lost(const std::string& why);
  std::vector<core::chat_message> entries(const reply_ptr& reply);
  /// Sets the reply quote of each message of `rows` that answers one (one round trip).
  void add_quotes(const std::string& room, std::vector<core::chat_message>& rows);
  /// Sets each message's folded reactions for `viewer` (one round trip).
  void add_reactions(const std::string& room, std::vector<core::chat_message>& messages,
                     const std::string& viewer);
  /// Up to `want` messages (events skipped) from seq `from` (exclusive) on, newest first when
  /// `backwards`.
  std::vector<core::chat_message> scan_messages(const std::string& room, std::uint64_t from, bool backwards,
                                                std::size_t want);
  /// A reactions hash (HGETALL's answer) as rows in order of reacting.
  static std::vector<reaction_row> reaction_rows(const void* hash);
  /// Drops the reactions and edit lists of messages that retention removes.
  void forget_conversation(const std::string& room, const std::vector<std::uint64_t>& seqs);

  redis::redis_endpoint where_;
  std::shared_ptr<redis::redis_status> status_;
  redisContext* ctx_ = nullptr;
  std::string last_error_;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
};

}  // namespace message::store
