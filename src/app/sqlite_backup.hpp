#pragma once

#include <filesystem>

namespace message::app {

/// The newest database schema this binary knows (PRAGMA user_version). A restore refuses a
/// file of a newer one: its server would read tables this one does not understand.
inline constexpr int newest_schema_version = 0;

/// Copies the SQLite database `from` into a new file `to` with SQLite's online backup API (a
/// consistent snapshot, also while another connection writes). Writes `to`.tmp beside it, then
/// renames, so `to` is either whole or untouched. Throws std::runtime_error saying what failed.
/// Thread-safety: any thread; opens its own connections.
void backup_database(const std::filesystem::path& from, const std::filesystem::path& to);

/// Throws std::runtime_error unless `file` is a message database this binary can serve: an
/// SQLite file with the messages, rooms and sent_ids tables and a schema no newer than ours.
/// Makes every room of the database at `db` start a new epoch when it is next served
/// (docs/protocol.md, "Room epoch"): a restored backup's seqs after the backup will be taken by
/// other messages, so clients that saw the old ones must not resume into them.
void forget_room_epochs(const std::filesystem::path& db);

void check_restorable(const std::filesystem::path& file);

}  // namespace message::app
