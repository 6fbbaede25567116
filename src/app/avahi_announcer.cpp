#include "app/avahi_announcer.hpp"

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/domain.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/thread-watch.h>

#include <memory>

namespace message::app {

namespace {
constexpr const char* service_type = "_http._tcp";
/// DNS-SD's key for the path of an `_http._tcp` service (RFC 6763, section 6.3 and the
/// registry's note on http): the page is at the root.
constexpr const char* path_txt = "path=/";
}  // namespace

avahi_announcer::avahi_announcer(std::string name, std::uint16_t port,
                                 std::function<void(const event&)> on_event)
    : name_(std::move(name)), port_(port), on_event_(std::move(on_event)) {
  if (!avahi_is_valid_service_name(name_.c_str())) {
    fail("\"" + name_ + "\" is not a valid DNS-SD service name");
    return;
  }
  poll_ = avahi_threaded_poll_new();
  if (!poll_) {
    fail("avahi could not start its thread");
    return;
  }
  int error = 0;
  // No AVAHI_CLIENT_NO_FAIL: without a daemon the answer is at once, and start-up goes on.
  client_ = avahi_client_new(
      avahi_threaded_poll_get(poll_), static_cast<AvahiClientFlags>(0),
      [](AvahiClient* c, AvahiClientState s, void* self) { on_client(c, s, self); }, this, &error);
  if (!client_) {
    fail(error == AVAHI_ERR_NO_DAEMON ? std::string("avahi-daemon is not running")
                                      : std::string("avahi: ") + avahi_strerror(error));
    return;
  }
  if (failed_) return;
  avahi_threaded_poll_start(poll_);
}

avahi_announcer::~avahi_announcer() {
  if (poll_) avahi_threaded_poll_stop(poll_);
  // Freeing the client frees its entry group, which withdraws the service.
  if (client_) avahi_client_free(client_);
  if (poll_) avahi_threaded_poll_free(poll_);
}

void avahi_announcer::fail(const std::string& reason) {
  if (failed_) return;
  failed_ = true;
  on_event_({event::kind::unavailable, name_, {}, reason});
}

void avahi_announcer::on_client(AvahiClient* client, int state, void* self) {
  auto* me = static_cast<avahi_announcer*>(self);
  switch (state) {
    case AVAHI_CLIENT_S_RUNNING:
      me->add_service(client);
      break;
    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
      // The host name itself is being (re)negotiated: withdraw until the client runs again.
      if (me->group_) avahi_entry_group_reset(me->group_);
      break;
    case AVAHI_CLIENT_FAILURE:
      me->fail(std::string("avahi: ") + avahi_strerror(avahi_client_errno(client)));
      break;
    default:
      break;
  }
}

void avahi_announcer::on_group(AvahiEntryGroup* group, int state, void* self) {
  auto* me = static_cast<avahi_announcer*>(self);
  switch (state) {
    case AVAHI_ENTRY_GROUP_ESTABLISHED: {
      const char* fqdn = avahi_client_get_host_name_fqdn(avahi_entry_group_get_client(group));
      me->on_event_({event::kind::announced, me->name_, fqdn ? fqdn : "", {}});
      break;
    }
    case AVAHI_ENTRY_GROUP_COLLISION: {
      me->rename("on the LAN");
      me->add_service(avahi_entry_group_get_client(group));
      break;
    }
    case AVAHI_ENTRY_GROUP_FAILURE:
      me->fail(std::string("avahi: ") +
               avahi_strerror(avahi_client_errno(avahi_entry_group_get_client(group))));
      break;
    default:
      break;
  }
}

void avahi_announcer::rename(const char* where) {
  // avahi's own rule: "message on vm" -> "message on vm #2" -> "message on vm #3" ...
  std::unique_ptr<char, decltype(&avahi_free)> next(avahi_alternative_service_name(name_.c_str()),
                                                    &avahi_free);
  const std::string taken = name_;
  name_ = next ? next.get() : taken + " #2";
  on_event_({event::kind::renamed, name_, {}, "\"" + taken + "\" is taken " + where});
}

void avahi_announcer::add_service(AvahiClient* client) {
  if (!group_) {
    group_ = avahi_entry_group_new(
        client, [](AvahiEntryGroup* g, AvahiEntryGroupState s, void* self) { on_group(g, s, self); }, this);
    if (!group_) {
      fail(std::string("avahi: ") + avahi_strerror(avahi_client_errno(client)));
      return;
    }
  }
  // Bounded: each collision moves to a new alternative name, and a name cannot collide with
  // itself twice in a row within one pass.
  for (int attempt = 0; attempt < 16; ++attempt) {
    avahi_entry_group_reset(group_);
    const int rc = avahi_entry_group_add_service(group_, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                 static_cast<AvahiPublishFlags>(0), name_.c_str(),
                                                 service_type, nullptr, nullptr, port_, path_txt, nullptr);
    if (rc == AVAHI_ERR_COLLISION) {
      rename("on this machine");
      continue;
    }
    if (rc < 0 || avahi_entry_group_commit(group_) < 0) {
      fail(std::string("avahi: ") + avahi_strerror(avahi_client_errno(client)));
    }
    return;
  }
  fail("avahi: no free service name after 16 tries");
}

}  // namespace message::app
