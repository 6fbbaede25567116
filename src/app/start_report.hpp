#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/avahi_announcer.hpp"
#include "app/config.hpp"
#include "app/tls_certificate.hpp"

namespace message::app {

/// Where the server can be reached: what the start lines and `message invite` print.
struct reach {
  std::string scheme = "http";
  std::uint16_t port = 0;
  std::vector<std::string> hosts;  ///< "192.168.1.20:8000", "[fd00::2]:8000": IPv4 first.
  bool everywhere = false;         ///< Listening on every interface ("any machine of the network").
  bool loopback_only = false;      ///< Every interface, but the machine has no LAN address.
  std::string key;                 ///< --key; goes into links only on a terminal.
};

/// Where the lines go: the key and the QR code only ever go to a terminal, never to a log.
struct screen {
  bool terminal = false;
  int columns = 80;
  bool qr = true;  ///< --no-qr turns it off.
};

/// The reach of a server configured by `cfg` and listening on `port` (LAN addresses from
/// app/lan_addresses, the list app/server_names keeps current; `message invite` runs without
/// a server, so it reads the list itself).
reach reach_of(const server_config& cfg, std::uint16_t port);

/// stdout's screen: a terminal (isatty) and its width (TIOCGWINSZ, else $COLUMNS, else 80).
screen stdout_screen(bool qr);

/// "  open URL on any machine of the network" per address, the key in the links only on a
/// terminal, and off a terminal a line saying how to show the invite. Pure.
std::string open_lines(const reach& r, const screen& s);

/// The QR code of the first link, drawn for the terminal, or why it is not drawn (narrower
/// terminal: the URL and that the code did not fit). Empty off a terminal or with --no-qr. Pure.
std::string qr_lines(const reach& r, const screen& s);

/// The line for what avahi reports (announced: the HOST.local link; renamed; unavailable). Pure.
std::string announce_line(const reach& r, const screen& s, const avahi_announcer::event& e);

/// `message invite`: the links with the key and the QR code, for someone at this machine's
/// terminal, without starting a server. The port and scheme are those of the server running
/// with --data (its lock file says them), unless --port is given; the other flags (key, host)
/// are read as for the server.
void print_invite(const server_config& cfg);

/// Prints the start lines (the original's "Server start on port N" first, then the links,
/// the certificate, the key, the data, and the QR code on a terminal) and announces the server
/// on the LAN while it lives, printing what avahi reports.
/// Thread-safety: construct and destroy on one thread; avahi's reports print from its thread.
class start_report {
 public:
  start_report(const server_config& cfg, std::uint16_t port, const tls_identity& tls);
  ~start_report();
  start_report(const start_report&) = delete;
  start_report& operator=(const start_report&) = delete;

 private:
  std::unique_ptr<avahi_announcer> announcer_;
};

}  // namespace message::app
