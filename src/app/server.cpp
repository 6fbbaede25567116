#include "app/server.hpp"

#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <thread>

#include <fmt/format.h>

#include "app/display_name.hpp"
#include "app/invite_link.hpp"
#include "app/lan_addresses.hpp"
#include "app/qr_matrix.hpp"
#include "app/qr_svg.hpp"
#include "app/session_secret.hpp"
#include "app/socket_activation.hpp"
#include "app/tls_certificate.hpp"
#include "files/files_worker.hpp"
#include "redis/redis_broker.hpp"
#include "search/search_index.hpp"
#include "store/journaled_message_store.hpp"
#include "store/memory_message_store.hpp"
#include "store/redis_message_store.hpp"
#include "transport/blob_sweep.hpp"
#include "transport/tls_server_context.hpp"

namespace message::app {

namespace {
/// SIGTERM must end the process within 2 s; clients get this long to answer the 1001 close.
constexpr auto close_grace = std::chrono::milliseconds(1500);

std::unique_ptr<store::sequencing_store> open_store(const server_config& cfg,
                                                    const std::filesystem::path& dir) {
  if (cfg.store == store_kind::memory) return std::make_unique<store::memory_message_store>();
  return std::make_unique<store::journaled_message_store>(
      dir / "messages.db", dir / "messages.journal",
      cfg.fsync_every_commit ? store::durability::power : store::durability::process, cfg.salvage_journal);
}

/// /invite.svg's drawing: the page's Invite shows the link to the address its person used.
std::function<std::string(std::string_view, std::string_view, std::string_view)> invite_drawer(
    std::string scheme) {
  return
      [scheme = std::move(scheme)](std::string_view host, std::string_view key, std::string_view link_code) {
        try {
          if (!link_code.empty())
            return draw_qr_svg(qr_matrix(invite_url(scheme, host, {}) + "#link=" + std::string(link_code)));
          return draw_qr_svg(qr_matrix(invite_url(scheme, host, key)));
        } catch (const std::exception& e) {
          // Only a key too long for any QR code gets here (the host is bounded by the route).
          spdlog::warn("the invite QR code cannot be drawn: {}", e.what());
          return std::string();
        }
      };
}

/// Descriptors kept for everything but client sockets: the store, logs, the listener, slack.
constexpr rlim_t reserved_descriptors = 64;

/// Raises the descriptor limit as far as allowed, and lowers max_connections to fit in it:
/// past the limit, accept() would fail instead of answering 503. Says so at info level only
/// when the cap was chosen (--max-connections); lowering the default is a debug line.
void fit_connections_to_descriptors(core::limits& limits, bool chosen) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur <= reserved_descriptors) return;
  const auto fit = static_cast<std::size_t>(rl.rlim_cur - reserved_descriptors);
  if (limits.max_connections > fit) {
    spdlog::log(
        chosen ? spdlog::level::info : spdlog::level::debug,
        "max connections lowered from {} to {} to fit the open-file limit ({}); raise it with ulimit -n",
        limits.max_connections, fit, rl.rlim_cur);
    limits.max_connections = fit;
  }
}
}  // namespace

