#include "app/data_commands.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string_view>

#include "app/backup_service.hpp"
#include "app/data_dir.hpp"
#include "app/sqlite_backup.hpp"
#include "store/journaled_message_store.hpp"

namespace message::app {

namespace {

/// How long a running server may take to answer a backup request: it waits for the store
/// worker, which may be busy with a large move into SQLite.
constexpr int backup_answer_timeout_s = 600;

/// The socket of a server running on `dir`, connected; -1 when none runs there.
int connect_to_server(const std::filesystem::path& dir) {
  const auto path = backup_service::socket_path(dir).string();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return -1;
  path.copy(addr.sun_path, path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == ENOENT || err == ECONNREFUSED) return -1;
    throw std::runtime_error(
        fmt::format("cannot reach the server's backup socket {}: {}", path, std::strerror(err)));
  }
  timeval tv{backup_answer_timeout_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

/// Asks the server on `fd` for a backup and writes it to `out` (already open).
void backup_from_server(int fd, std::ofstream& out, const std::filesystem::path& file) {
  if (::send(fd, "backup\n", 7, MSG_NOSIGNAL) != 7)
    throw std::runtime_error("the server closed the backup socket");
  std::string header;
  char c = 0;
  while (header.size() < 4096 && ::recv(fd, &c, 1, 0) == 1 && c != '\n') header.push_back(c);
  if (header.rfind("error ", 0) == 0)
    throw std::runtime_error("the server could not back up: " + header.substr(6));
  if (header.rfind("ok ", 0) != 0) throw std::runtime_error("the server did not answer the backup request");
  const auto size = std::stoull(header.substr(3));
  std::uint64_t got = 0;
  char buf[1 << 16];
  while (got < size) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) throw std::runtime_error("the server stopped sending the backup");
    out.write(buf, n);
    got += static_cast<std::uint64_t>(n);
  }
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

/// Refuses a target inside the data directory: there the copy would replace the server's own
/// files (messages.db under the running server) and would be lost with the directory anyway.
/// A directory as target is refused before a temporary file is made beside it.
void check_backup_target(const std::filesystem::path& dir, const std::filesystem::path& file) {
  std::error_code home_ec, where_ec, ec;
  const auto home = std::filesystem::weakly_canonical(dir, home_ec);
  const auto where =
      std::filesystem::weakly_canonical(std::filesystem::absolute(file), where_ec).parent_path();
  if (!home_ec && !where_ec && where == home)
    throw std::runtime_error(
        fmt::format("{} is inside the data directory {}: a backup there would replace the server's own "
                    "files; write it elsewhere",
                    file.string(), dir.string()));
  if (std::filesystem::is_directory(file, ec))
    throw std::runtime_error(fmt::format("cannot write {}: it is a directory", file.string()));
}

int backup(const std::filesystem::path& dir, const std::filesystem::path& file) {
  check_backup_target(dir, file);
  // The target is opened first: a path that cannot be written fails before anything runs.
  auto tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw std::runtime_error(fmt::format("cannot write {}: {}", file.string(), std::strerror(errno)));
    if (const int fd = connect_to_server(dir); fd >= 0) {
      try {
        backup_from_server(fd, out, file);
      } catch (...) {
        ::close(fd);
        std::filesystem::remove(tmp);
        throw;
      }
      ::close(fd);
      out.close();
      std::error_code ec;
      std::filesystem::rename(tmp, file, ec);
      if (ec) {
        const auto why = ec.message();
        std::filesystem::remove(tmp, ec);
        throw std::runtime_error(fmt::format("cannot write {}: {}", file.string(), why));
      }
      std::cout << "backup of the running server written to " << file.string() << "\n";
      return 0;
    }
  }
  std::filesystem::remove(tmp);
  // No server: copy it ourselves, holding the lock so none starts meanwhile.
  if (!std::filesystem::exists(dir / "messages.db"))
    throw std::runtime_error("no message database in " + dir.string());
  data_dir lock(dir);
  {
    // Opening moves what the journal holds into the database; closing empties the journal.
    store::journaled_message_store store(dir / "messages.db", dir / "messages.journal",
                                         store::durability::process);
  }
  backup_database(dir / "messages.db", file);
  std::cout << "backup written to " << file.string() << " (no server was running)\n";
  return 0;
}

int restore(const std::filesystem::path& dir, const std::filesystem::path& file) {
  check_restorable(file);
  if (const int fd = connect_to_server(dir); fd >= 0) {
    ::close(fd);
    throw std::runtime_error("a message server is running on " + dir.string() + ": stop it first");
  }
  data_dir lock(dir);  // Throws if a server holds the directory.
  const auto db = dir / "messages.db";
  auto incoming = db;
  incoming += ".restore";
  backup_database(file, incoming);
  forget_room_epochs(incoming);
  std::error_code ec;
  if (std::filesystem::exists(db)) {
    auto kept = db;
    kept += ".before-restore";
    std::filesystem::rename(db, kept);
  }
  // The journal and the WAL belong to the database being replaced.
  for (const char* stale : {"messages.journal", "messages.db-wal", "messages.db-shm"})
    std::filesystem::remove(dir / stale, ec);
  std::filesystem::rename(incoming, db);
  std::cout << "restored " << file.string() << " into " << db.string() << "\n";
  return 0;
}

}  // namespace

bool is_data_command(int argc, const char* const* argv) {
  if (argc < 2) return false;
  const std::string_view command = argv[1];
  return command == "backup" || command == "restore";
}

int run_data_command(int argc, const char* const* argv) {
  CLI::App app{"message backup FILE / message restore FILE: copy the history out of, or back into, --data"};
  app.require_subcommand(1);
  std::filesystem::path dir = "data";
  std::filesystem::path file;
  app.add_option("--data", dir, "The server's data directory")->envname("MESSAGE_DATA");
  auto* backup_cmd = app.add_subcommand("backup",
                                        "Write a consistent copy of the history to FILE (a running "
                                        "server is asked; otherwise the directory is read)");
  backup_cmd->add_option("FILE", file, "Where to write the backup")->required();
  auto* restore_cmd =
      app.add_subcommand("restore", "Make FILE (a backup) the history; the server must be stopped");
  restore_cmd->add_option("FILE", file, "The backup to restore")->required()->check(CLI::ExistingFile);
  for (auto* sub : {backup_cmd, restore_cmd})
    sub->add_option("--data", dir, "The server's data directory")->envname("MESSAGE_DATA");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // Prints help, or the error.
    return code == 0 ? 0 : 2;
  }
  try {
    return backup_cmd->parsed() ? backup(dir, file) : restore(dir, file);
  } catch (const std::exception& e) {
    std::cerr << "message: error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace message::app
