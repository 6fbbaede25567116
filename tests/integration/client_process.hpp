#pragma once

// Runs the terminal client (`message send|tail|chat`) of the binary under test as a child
// process with its own HOME (so its identity and known_servers are the test's), stdin from a
// pipe, stdout and stderr captured apart. Every wait is bounded.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace message::test {

using namespace std::chrono_literals;

struct client_result {
  int code = -1;  ///< Exit code; -1 when it did not exit in time (then it was killed).
  std::string out;
  std::string err;
};

/// A running client. The destructor kills it (SIGKILL) if it still runs.
class client_process {
 public:
  /// `args` follow the binary (e.g. {"send", "--server", url}); `env` is added to the
  /// environment, with HOME set to `home`.
  client_process(const std::vector<std::string>& args, const std::filesystem::path& home,
                 const std::map<std::string, std::string>& env = {}, const std::string& program = {});
  ~client_process();
  client_process(const client_process&) = delete;
  client_process& operator=(const client_process&) = delete;

  pid_t pid() const { return pid_; }
  void write_stdin(const std::string& bytes);
  void close_stdin();
  /// Reads stdout until it holds `n` lines or `limit` passes; returns every line so far.
  std::vector<std::string> wait_lines(std::size_t n, std::chrono::milliseconds limit = 20000ms);
  /// Reads stderr until it contains `text` or `limit` passes.
  bool wait_stderr(const std::string& text, std::chrono::milliseconds limit = 20000ms);
  /// Waits for the exit (bounded) and drains the output; SIGKILL after `limit`.
  client_result wait(std::chrono::milliseconds limit = 60000ms);
  void kill(int sig);
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  void pump(std::chrono::milliseconds limit);
  pid_t pid_ = -1;
  int in_ = -1, out_fd_ = -1, err_fd_ = -1;
  std::string out_, err_;
  int status_ = -1;
};

/// Runs a client to its end with `input` on stdin.
client_result run_client(const std::vector<std::string>& args, const std::filesystem::path& home,
                         const std::string& input = {}, const std::map<std::string, std::string>& env = {},
                         std::chrono::milliseconds limit = 60000ms);

/// Runs `sh -c command` the same way (HOME, environment); $MESSAGE is the binary under test.
client_result run_shell(const std::string& command, const std::filesystem::path& home,
                        std::chrono::milliseconds limit = 30000ms);

/// Splits text into its lines (without the newlines).
std::vector<std::string> lines_of(const std::string& text);

}  // namespace message::test