server::server(server_config config) : config_(std::move(config)) {
  fit_connections_to_descriptors(config_.limits, config_.max_connections_chosen);
  dir_.emplace(config_.data_dir);
  // The one list of this machine's names: the Host check, and the certificate's names below.
  names_ = std::make_unique<server_names>(config_.allowed_hosts, config_.host, config_.names_refresh);
  if (config_.tls()) {
    tls_pem pem;
    if (config_.self_signed()) {
      const auto names = self_signed_names(names_->hostname(), names_->lan_addresses());
      try {
        const auto files = ensure_self_signed(dir_->path(), names);
        pem = {read_pem_file(files.cert), read_pem_file(files.key)};
        tls_identity_.renewed = files.renewed;
        tls_identity_.kept_in = files.cert.string();
      } catch (const tls_storage_error& e) {
        // https still works for this run; only the browser's exception and the pin are lost
        // at the next start, which the start lines say.
        pem = make_self_signed_pem(names);
        tls_identity_.not_kept = e.what();
      }
    } else {
      pem = {read_pem_file(config_.tls_cert), read_pem_file(config_.tls_key)};
    }
    const bool made = config_.self_signed();
    try {
      tls_ = transport::make_tls_server_context(pem.cert, pem.key);
    } catch (const transport::tls_context_error& e) {
      if (e.which == transport::tls_context_error::part::certificate)
        throw std::runtime_error("cannot use the TLS certificate " +
                                 (made ? tls_identity_.kept_in : config_.tls_cert.string()) + ": " +
                                 e.what());
      throw std::runtime_error(
          "cannot use the TLS key " +
          (made ? std::string("in ") + dir_->path().string() : config_.tls_key.string()) + ": " + e.what());
    }
    tls_identity_.fingerprint = certificate_fingerprint(pem.cert);
    tls_identity_.pin = public_key_pin(pem.cert);
  }
  std::unique_ptr<store::sequencing_store> store;
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
    loops_.push_back(std::make_unique<transport::asio_event_loop>(config_.limits.loop_spin));
    core_loops.push_back(loops_.back().get());
    io_loops.push_back(loops_.back().get());
  }
  hub_ = std::make_unique<core::hub>(config_.limits, std::move(store), core_loops, std::move(broker));
  if (!config_.no_search) {
    // Each node its own index: in the data directory, or in memory beside a memory store.
    const bool in_memory = config_.redis_url.empty() && config_.store == store_kind::memory;
    search_ = std::make_unique<search::search_index>(
        in_memory ? std::string() : (dir_->path() / "search.sqlite").string(), config_.limits);
    hub_->set_search(search_.get());  // Fed from the first commit; caught up from run().
  }
  std::function<std::string()> health;
  if (redis_status_) health = [status = redis_status_] { return status->problem(); };
  // NOLINTNEXTLINE(modernize-make-unique): an aggregate with an atomic; clang 14 has no make_unique of one.
  ctx_.reset(new transport::transport_context{
      *hub_,
      config_.limits,
      transport::http_context{config_.allowed_origins,
                              std::move(health),
                              transport::access_key(config_.key),
                              [names = names_.get()](std::string_view host) { return names->contains(host); },
                              invite_drawer(config_.tls() ? "https" : "http"),
                              config_.name,
                              tls_identity_.fingerprint,
                              {}},
      {}});
  ctx_->tls = tls_.get();
  // The shared files (docs/protocol.md, "Files"): blobs and uploads under DATA/files, each
  // node its own (nodes never share a data directory). With --shared-files the blobs and
  // thumbnails go to that folder, which every node of a --redis chat reads and writes, while
  // the uploads in progress stay in this node's data directory (docs/deployment.md).
  const auto files_root = config_.shared_files.empty() ? dir_->path() / "files" : config_.shared_files;
  files_ = std::make_unique<files::files_worker>(files_root, dir_->path() / "files" / "uploads",
                                                 config_.limits.upload_expiry);
  ctx_->files = files_.get();
  // Blob retention (docs/architecture.md, "Blob retention"): blobs no message needs any more,
  // and the oldest past --max-files-total-bytes, are removed at start and then every round.
  files_->every(config_.limits.blob_sweep_interval,
                [hub = hub_.get(), files = files_.get(), &limits = config_.limits] {
                  transport::sweep_blobs(*hub, *files, limits);
                });
  // Downloads read the blobs from the same folder (files::blob_store's layout).
  ctx_->files_root = files_root;
  if (!config_.redis_url.empty() && config_.shared_files.empty())
    spdlog::warn("--redis without --shared-files: this node serves only the files uploaded to it");
  {
    std::array<unsigned char, 32> secret{};
    try {
      secret = load_or_create_session_secret(dir_->path());
    } catch (const std::exception& e) {
      // Cookies then last until this process stops: pages ask /auth again after a restart.
      spdlog::warn("{}; session cookies are signed for this run only", e.what());
      secret = random_session_secret();
    }
    ctx_->http.sessions =
        transport::session_cookies(secret, config_.key, config_.limits.session_cookie_lifetime);
  }
  const bool journaled = config_.redis_url.empty() && config_.store == store_kind::sqlite;
  auto deliveries = [hub = hub_.get()] {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < hub->loop_count(); ++i) sum += hub->registry(i).deliveries();
    return sum;
  };
  metrics_ = std::make_unique<server_metrics>(
      hub_->store_stats(), ctx_->websocket_sessions, std::move(deliveries),
      journaled ? dir_->path() / "messages.journal" : std::filesystem::path(), redis_status_,
      [hub = hub_.get()] {
        std::vector<const core::loop_counters*> loops;
        for (std::size_t i = 0; i < hub->loop_count(); ++i) loops.push_back(&hub->registry(i).counters());
        return loops;
      }());
  ctx_->http.metrics = [metrics = metrics_.get()] { return metrics->render(); };
  for (auto& loop : loops_) {
    ctx_->sweeps.push_back(std::make_unique<transport::deadline_sweep>(
        loop->context(), transport::deadline_sweep::tick_for(config_.limits)));
  }
  // Under socket activation systemd has bound the port (message.socket): --host and --port
  // then name nothing, and the start lines print the socket's own address.
  if (const auto inherited = inherited_listener()) {
    listener_ = transport::listener::adopt(*loops_[0], *inherited, io_loops, *ctx_);
  } else {
    boost::system::error_code ec;
    const auto address = transport::net::ip::make_address(config_.host, ec);
    if (ec) throw std::runtime_error("--host " + config_.host + " is not an IP address");
    listener_ = transport::listener::open(*loops_[0], {address, config_.port}, io_loops, *ctx_);
  }
  dir_->record(port(), config_.tls() ? "https" : "http");
  // Catch SIGINT/SIGTERM from now on, before the banner says we are up: a stop sent right after
  // the banner must still be a graceful one (seen under TSan, where start-up is slow).
  signals_ = std::make_unique<stop_signals>(loops_[0]->context(), [this](int signal) {
    spdlog::info("signal {}: closing every connection and stopping", signal);
    notifier_->stopping();
    shutdown();
  });
  // `message backup` asks through DIR/message.sock; only the SQLite store can be backed up.
  // Without the socket (a path too long for one, a file system without sockets) the server
  // still serves; `message backup` then says a server holds the directory.
  try {
    backups_ = std::make_unique<backup_service>(dir_->path(), journaled ? hub_.get() : nullptr);
  } catch (const std::exception& e) {
    spdlog::warn("{}; `message backup` cannot reach this server", e.what());
  }
  notifier_ = std::make_unique<service_notifier>(
      io_loops, [ctx = ctx_.get()] { return fmt::format("{} connections", ctx->websocket_sessions.load()); },
      config_.test_stall_loop);
}

server::~server() {
  if (files_) files_->stop();
  if (hub_) hub_->stop();
  if (search_) search_->stop();
}

std::uint16_t server::port() const { return listener_->local_endpoint().port(); }

void server::run() {
  listener_->run();
  // After the start lines: what the index lacks is read from the store in the background.
  if (search_) search_->start_catch_up([hub = hub_.get()](auto job) { hub->store_job(std::move(job)); });
  // The store is open (constructor) and the port listens: systemd may call us started.
  notifier_->start();
  notifier_->ready();
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i)
    threads.emplace_back([loop = loops_[i].get()] { loop->run(); });
  loops_[0]->run();
  for (auto& t : threads) t.join();
  files_->stop();                // Ends what uploads still do on disk; their answers go nowhere.
  hub_->stop();                  // Commits whatever was queued; no more posts to the loops.
  if (search_) search_->stop();  // Indexes what the last commits gave it.
  spdlog::info("stopped");
}

void server::shutdown() {
  listener_->stop();
  // NOLINTNEXTLINE(modernize-loop-convert): the index also picks the loop's registry.
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
