#include "harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "proc_stat.hpp"  // bench/loadgen: the /proc readers

namespace message::test {

namespace http = boost::beast::http;
using tcp = net::ip::tcp;

std::string server_binary() {
  if (const char* env = std::getenv("MESSAGE_BIN"); env && *env) return env;
  return MESSAGE_TEST_BINARY;
}

namespace {

pid_t spawn(const std::vector<std::string>& argv, int stdout_fd, int stderr_fd) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (stdout_fd >= 0) ::dup2(stdout_fd, 1);
    if (stderr_fd >= 0) ::dup2(stderr_fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

/// waitpid with a deadline; returns the status or -1 if still running.
int wait_with_deadline(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(5ms);  // Polling a child's exit; not a timing assumption.
  }
}

std::string thread_stacks(pid_t pid);  // Below, with run_capturing.

}  // namespace

server_process::server_process(std::vector<std::string> args, std::vector<std::string> prefix) {
  std::vector<std::string> argv = std::move(prefix);
  argv.push_back(server_binary());
  // A test that restarts a server on the port it had passes its own --port.
  const bool own_port = std::find(args.begin(), args.end(), "--port") != args.end();
  for (const char* a : {"--host", "127.0.0.1", "--log-level", "warn"}) argv.emplace_back(a);
  if (!own_port) argv.insert(argv.end(), {"--port", "0"});
  for (auto& a : args) argv.push_back(std::move(a));
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = spawn(argv, fds[1], -1);
  ::close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  static const std::regex started(R"(Server start on port (\d+))");
  std::smatch m;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const auto n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    banner_.append(buf, static_cast<std::size_t>(n));
    if (std::regex_search(banner_, m, started)) {
      port_ = static_cast<unsigned short>(std::stoi(m[1]));
      break;
    }
  }
  ::close(fds[0]);
  if (port_ == 0) {
    stop(SIGKILL);
    throw std::runtime_error("the server did not start; it printed: " + banner_);
  }
}

server_process::~server_process() {
  if (pid_ <= 0 || status_ != -1) return;  // Never started, or the test already stopped it.
  // A graceful stop, checked: a server that hangs on SIGTERM or ends any other way than exit 0
  // fails the test. Under the sanitizers this is what turns a report at shutdown (a leak, a
  // race while closing) into a failure instead of a line nobody reads.
  ::kill(pid_, SIGTERM);
  status_ = wait_with_deadline(pid_, 10000ms);
  if (status_ == -1) {
    const auto stacks = thread_stacks(pid_);
    stop(SIGKILL);
    ADD_FAILURE() << "the server did not exit within 10 s of SIGTERM; its threads were at:\n" << stacks;
    return;
  }
  const int status = status_;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << "the server ended abnormally at the end of the test: "
                  << (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                        : "signal " + std::to_string(WTERMSIG(status)))
                  << " (a sanitizer report, if any, is in the output above)";
  }
}

int server_process::stop(int sig, std::chrono::milliseconds limit) {
  if (pid_ <= 0 || status_ != -1) return status_;
  ::kill(pid_, sig);
  status_ = wait_with_deadline(pid_, limit);
  if (status_ == -1) {
    ::kill(pid_, SIGKILL);
    status_ = wait_with_deadline(pid_, 5000ms);
    return -1;
  }
  return status_;
}

bool server_process::running() {
  if (status_ != -1) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    return false;
  }
  return true;
}

long server_process::rss_kib() const {
  const auto kib = loadgen::process_rss_kib(pid_);
  return kib ? static_cast<long>(*kib) : -1;
}

std::chrono::milliseconds server_process::cpu_time() const {
  const auto seconds = loadgen::process_cpu_seconds(pid_);
  if (!seconds) throw std::runtime_error("cannot read the server's CPU time from /proc");
  return std::chrono::milliseconds(static_cast<long>(*seconds * 1000));
}

