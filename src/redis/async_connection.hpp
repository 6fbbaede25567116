#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis/redis_endpoint.hpp"

struct redisAsyncContext;
struct redisReply;

namespace message::redis {

namespace net = boost::asio;

/// One hiredis 0.14 async connection on an Asio io_context, which keeps itself connected:
/// it connects (with a timeout), sends AUTH and SELECT, reports ready, and after any loss
/// reports it and reconnects with a back-off (100 ms doubling to 5 s).
///
/// hiredis ships no Asio adapter: asio_hiredis.cpp maps its addRead/delRead/addWrite/delWrite/
/// cleanup hooks onto posix::stream_descriptor::async_wait, so the socket never blocks a thread.
///
/// Thread-safety: none. Create, call and destroy on the io_context's thread (the io_context
/// must run on one thread). Callbacks run there too.
class async_connection {
 public:
  struct callbacks {
    std::function<void()> on_ready;                       ///< Connected and authenticated.
    std::function<void(const std::string& why)> on_lost;  ///< A connect failed or the link broke.
    std::function<void(const redisReply& push)> on_push;  ///< A pub/sub message (subscribe()).
  };
  /// Called once with the reply, or with nullptr when the connection went before it came.
  using reply_handler = std::function<void(const redisReply*)>;

  async_connection(net::io_context& io, redis_endpoint where, callbacks cbs);
  ~async_connection();
  async_connection(const async_connection&) = delete;
  async_connection& operator=(const async_connection&) = delete;

  void start();
  bool ready() const { return state_ == state::ready; }
  /// Sends a command; when not ready, `done` gets nullptr at once.
  void command(const std::vector<std::string>& argv, reply_handler done);
  /// SUBSCRIBE: from then on the connection only carries pushes to on_push.
  void subscribe(const std::string& channel);
  /// Drops the connection and stops reconnecting; no callback runs after it. Idempotent.
  void close();

 private:
  enum class state { idle, connecting, handshaking, ready, closed };
  class watcher;
  static void on_connect(const redisAsyncContext* ac, int status);
  static void on_disconnect(const redisAsyncContext* ac, int status);
  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);
  static void on_push_reply(redisAsyncContext* ac, void* reply, void* privdata);
  void do_connect();
  void handshake();
  void failed(const std::string& why);
  void send(const std::vector<std::string>& argv, reply_handler done);

  net::io_context& io_;
  redis_endpoint where_;
  callbacks cbs_;
  redisAsyncContext* ac_ = nullptr;
  state state_ = state::idle;
  net::steady_timer timer_;  // Connect timeout, then the reconnect back-off.
  std::chrono::milliseconds backoff_{0};
  std::string refusal_;  // Why the handshake was refused, for on_lost.
};

}  // namespace message::redis
