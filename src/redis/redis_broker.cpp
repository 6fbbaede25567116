#include "redis/redis_broker.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <random>

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/presence.hpp"
#include "protocol/codec.hpp"
#include "redis/redis_entry.hpp"
#include "redis/redis_keys.hpp"

namespace message::redis {

namespace json = boost::json;

namespace {

using link = redis_status::link;

std::string random_node_id() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  return fmt::format("{:016x}", rng());
}

std::string_view str(const redisReply* r) {
  return r && r->type == REDIS_REPLY_STRING ? std::string_view(r->str, r->len) : std::string_view();
}

std::string field(const json::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

redis_broker::redis_broker(redis_endpoint where, std::shared_ptr<redis_status> status, options opts)
    : where_(std::move(where)), status_(std::move(status)), opts_(opts), node_(random_node_id()) {}

redis_broker::~redis_broker() { stop(); }

void redis_broker::start(core::broker_target& target) {
  target_ = &target;
  net::post(io_, [this] {
    sub_ = std::make_unique<async_connection>(
        io_, where_,
        async_connection::callbacks{[this] {
                                      sub_->subscribe(messages_channel());
                                      sub_->subscribe(events_channel());
                                    },
                                    [this](const std::string& why) {
                                      listening_ = false;
                                      status_->down(link::subscriber, why);
                                    },
                                    [this](const redisReply& push) { on_push(push); }});
    pub_ = std::make_unique<async_connection>(
        io_, where_,
        async_connection::callbacks{[this] {
                                      status_->up(link::publisher);
                                      send_snapshot();
                                      if (listening_) say_hello();
                                    },
                                    [this](const std::string& why) { status_->down(link::publisher, why); },
                                    {}});
    sub_->start();
    pub_->start();
    do_heartbeat();
    do_sweep();
  });
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      spdlog::critical("redis broker thread ended: {}", e.what());
    }
  });
}

void redis_broker::stop() {
  if (!thread_.joinable()) return;
  net::post(io_, [this] {
    // Say goodbye so the others drop our people at once; give up after a short wait. Nothing
    // may follow the goodbye: a snapshot published after it (a heartbeat, or the answer to a
    // hello that arrives meanwhile) would bring our people back on every other node.
    leaving_ = true;
    heartbeat_timer_.cancel();
    if (pub_ && pub_->ready()) {
      pub_->command(
          {"PUBLISH", events_channel(), json::serialize(json::object{{"node", node_}, {"kind", "bye"}})},
          [this](const redisReply*) { finish(); });
      stop_timer_.expires_after(std::chrono::milliseconds(500));
      stop_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) finish();
      });
    } else {
      finish();
    }
  });
  thread_.join();
}

void redis_broker::finish() {
  if (finished_) return;
  finished_ = true;
  heartbeat_timer_.cancel();
  sweep_timer_.cancel();
  stop_timer_.cancel();
  if (sub_) sub_->close();
  if (pub_) pub_->close();
  work_.reset();
  io_.stop();
}

// --- from Redis -------------------------------------------------------------------------

void redis_broker::on_push(const redisReply& push) {
  if (push.type != REDIS_REPLY_ARRAY || push.elements < 3) return;
  const auto kind = str(push.element[0]);
  const auto channel = str(push.element[1]);
  if (kind == "subscribe") {
    if (channel == messages_channel()) {
      status_->up(link::subscriber);
      // Commits published while we were not subscribed never reach us: re-read them.
      target_->resync();
    } else if (channel == events_channel()) {
      listening_ = true;
      say_hello();  // Now that their answers can reach us.
    }
    return;
  }
  if (kind != "message") return;
  if (channel == messages_channel()) {
    on_messages(str(push.element[2]));
  } else if (channel == events_channel()) {
    on_event(str(push.element[2]));
  }
}

void redis_broker::on_messages(std::string_view payload) {
  std::vector<core::chat_message> messages;
  const auto arrived = core::now_ms();
  std::size_t start = 0;
  while (start < payload.size()) {
    auto end = payload.find('\n', start);
    if (end == std::string_view::npos) end = payload.size();
    if (auto m = decode_entry(payload.substr(start, end - start))) {
      status_->observe_lag(arrived - m->ts);  // /metrics: message_redis_lag_seconds.
      messages.push_back(std::move(*m));
    } else {
      spdlog::warn("redis broker: ignoring a published entry that is not a message");
    }
    start = end + 1;
  }
  if (!messages.empty()) target_->deliver_messages(std::move(messages));
}