namespace {

/// Runs `argv` to completion (bounded) and returns {exit status, stdout+stderr}.
std::pair<int, std::string> run_capturing(const std::vector<std::string>& argv,
                                          std::chrono::milliseconds limit) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = spawn(argv, fds[1], fds[1]);
  ::close(fds[1]);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const auto n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = wait_with_deadline(pid, 2000ms);
  if (status == -1) {
    ::kill(pid, SIGKILL);
    wait_with_deadline(pid, 2000ms);
    return {-1, out};
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

/// Every thread's stack of a live process, when gdb is installed: what a hang was waiting on.
std::string thread_stacks(pid_t pid) {
  if (::access("/usr/bin/gdb", X_OK) != 0) return "(gdb is not installed: no stacks)";
  return run_capturing({"/usr/bin/gdb", "-p", std::to_string(pid), "-batch", "-ex", "thread apply all bt 25"},
                       30000ms)
      .second;
}

}  // namespace

std::pair<int, std::string> run_to_exit(const std::vector<std::string>& args,
                                        std::chrono::milliseconds limit) {
  std::vector<std::string> argv{server_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_capturing(argv, limit);
}

// --- ws_client ----------------------------------------------------------------------------

ws_client::ws_client(unsigned short port, const std::string& target, const std::string& origin,
                     const std::string& protocols)
    : ws_(ioc_) {
  auto& tcp_layer = beast::get_lowest_layer(ws_);
  beast::error_code result = net::error::timed_out;
  tcp_layer.expires_after(5s);
  tcp_layer.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                          [&](beast::error_code ec) { result = ec; });
  ioc_.run();
  if (result) throw std::runtime_error("connect failed: " + result.message());
  ws_.set_option(websocket::stream_base::decorator([origin, protocols](websocket::request_type& req) {
    if (!origin.empty()) req.set(http::field::origin, origin);
    if (!protocols.empty()) req.set(http::field::sec_websocket_protocol, protocols);
  }));
  ws_.read_message_max(64 * 1024 * 1024);
  result = net::error::timed_out;
  tcp_layer.expires_after(5s);
  websocket::response_type res;
  ws_.async_handshake(res, "127.0.0.1:" + std::to_string(port), target,
                      [&](beast::error_code ec) { result = ec; });
  ioc_.restart();
  ioc_.run();
  if (result)
    throw std::runtime_error("handshake failed (" + std::to_string(res.result_int()) +
                             "): " + result.message());
  tcp_layer.expires_never();
}

ws_client::~ws_client() {
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().close(ec);
}

void ws_client::write(const std::string& bytes, bool text) {
  beast::error_code result = net::error::timed_out;
  ws_.text(text);
  beast::get_lowest_layer(ws_).expires_after(5s);
  ws_.async_write(net::buffer(bytes), [&](beast::error_code ec, std::size_t) { result = ec; });
  ioc_.restart();
  ioc_.run();
  beast::get_lowest_layer(ws_).expires_never();
  if (result) throw std::runtime_error("send failed: " + result.message());
}

void ws_client::send(const std::string& text) { write(text, true); }

void ws_client::send_binary(const std::string& bytes) { write(bytes, false); }

void ws_client::send_message(const std::string& id, const std::string& username, const std::string& text,
                             const std::string& room) {
  json::object o{{"type", "send"}, {"id", id}, {"username", username}, {"message", text}};
  if (!room.empty()) o["room"] = room;
  send(o);
}

bool ws_client::read_frame(std::chrono::milliseconds limit) {
  if (closed_) return false;
  beast::error_code result = net::error::timed_out;
  beast::get_lowest_layer(ws_).expires_after(limit);
  ws_.async_read(buffer_, [&](beast::error_code ec, std::size_t) { result = ec; });
  ioc_.restart();
  ioc_.run();
  beast::get_lowest_layer(ws_).expires_never();
  if (result) {
    closed_ = true;
    // A close frame may arrive and the socket then reset before our reply: the code counts.
    // Our own time limit tears the stream down too, but is no close: -1, never a code.
    close_code_ = result == beast::error::timeout ? -1 : ws_.reason().code;
    return false;
  }
  ++frames_;
  const auto data = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  std::size_t start = 0;
  while (start <= data.size()) {
    auto end = data.find('\n', start);
    if (end == std::string::npos) end = data.size();
    if (end > start)
      backlog_.push_back(json::parse(std::string_view(data).substr(start, end - start)).as_object());
    start = end + 1;
  }
  return true;
}

std::optional<json::object> ws_client::next(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (backlog_.empty()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms || !read_frame(left)) return std::nullopt;
  }
  auto o = std::move(backlog_.front());
  backlog_.pop_front();
  return o;
}

