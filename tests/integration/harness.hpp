#pragma once

// Test harness: starts the real `message` binary on a free loopback port and talks to it with
// real WebSocket clients (Beast). Every wait is bounded; nothing sleeps for timing.

#include <sys/types.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace message::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace json = boost::json;
using namespace std::chrono_literals;

/// The server binary under test: $MESSAGE_BIN or the build tree's.
std::string server_binary();

/// One `message` process. start() waits for "Server start on port N" (bounded) and records N.
class server_process {
 public:
  /// `args` are appended to `--host 127.0.0.1 --port 0` (without `--port 0` when they hold a
  /// --port); add `--data DIR` yourself.
  explicit server_process(std::vector<std::string> args, std::vector<std::string> prefix = {});
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  /// Sends `sig` and waits (bounded) for exit; returns the exit status as from waitpid.
  int stop(int sig = 15, std::chrono::milliseconds limit = 5000ms);
  bool running();
  /// Everything the process printed to stdout so far (read until start only).
  const std::string& banner() const { return banner_; }
  /// Resident memory in KiB from /proc.
  long rss_kib() const;
  /// CPU time the process has used so far (user + system, all threads), from /proc.
  std::chrono::milliseconds cpu_time() const;

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::string banner_;
  int status_ = -1;
};

/// Runs the binary to completion (bounded) and returns {exit status, stdout+stderr}.
std::pair<int, std::string> run_to_exit(const std::vector<std::string>& args,
                                        std::chrono::milliseconds limit = 10000ms);

/// A WebSocket client with its own io_context; every operation has a deadline.
class ws_client {
 public:
  /// Connects to ws://127.0.0.1:port + target; throws on failure. `origin` empty: no header;
  /// `protocols` empty: no Sec-WebSocket-Protocol header.
  ws_client(unsigned short port, const std::string& target = "/ws", const std::string& origin = {},
            const std::string& protocols = {});
  ~ws_client();

  void send(const std::string& text);
  void send(const json::object& o) { send(json::serialize(o)); }
  void send_binary(const std::string& bytes);
  /// Sends a chat message with the given id.
  void send_message(const std::string& id, const std::string& username, const std::string& text,
                    const std::string& room = {});

  /// The next JSON object from the server (frames are split on '\n'); nullopt on timeout or close.
  std::optional<json::object> next(std::chrono::milliseconds limit = 5000ms);
  /// The next object whose "type" is `type`; others are kept for later calls.
  std::optional<json::object> next_of(const std::string& type, std::chrono::milliseconds limit = 5000ms);
  /// Collects `n` objects of `type` (others kept); fewer if the time runs out.
  std::vector<json::object> collect(const std::string& type, std::size_t n,
                                    std::chrono::milliseconds limit = 10000ms);

  /// Waits for the connection to end; returns the close code (0 if it ended without a close
  /// frame, -1 if it had not ended within `limit`).
  int wait_closed(std::chrono::milliseconds limit = 5000ms);
  bool closed() const { return closed_; }
  int close_code() const { return close_code_; }
  void close();
  /// Sets SO_RCVBUF small (for slow-reader tests); call right after connecting.
  void shrink_receive_buffer(int bytes);
  std::size_t frames_received() const { return frames_; }

 private:
  bool read_frame(std::chrono::milliseconds limit);
  void write(const std::string& bytes, bool text);
  net::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<json::object> backlog_;
  bool closed_ = false;
  int close_code_ = 0;
  std::size_t frames_ = 0;
};

/// Plain HTTP GET (one request, connection: close); returns {status, headers+body as text}.
std::pair<int, std::string> http_get(unsigned short port, const std::string& target,
                                     const std::map<std::string, std::string>& headers = {});

/// Raw bytes to the port; returns whatever came back before close or `limit`.
std::string raw_exchange(unsigned short port, const std::string& bytes,
                         std::chrono::milliseconds limit = 3000ms);

/// A well-formed identity token made from `c` (22 characters of base64url whose last one carries
/// no stray bits): one per test person.
inline std::string identity_token(char c) { return std::string(21, c) + "A"; }

std::string str(const json::value& v);
std::uint64_t u64(const json::value& v);

/// Sends `frame` (which has an `id`) and waits for the answer naming that id: returns the seq of
/// its ack, or 0 (with a test failure) when it was refused or nothing came within 10 s.
std::uint64_t send_acked(ws_client& c, const json::object& frame);

/// A connection of one person, after its welcome; `id` is its public identity id ("" when
/// anonymous).
struct person {
  std::unique_ptr<ws_client> ws;
  std::string id;
  json::object welcome;
};
/// A connection of the identity of token `t` (0: anonymous) to `target`, after its welcome.
person connect_person(unsigned short port, char t, const std::string& target = "/ws");

}  // namespace message::test
