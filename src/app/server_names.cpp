#include "app/server_names.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/display_name.hpp"
#include "app/lan_addresses.hpp"

namespace message::app {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

/// A name as it is compared: lower case, without a trailing dot ("localhost." is localhost).
std::string normal(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return lower(name);
}

/// An --allow-host value as a Host header names it: without the port it may carry
/// ("chat.example:443"), an IPv6 address in brackets.
std::string as_host(const std::string& value) {
  if (!value.empty() && value.front() == '[') return value.substr(0, value.find(']') + 1);
  const auto colons = std::count(value.begin(), value.end(), ':');
  if (colons == 1) return value.substr(0, value.find(':'));
  if (colons > 1) return "[" + value + "]";
  return value;
}

}  // namespace

server_names::server_names(std::vector<std::string> allowed, std::string listen,
                           std::chrono::milliseconds refresh)
    : allowed_(std::move(allowed)), listen_(std::move(listen)), refresh_(refresh), current_(read()) {
  if (refresh_.count() > 0) poller_ = std::jthread([this](const std::stop_token& stop) { poll(stop); });
}

server_names::~server_names() = default;  // The jthread asks the poller to stop and joins it.

server_names::current server_names::read() const {
  current c;
  c.lan = app::lan_addresses();
  c.hostname = lower(host_name());
  c.names = {"localhost", "127.0.0.1", "[::1]"};
  for (const auto& a : c.lan) c.names.push_back(lower(a));
  if (!c.hostname.empty()) {
    c.names.push_back(normal(c.hostname));
    // avahi publishes HOST.local for the first label of the hostname.
    c.names.push_back(normal(c.hostname.substr(0, c.hostname.find('.'))) + ".local");
  }
  if (!listen_.empty() && listen_ != "0.0.0.0" && listen_ != "::") c.names.push_back(lower(as_host(listen_)));
  for (const auto& a : allowed_) c.names.push_back(normal(as_host(a)));
  std::sort(c.names.begin(), c.names.end());
  c.names.erase(std::unique(c.names.begin(), c.names.end()), c.names.end());
  return c;
}

void server_names::refresh() {
  auto fresh = read();
  std::unique_lock lock(mutex_);
  if (fresh.names == current_.names) return;
  std::string list;
  for (const auto& n : fresh.names) list += (list.empty() ? "" : " ") + n;
  current_ = std::move(fresh);
  lock.unlock();
  spdlog::info("the server's names are now: {}", list);
}

void server_names::poll(const std::stop_token& stop) {
  std::unique_lock lock(wake_mutex_);
  for (;;) {
    // Returns at the interval, or at once when the destructor asks the thread to stop.
    wake_.wait_for(lock, stop, refresh_, [] { return false; });
    if (stop.stop_requested()) return;
    lock.unlock();
    try {
      refresh();
    } catch (const std::exception& e) {
      spdlog::warn("reading the server's names failed: {}", e.what());
    }
    lock.lock();
  }
}

bool server_names::contains(std::string_view host) const {
  const auto name = normal(host);
  std::shared_lock lock(mutex_);
  return std::binary_search(current_.names.begin(), current_.names.end(), name);
}

std::vector<std::string> server_names::names() const {
  std::shared_lock lock(mutex_);
  return current_.names;
}

std::vector<std::string> server_names::lan_addresses() const {
  std::shared_lock lock(mutex_);
  return current_.lan;
}

std::string server_names::hostname() const {
  std::shared_lock lock(mutex_);
  return current_.hostname;
}

std::string server_names::mdns_name() const {
  std::shared_lock lock(mutex_);
  return current_.hostname.empty() ? std::string()
                                   : current_.hostname.substr(0, current_.hostname.find('.')) + ".local";
}

}  // namespace message::app