std::optional<json::object> ws_client::next_of(const std::string& type, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::size_t scanned = 0;
  for (;;) {
    for (auto it = backlog_.begin() + static_cast<std::ptrdiff_t>(scanned); it != backlog_.end();
         ++it, ++scanned) {
      if (str((*it)["type"]) == type) {
        auto o = std::move(*it);
        backlog_.erase(it);
        return o;
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms || !read_frame(left)) return std::nullopt;
  }
}

std::vector<json::object> ws_client::collect(const std::string& type, std::size_t n,
                                             std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::vector<json::object> out;
  while (out.size() < n) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) break;
    auto o = next_of(type, left);
    if (!o) break;
    out.push_back(std::move(*o));
  }
  return out;
}

int ws_client::wait_closed(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!closed_) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return -1;
    read_frame(left);
  }
  return close_code_;
}

void ws_client::close() {
  if (closed_) return;
  beast::error_code result = net::error::timed_out;
  beast::get_lowest_layer(ws_).expires_after(3s);
  ws_.async_close(websocket::close_code::normal, [&](beast::error_code ec) { result = ec; });
  ioc_.restart();
  ioc_.run();
  closed_ = true;
}

void ws_client::shrink_receive_buffer(int bytes) {
  beast::get_lowest_layer(ws_).socket().set_option(net::socket_base::receive_buffer_size(bytes));
}

// --- plain HTTP and raw bytes ---------------------------------------------------------------

std::pair<int, std::string> http_get(unsigned short port, const std::string& target,
                                     const std::map<std::string, std::string>& headers) {
  std::string req =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "\r\n";
  const auto reply = raw_exchange(port, req, 5000ms);
  int status = 0;
  if (reply.rfind("HTTP/1.1 ", 0) == 0) status = std::stoi(reply.substr(9, 3));
  return {status, reply};
}

std::string raw_exchange(unsigned short port, const std::string& bytes, std::chrono::milliseconds limit) {
  net::io_context ioc;
  beast::tcp_stream s(ioc);
  std::string out;
  std::array<char, 4096> buf{};
  std::function<void()> read_more = [&] {
    s.async_read_some(net::buffer(buf), [&](beast::error_code ec, std::size_t n) {
      out.append(buf.data(), n);
      if (!ec) read_more();
    });
  };
  s.expires_after(limit);
  s.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
    if (ec) return;
    net::async_write(s, net::buffer(bytes), [&](beast::error_code wec, std::size_t) {
      if (!wec) read_more();
    });
  });
  ioc.run();
  return out;
}

person connect_person(unsigned short port, char t, const std::string& target) {
  person p;
  p.ws = std::make_unique<ws_client>(port, target, "", t ? "message.v1, id." + identity_token(t) : "");
  auto w = p.ws->next_of("welcome");
  EXPECT_TRUE(w) << "welcome first";
  if (!w) return p;
  p.welcome = *w;
  if (w->contains("identity")) p.id = str((*w)["identity"]);
  return p;
}

std::string str(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : std::string(); }

std::uint64_t u64(const json::value& v) {
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64()) return static_cast<std::uint64_t>(v.get_int64());
  return 0;
}

std::uint64_t send_acked(ws_client& c, const json::object& frame) {
  const std::string id = str(frame.at("id"));
  c.send(frame);
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < end) {
    auto f = c.next(10s);
    if (!f) break;
    const auto type = str((*f)["type"]);
    if ((type == "ack" || type == "error") && f->contains("id") && str((*f)["id"]) == id) {
      EXPECT_EQ(type, "ack") << json::serialize(*f);
      return type == "ack" ? u64((*f)["seq"]) : 0;
    }
  }
  ADD_FAILURE() << "no answer to " << id;
  return 0;
}

}  // namespace message::test
