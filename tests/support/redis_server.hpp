#pragma once

// A real redis-server for tests: started on a free loopback port with AOF (appendfsync always:
// see docs/deployment.md for why everysec can lose acknowledged writes) in a fresh
// directory, stopped by its PID (never by name). Restartable on the same port and directory,
// so a test can kill Redis and bring it back with its data.

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace message::test {

class redis_server {
 public:
  /// True when a redis-server binary is installed; tests skip otherwise.
  static bool available();

  redis_server();   ///< Starts it (throws std::runtime_error when it does not come up).
  ~redis_server();  ///< Stops it and removes its directory.
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  unsigned short port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& dir() const { return dir_; }
  pid_t pid() const { return pid_; }

  /// Sends `sig` (SIGKILL: a crash) and waits for the process to end.
  void stop(int sig);
  /// Starts it again on the same port and directory (its AOF is replayed); waits until ready.
  void start();
  bool running() const { return pid_ > 0; }

 private:
  void wait_ready();
  std::filesystem::path dir_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace message::test
