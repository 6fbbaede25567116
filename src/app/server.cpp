#include "app/server.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "redis/redis_broker.hpp"
#include "store/memory_message_store.hpp"
#include "store/redis_message_store.hpp"
#include "store/sqlite_message_store.hpp"

namespace message::app {

namespace {
/// SIGTERM must end the process within 2 s; clients get this long to answer the 1001 close.
constexpr auto close_grace = std::chrono::milliseconds(1500);

std::unique_ptr<store::message_store> open_store(const server_config& cfg, const std::filesystem::path& dir) {
  if (cfg.store == store_kind::memory) return std::make_unique<store::memory_message_store>();
  return std::make_unique<store::sqlite_message_store>(
      dir / "messages.db", cfg.fsync_every_commit ? store::durability::power : store::durability::process);
}
}  // namespace

server::server(server_config config) : config_(std::move(config)) {
  dir_.emplace(config_.data_dir);
  std::unique_ptr<store::message_store> store;
  std::unique_ptr<core::broker> broker;
  if (!config_.redis_url.empty()) {
    // Scale-out: the store and the fan-out live in Redis (docs/architecture.md).
    auto where = redis::parse_redis_url(config_.redis_url);
    if (!config_.redis_password.empty()) where.password = config_.redis_password;
    redis_status_ = std::make_shared<redis::redis_status>();
    store = std::make_unique<store::redis_message_store>(where, redis_status_);
    broker = std::make_unique<redis::redis_broker>(where, redis_status_,
                                                   redis::redis_broker::options{config_.redis_heartbeat});
  } else {
    store = open_store(config_, dir_->path());
  }
  std::vector<core::event_loop*> core_loops;
  std::vector<transport::asio_event_loop*> io_loops;
  for (std::size_t i = 0; i < config_.io_threads; ++i) {
    loops_.push_back(std::make_unique<transport::asio_event_loop>());
    core_loops.push_back(loops_.back().get());
    io_loops.push_back(loops_.back().get());
  }
  hub_ = std::make_unique<core::hub>(config_.limits, std::move(store), core_loops, std::move(broker));
  std::function<std::string()> health;
  if (redis_status_) health = [status = redis_status_] { return status->problem(); };
  ctx_.reset(new transport::transport_context{*hub_, config_.limits,
                                              transport::http_context{config_.allowed_origins, std::move(health)}, {}});
  boost::system::error_code ec;
  const auto address = transport::net::ip::make_address(config_.host, ec);
  if (ec) throw std::runtime_error("--host " + config_.host + " is not an IP address");
  listener_ = transport::listener::open(*loops_[0], {address, config_.port}, io_loops, *ctx_);
}

server::~server() {
  if (hub_) hub_->stop();
}

std::uint16_t server::port() const { return listener_->local_endpoint().port(); }

void server::run() {
  auto& home = loops_[0]->context();
  signals_ = std::make_unique<transport::net::signal_set>(home, SIGINT, SIGTERM);
  signals_->async_wait([this](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: closing every connection and stopping", signal);
    shutdown();
  });
  listener_->run();
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i) threads.emplace_back([loop = loops_[i].get()] { loop->run(); });
  loops_[0]->run();
  for (auto& t : threads) t.join();
  hub_->stop();  // Commits whatever was queued; no more posts to the loops.
  spdlog::info("stopped");
}

void server::shutdown() {
  listener_->stop();
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    loops_[i]->post([registry = &hub_->registry(i)] {
      registry->close_all(core::close_code::going_away, "the server is shutting down");
    });
  }
  shutdown_timer_ = std::make_unique<transport::net::steady_timer>(loops_[0]->context());
  wait_for_clients(std::chrono::steady_clock::now() + close_grace);
}

void server::wait_for_clients(std::chrono::steady_clock::time_point deadline) {
  if (ctx_->websocket_sessions == 0 || std::chrono::steady_clock::now() >= deadline) {
    for (auto& loop : loops_) loop->stop();
    return;
  }
  shutdown_timer_->expires_after(std::chrono::milliseconds(20));
  shutdown_timer_->async_wait([this, deadline](boost::system::error_code ec) {
    if (!ec) wait_for_clients(deadline);
  });
}

}  // namespace message::app
