#pragma once

#include <cstdint>
#include <functional>
#include <string>

struct AvahiThreadedPoll;
struct AvahiClient;
struct AvahiEntryGroup;

namespace message::app {

/// Announces the server on the LAN as a DNS-SD `_http._tcp` service through avahi-daemon, so
/// laptops and phones that browse for services (and people who type HOST.local) find it.
///
/// Avahi runs its own thread (AvahiThreadedPoll); `on_event` is called on it, or on the
/// constructor's thread for what is known at once (no daemon). It must be thread-safe.
/// Destroying the announcer withdraws the service and joins that thread.
class avahi_announcer {
 public:
  struct event {
    enum class kind {
      announced,    ///< The service is on the LAN as `name`; `host` is avahi's "HOST.local".
      renamed,      ///< `name` was taken on the LAN; avahi's alternative `name` is tried next.
      unavailable,  ///< No announcement (no daemon, a failure): `reason` says why.
    };
    kind what;
    std::string name;
    std::string host;
    std::string reason;
  };

  avahi_announcer(std::string name, std::uint16_t port, std::function<void(const event&)> on_event);
  ~avahi_announcer();
  avahi_announcer(const avahi_announcer&) = delete;
  avahi_announcer& operator=(const avahi_announcer&) = delete;

 private:
  static void on_client(AvahiClient* client, int state, void* self);
  static void on_group(AvahiEntryGroup* group, int state, void* self);
  void add_service(AvahiClient* client);
  /// Moves to avahi's alternative name and reports it; `where` the name was taken.
  void rename(const char* where);
  void fail(const std::string& reason);

  std::string name_;  // Changes on a collision; used on avahi's thread only after start.
  std::uint16_t port_;
  std::function<void(const event&)> on_event_;
  AvahiThreadedPoll* poll_ = nullptr;
  AvahiClient* client_ = nullptr;
  AvahiEntryGroup* group_ = nullptr;
  bool failed_ = false;  // Reported once: a failure says why, then the announcer stays quiet.
};

}  // namespace message::app