void redis_broker::on_event(std::string_view payload) {
  boost::system::error_code ec;
  auto v = json::parse(payload, ec);
  if (ec || !v.is_object()) return;
  const auto& o = v.get_object();
  const auto node = field(o, "node");
  if (node.empty() || node == node_) return;  // Our own: delivered locally already.
  const auto kind = field(o, "kind");
  const auto expires = core::presence::clock::now() + 3 * opts_.heartbeat;
  auto& people = target_->people();
  if (kind == "event") {
    target_->deliver_event(field(o, "room"), std::make_shared<const std::string>(field(o, "line")), nullptr);
  } else if (kind == "presence") {
    const auto* present = o.if_contains("present");
    announce(people.remote_update(node, {field(o, "room"), field(o, "username"), field(o, "device")},
                                  present && present->is_bool() && present->get_bool(), expires));
  } else if (kind == "snapshot") {
    std::vector<core::presence::entry> list;
    if (const auto* arr = o.if_contains("people"); arr && arr->is_array()) {
      for (const auto& e : arr->get_array()) {
        if (!e.is_array() || e.get_array().size() != 3) continue;
        const auto& t = e.get_array();
        if (!t[0].is_string() || !t[1].is_string() || !t[2].is_string()) continue;
        list.push_back(
            {std::string(t[0].get_string()), std::string(t[1].get_string()), std::string(t[2].get_string())});
      }
    }
    announce(people.remote_snapshot(node, list, expires));
  } else if (kind == "hello") {
    send_snapshot();  // A node (re)joined: it needs our list now, not at the next heartbeat.
  } else if (kind == "bye") {
    announce(people.remote_snapshot(node, {}, expires));
  }
}

void redis_broker::announce(const std::vector<core::presence::remote_change>& changes) {
  for (const auto& c : changes) {
    target_->deliver_event(c.room,
                           std::make_shared<const std::string>(protocol::encode_person_event(
                               c.present ? "join" : "leave", c.room, c.person.username, c.person.device)),
                           nullptr);
  }
}

// --- to Redis ---------------------------------------------------------------------------

void redis_broker::publish(std::string payload) {
  // Best effort: while Redis is away events are dropped; presence heals with the next
  // snapshot, typing notices do not matter a few seconds later.
  if (!leaving_ && pub_ && pub_->ready())
    pub_->command({"PUBLISH", events_channel(), std::move(payload)}, {});
}

void redis_broker::publish_event(const std::string& room, core::shared_line line,
                                 const core::client* except) {
  target_->deliver_event(room, line, except);  // This node's clients at once.
  net::post(io_, [this, room, line] {
    publish(
        json::serialize(json::object{{"node", node_}, {"kind", "event"}, {"room", room}, {"line", *line}}));
  });
}

void redis_broker::presence_changed(const std::string& room, const std::string& username,
                                    const std::string& device, bool present) {
  // Called under the presence lock: only post.
  net::post(io_, [this, room, username, device, present] {
    publish(json::serialize(json::object{{"node", node_},
                                         {"kind", "presence"},
                                         {"room", room},
                                         {"username", username},
                                         {"device", device},
                                         {"present", present}}));
  });
}

void redis_broker::say_hello() {
  // The others answer with their lists at once, instead of at their next heartbeat.
  publish(json::serialize(json::object{{"node", node_}, {"kind", "hello"}}));
}

void redis_broker::send_snapshot() {
  json::array list;
  for (auto& e : target_->people().local_entries()) list.push_back(json::array{e.room, e.username, e.device});
  publish(json::serialize(json::object{{"node", node_}, {"kind", "snapshot"}, {"people", std::move(list)}}));
}

void redis_broker::do_heartbeat() {
  send_snapshot();
  heartbeat_timer_.expires_after(opts_.heartbeat);
  heartbeat_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) do_heartbeat();
  });
}

void redis_broker::do_sweep() {
  announce(target_->people().expire(core::presence::clock::now()));
  sweep_timer_.expires_after(std::max(opts_.heartbeat / 2, std::chrono::milliseconds(100)));
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) do_sweep();
  });
}

}  // namespace message::redis
