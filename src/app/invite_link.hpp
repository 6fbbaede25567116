#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace message::app {

/// `text` with every byte but RFC 3986's unreserved ones (ALPHA DIGIT - . _ ~) written %XX,
/// the same as the page's escaping of a key (web/access.js). Pure.
std::string percent_escape(std::string_view text);

/// The link that opens the chat at `host` (a URL's host: "192.168.1.20", "[fd00::2]",
/// "vm.local", optionally with ":port"): "http://192.168.1.20:8000/", and with a key
/// "http://192.168.1.20:8000/#k=<escaped key>". The key rides in the fragment, which browsers
/// never send to a server, so it stays out of logs, proxies and Referer headers. Pure.
std::string invite_url(std::string_view scheme, std::string_view host_and_port, std::string_view key);

/// "host:port" for invite_url(). Pure.
std::string host_port(std::string_view host, std::uint16_t port);

}  // namespace message::app
