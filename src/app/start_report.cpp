#include "app/start_report.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

#include "app/data_dir.hpp"
#include "app/display_name.hpp"
#include "app/invite_link.hpp"
#include "app/lan_addresses.hpp"
#include "app/qr_matrix.hpp"
#include "app/qr_terminal.hpp"
#include "redis/redis_endpoint.hpp"

namespace message::app {

namespace {

bool listens_everywhere(const std::string& host) { return host == "0.0.0.0" || host == "::"; }

bool is_loopback(const std::string& host) {
  return host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
}

/// A key goes into a link only on a terminal: a log file or a service's journal never holds it.
std::string link_key(const reach& r, const screen& s) { return s.terminal ? r.key : std::string(); }

void print(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace

reach reach_of(const server_config& cfg, std::uint16_t port) {
  reach r;
  r.scheme = cfg.tls() ? "https" : "http";
  r.port = port;
  r.key = cfg.key;
  r.everywhere = listens_everywhere(cfg.host);
  if (r.everywhere) {
    auto addresses = lan_addresses();
    // IPv4 first: the QR code shows the first link, and every phone reaches an IPv4 address.
    std::stable_partition(addresses.begin(), addresses.end(),
                          [](const std::string& a) { return a[0] != '['; });
    for (const auto& a : addresses) r.hosts.push_back(host_port(a, port));
    if (r.hosts.empty()) {
      r.loopback_only = true;
      r.hosts.push_back(host_port("127.0.0.1", port));
    }
  } else {
    r.hosts.push_back(
        host_port(cfg.host.find(':') != std::string::npos ? "[" + cfg.host + "]" : cfg.host, port));
  }
  return r;
}

screen stdout_screen(bool qr) {
  screen s;
  s.qr = qr;
  s.terminal = isatty(STDOUT_FILENO) == 1;
  winsize size{};
  if (s.terminal && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    s.columns = size.ws_col;
  } else if (const char* columns = std::getenv("COLUMNS"); columns && std::atoi(columns) > 0) {
    s.columns = std::atoi(columns);
  }
  return s;
}

std::string open_lines(const reach& r, const screen& s) {
  const std::string key = link_key(r, s);
  std::string out;
  if (r.loopback_only) {
    out += fmt::format("  no LAN address: this machine is on no network, so only it can open {}\n",
                       invite_url(r.scheme, r.hosts.front(), key));
  } else {
    for (const auto& h : r.hosts)
      out += fmt::format("  open {}{}\n", invite_url(r.scheme, h, key),
                         r.everywhere ? " on any machine of the network" : "");
  }
  if (!s.terminal) {
    out += fmt::format(
        "  the invite ({}QR code) shows only on a terminal: press Invite in the page, or run "
        "'message invite' in a terminal on this machine\n",
        r.key.empty() ? "" : "link with the key, ");
  }
  return out;
}

std::string qr_lines(const reach& r, const screen& s) {
  if (!s.terminal || !s.qr || r.hosts.empty()) return {};
  const std::string url = invite_url(r.scheme, r.hosts.front(), link_key(r, s));
  const qr_matrix code(url);
  const int columns = qr_terminal_columns(code);
  if (columns > s.columns) {
    return fmt::format(
        "  the QR code of {} needs {} columns and this terminal has {}: it did not fit (widen "
        "the window and run 'message invite', or open the link)\n",
        url, columns, s.columns);
  }
  return fmt::format("  scan to open {}\n", url) + draw_qr_terminal(code);
}

std::string announce_line(const reach& r, const screen& s, const avahi_announcer::event& e) {
  using kind = avahi_announcer::event::kind;
  switch (e.what) {
    case kind::announced:
      return fmt::format("  open {} too: announced on the LAN as \"{}\"\n",
                         invite_url(r.scheme, host_port(e.host, r.port), link_key(r, s)), e.name);
    case kind::renamed:
      return fmt::format("  {}: announcing as \"{}\" instead\n", e.reason, e.name);
    case kind::unavailable:
      return fmt::format("  no .local name: {} (the addresses above still work)\n", e.reason);
  }
  return {};
}

void print_invite(const server_config& cfg) {
  // The server running in --data knows its port (--port 0 picked one) and whether it speaks TLS.
  const auto running = cfg.port_given ? std::nullopt : data_dir::running_server_in(cfg.data_dir);
  reach r = reach_of(cfg, running ? running->port : cfg.port);
  if (running) r.scheme = running->scheme;
  screen s = stdout_screen(!cfg.no_qr);
  const bool drawable = s.terminal;
  // Asked for at this machine by its user: the links carry the key even into a pipe; the
  // drawing still needs a terminal.
  s.terminal = true;
  std::string out;
  if (!running && !cfg.port_given) {
    out += fmt::format("  no server is running with --data {}: the links are for --port {}\n",
                       cfg.data_dir.string(), cfg.port);
  }
  out += open_lines(r, s);
  if (drawable) out += qr_lines(r, s);
  print(out);
}

start_report::start_report(const server_config& cfg, std::uint16_t port, const tls_identity& tls) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y/%m/%d %H:%M:%S", &local);
  // The original's start line: "2018/10/27 23:22:59 Server start on port 8000".
  std::string out = fmt::format("{} Server start on port {}\n", stamp, port);
  const reach r = reach_of(cfg, port);
  const screen s = stdout_screen(!cfg.no_qr);
  out += open_lines(r, s);
  if (!tls.fingerprint.empty()) {
    if (!tls.kept_in.empty()) {
      out += fmt::format(
          "  https and plain http share the port; the self-signed TLS certificate is kept in {} "
          "(--tls-cert/--tls-key replace it, --no-tls turns TLS off)\n",
          tls.kept_in);
    } else if (!tls.not_kept.empty()) {
      out += fmt::format(
          "  {}: this run's self-signed certificate is in memory only, so its fingerprints change at "
          "the next start\n",
          tls.not_kept);
    }
    if (tls.renewed)
      out += "  TLS certificate made again for this machine's names and addresses, with the same key\n";
    out += fmt::format(
        "  TLS certificate SHA-256 fingerprint (compare it with what the browser shows; it changes when the "
        "certificate is renewed):\n    {}\n"
        "  TLS public key (SPKI) SHA-256 (what the terminal client pins; it survives renewals):\n    {}\n",
        tls.fingerprint, tls.pin);
  }
  if (cfg.key.empty()) {
    out +=
        "  anyone on the network can join: start with --key SECRET (or MESSAGE_KEY) to make the chat "
        "private\n";
  } else {
    out += "  private: pages and tools must present the key (--key) to join\n";
  }
  if (!cfg.redis_url.empty()) {
    out += fmt::format("  data: in redis {}\n", redis::parse_redis_url(cfg.redis_url).describe());
  } else {
    out += fmt::format("  data: {}\n", cfg.store == store_kind::memory
                                           ? std::string("in memory (lost on exit)")
                                           : (cfg.data_dir / "messages.db").string());
  }
  out += qr_lines(r, s);
  print(out);
  // A server on loopback is for this machine only: nothing to announce.
  if (is_loopback(cfg.host)) return;
  announcer_ = std::make_unique<avahi_announcer>(
      display_name(cfg.name), port,
      [r, s](const avahi_announcer::event& e) { print(announce_line(r, s, e)); });
}

start_report::~start_report() = default;

}  // namespace message::app
