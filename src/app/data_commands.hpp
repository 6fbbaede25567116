#pragma once

namespace message::app {

/// True when argv names one of the data commands: `message backup FILE`, `message restore FILE`.
bool is_data_command(int argc, const char* const* argv);

/// Runs `message backup FILE [--data DIR]` or `message restore FILE [--data DIR]` and returns
/// the exit code: 0 done, 1 failed (said on stderr), 2 a bad command line.
///
/// backup: asks the server running on DIR for a consistent copy (app/backup_service.hpp); with
/// no server running, takes the directory's lock and copies it itself (the journal's waiting
/// messages moved into the database first). FILE is written whole or not at all.
/// restore: refuses while a server holds DIR, and refuses a file that is not a message
/// database or is of a newer schema; otherwise the database in DIR becomes a copy of FILE
/// (the one it replaces is kept as messages.db.before-restore, and the journal, which
/// belongs to it, is removed).
int run_data_command(int argc, const char* const* argv);

}  // namespace message::app
