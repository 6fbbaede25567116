#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/broker.hpp"
#include "core/presence.hpp"
#include "redis/async_connection.hpp"
#include "redis/redis_endpoint.hpp"
#include "redis/redis_status.hpp"

namespace message::redis {

/// The broker of several nodes sharing one Redis (--redis).
///
/// Messages: the append script of store::redis_message_store PUBLISHes every commit on
/// messages_channel(), so committed() has nothing to do; a subscriber connection hands each
/// published commit to the hub (deliver_messages), for the node's own commits as for the
/// others', so every client sees one order. After the subscriber (re)connects, the hub
/// resyncs: clients re-read from the store what they may have missed meanwhile.
///
/// Events and presence travel on events_channel() (JSON, tagged with this node's random id so
/// a node ignores its own). Each node announces its own presence changes and every heartbeat
/// its full list; other nodes keep those entries until 3 heartbeats pass without news, so a
/// node that dies leaves presence within 3 heartbeats (+ half of one for the sweep).
///
/// Both connections live on the broker's own thread and io_context (async hiredis through
/// async_connection), never on an I/O thread, and reconnect by themselves.
///
/// Thread-safety: as core::broker.
class redis_broker final : public core::broker {
 public:
  struct options {
    /// How often this node tells the others who is here. 15 s keeps a dead node's people
    /// listed under a minute (3 heartbeats + the sweep).
    std::chrono::milliseconds heartbeat{15000};
  };

  redis_broker(redis_endpoint where, std::shared_ptr<redis_status> status, options opts);
  ~redis_broker() override;
  redis_broker(const redis_broker&) = delete;
  redis_broker& operator=(const redis_broker&) = delete;

  void start(core::broker_target& target) override;
  void committed(std::vector<core::chat_message>&&) override {}
  void publish_event(const std::string& room, core::shared_line line, const core::client* except) override;
  void presence_changed(const std::string& room, const std::string& username, const std::string& device,
                        bool present) override;
  void stop() override;
  std::string problem() const override { return status_->problem(); }

  const std::string& node_id() const { return node_; }

 private:
  // All on the broker thread.
  void on_push(const redisReply& push);
  void on_messages(std::string_view payload);
  void on_event(std::string_view payload);
  void publish(std::string payload);
  void announce(const std::vector<core::presence::remote_change>& changes);
  void send_snapshot();
  void say_hello();
  void do_heartbeat();
  void do_sweep();
  void finish();

  redis_endpoint where_;
  std::shared_ptr<redis_status> status_;
  options opts_;
  std::string node_;
  core::broker_target* target_ = nullptr;
  net::io_context io_{1};
  net::executor_work_guard<net::io_context::executor_type> work_{io_.get_executor()};
  net::steady_timer heartbeat_timer_{io_};
  net::steady_timer sweep_timer_{io_};
  net::steady_timer stop_timer_{io_};
  std::unique_ptr<async_connection> sub_;
  std::unique_ptr<async_connection> pub_;
  bool finished_ = false;
  bool leaving_ = false;    // The goodbye is published: nothing more is.
  bool listening_ = false;  // Subscribed to events_channel(): answers to hello can arrive.
  std::thread thread_;
};

}  // namespace message::redis
