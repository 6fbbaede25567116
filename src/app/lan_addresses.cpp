#include "app/lan_addresses.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstring>

#include <fmt/format.h>

namespace message::app {

std::vector<std::string> lan_addresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP)) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (i->ifa_addr->sa_family == AF_INET) {
      sockaddr_in a{};
      std::memcpy(&a, i->ifa_addr, sizeof a);
      if (inet_ntop(AF_INET, &a.sin_addr, text, sizeof text)) out.emplace_back(text);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      sockaddr_in6 a{};
      std::memcpy(&a, i->ifa_addr, sizeof a);
      if (IN6_IS_ADDR_LINKLOCAL(&a.sin6_addr)) continue;
      if (inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text)) out.push_back(fmt::format("[{}]", text));
    }
  }
  freeifaddrs(list);
  return out;
}

}  // namespace message::app
