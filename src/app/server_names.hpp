#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace message::app {

/// The names this server answers to: its LAN and loopback addresses (IPv6 in brackets, as in a
/// URL), `localhost`, the machine's hostname and its `HOST.local` (mDNS) name, and the names
/// given with --allow-host (a reverse proxy's public name). A request whose Host is none of
/// them is refused (docs/security.md: DNS rebinding), and invite links and certificate names
/// are made from them.
///
/// Addresses change (DHCP, Wi-Fi roaming, avahi renaming the host): the names are read again
/// by polling, every `refresh` (getifaddrs and gethostname, a few tens of microseconds), on a
/// thread of its own; a name that changed is refused or accepted from the next poll on.
///
/// Thread-safety: every const member is safe from any thread at any time (a shared lock around
/// the current set); refresh() may run concurrently with them.
class server_names {
 public:
  /// `allowed` are --allow-host values (a name, or name:port whose port is ignored); `listen`
  /// is --host, added when it is a specific address. `refresh` 0: no polling thread.
  server_names(std::vector<std::string> allowed, std::string listen, std::chrono::milliseconds refresh);
  ~server_names();
  server_names(const server_names&) = delete;
  server_names& operator=(const server_names&) = delete;

  /// True when `host` (the host part of a Host header, any case, a trailing dot allowed) is
  /// one of the server's names.
  bool contains(std::string_view host) const;
  /// Every name, sorted: addresses, `localhost`, the hostname, `HOST.local`, allowed names.
  std::vector<std::string> names() const;
  /// The LAN addresses alone (no loopback), in URL form: what an invite link should carry.
  std::vector<std::string> lan_addresses() const;
  /// The machine's hostname as the system says it (lower case), and its mDNS name.
  std::string hostname() const;
  std::string mdns_name() const;

  /// Reads the addresses and the hostname again now (the polling thread calls this).
  void refresh();

 private:
  struct current {
    std::vector<std::string> names;  // Sorted, lower case.
    std::vector<std::string> lan;
    std::string hostname;
  };
  current read() const;
  void poll(const std::stop_token& stop);

  const std::vector<std::string> allowed_;
  const std::string listen_;
  const std::chrono::milliseconds refresh_;
  mutable std::shared_mutex mutex_;
  current current_;
  std::mutex wake_mutex_;
  std::condition_variable_any wake_;
  std::jthread poller_;  // Last: stopped and joined before the rest is destroyed.
};

}  // namespace message::app
