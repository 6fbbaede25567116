#pragma once

#include <string>
#include <vector>

namespace message::app {

/// The machine's non-loopback IPv4 and IPv6 addresses, in the form a URL takes
/// ("192.168.1.20", "[fe80::1%eth0]" is skipped: link-local v6 needs a zone browsers drop).
std::vector<std::string> lan_addresses();

}  // namespace message::app
