#include "client_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "harness.hpp"

namespace message::test {

client_process::client_process(const std::vector<std::string>& args, const std::filesystem::path& home,
                               const std::map<std::string, std::string>& env, const std::string& program) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  std::vector<std::string> argv{program.empty() ? server_binary() : program};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::setenv("HOME", home.c_str(), 1);
    ::unsetenv("XDG_CONFIG_HOME");
    ::unsetenv("MESSAGE_KEY");
    ::unsetenv("MESSAGE_SERVER");
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_ = in[1];
  out_fd_ = out[0];
  err_fd_ = err[0];
}

client_process::~client_process() {
  if (status_ == -1 && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  for (int fd : {in_, out_fd_, err_fd_})
    if (fd >= 0) ::close(fd);
}

void client_process::write_stdin(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(in_, bytes.data() + done, bytes.size() - done);
    if (n <= 0) throw std::runtime_error("the client's stdin is closed");
    done += static_cast<std::size_t>(n);
  }
}

void client_process::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

void client_process::pump(std::chrono::milliseconds limit) {
  pollfd p[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  if (::poll(p, 2, static_cast<int>(limit.count())) <= 0) return;
  char buf[65536];
  for (int i = 0; i < 2; ++i) {
    if (!(p[i].revents & (POLLIN | POLLHUP))) continue;
    const auto n = ::read(p[i].fd, buf, sizeof buf);
    if (n > 0) (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(n));
    if (n == 0) {
      ::close(p[i].fd);
      (i == 0 ? out_fd_ : err_fd_) = -1;
    }
  }
}

std::vector<std::string> client_process::wait_lines(std::size_t n, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (lines_of(out_).size() < n && out_fd_ >= 0 && std::chrono::steady_clock::now() < deadline) pump(50ms);
  return lines_of(out_);
}

bool client_process::wait_stderr(const std::string& text, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (err_.find(text) == std::string::npos && err_fd_ >= 0 && std::chrono::steady_clock::now() < deadline)
    pump(50ms);
  return err_.find(text) != std::string::npos;
}

client_result client_process::wait(std::chrono::milliseconds limit) {
  close_stdin();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while ((out_fd_ >= 0 || err_fd_ >= 0) && std::chrono::steady_clock::now() < deadline) pump(50ms);
  int st = 0;
  for (;;) {
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      status_ = st;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &st, 0);
      status_ = st;
      return {-1, out_, err_};
    }
    pump(20ms);
  }
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out_, err_};
}

void client_process::kill(int sig) { ::kill(pid_, sig); }

client_result run_client(const std::vector<std::string>& args, const std::filesystem::path& home,
                         const std::string& input, const std::map<std::string, std::string>& env,
                         std::chrono::milliseconds limit) {
  client_process c(args, home, env);
  // Small inputs fit the pipe; a writer thread would be needed only past 64 KiB.
  c.write_stdin(input);
  return c.wait(limit);
}

client_result run_shell(const std::string& command, const std::filesystem::path& home,
                        std::chrono::milliseconds limit) {
  client_process c({"-c", command}, home, {{"MESSAGE", server_binary()}}, "/bin/sh");
  return c.wait(limit);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace message::test
