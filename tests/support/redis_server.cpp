#include "redis_server.hpp"

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace message::test {

namespace {

const char* binary() {
  static const char* paths[] = {"/usr/bin/redis-server", "/usr/local/bin/redis-server"};
  for (const char* p : paths) {
    if (::access(p, X_OK) == 0) return p;
  }
  return nullptr;
}

unsigned short free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

bool redis_server::available() { return binary() != nullptr; }

redis_server::redis_server() {
  std::random_device rd;
  dir_ = std::filesystem::temp_directory_path() / ("message-redis-" + std::to_string(rd()));
  std::filesystem::create_directories(dir_);
  port_ = free_port();
  start();
}

redis_server::~redis_server() {
  if (running()) stop(SIGTERM);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void redis_server::start() {
  if (running()) return;
  if (!binary()) throw std::runtime_error("redis-server is not installed");
  const std::string port = std::to_string(port_);
  const std::string dir = dir_.string();
  const std::string log = (dir_ / "redis.log").string();
  std::vector<std::string> args{binary(), "--port",       port,  "--bind",        "127.0.0.1", "--save",
                                "",       "--appendonly", "yes", "--appendfsync", "always",    "--dir",
                                dir,      "--logfile",    log,   "--daemonize",   "no"};
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  wait_ready();
}

void redis_server::wait_ready() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited at start; see " + (dir_ / "redis.log").string());
    }
    timeval tv{0, 200000};
    if (redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv)) {
      bool ok = false;
      if (!c->err) {
        auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
        ok = r && r->type == REDIS_REPLY_STATUS;  // LOADING is an error reply: not yet.
        if (r) freeReplyObject(r);
      }
      redisFree(c);
      if (ok) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("redis-server did not answer PING within 10 s");
}

void redis_server::stop(int sig) {
  if (!running()) return;
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace message::test
