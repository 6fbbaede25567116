#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/net.hpp"

namespace message::transport {

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

/// What the HTTP side needs to know to answer. Read-only after start-up.
struct http_context {
  std::vector<std::string> allowed_origins;  ///< Besides the page's own host (--allow-origin).
  /// Answers /healthz: empty = healthy, otherwise why not (503).
  std::function<std::string()> health;
};

/// Answers a plain HTTP request: the embedded page and its assets, /healthz, 404 otherwise.
/// Pure apart from calling ctx.health; safe from any thread. The fuzzer in fuzz/ drives it.
response route(const request& req, const http_context& ctx);

/// True when a browser's Origin may open the WebSocket: no Origin (terminal tools), the same
/// host:port as the Host header, or one of ctx.allowed_origins.
bool origin_allowed(std::string_view origin, std::string_view host, const http_context& ctx);

/// A plain-text error response with the security headers.
response error_response(const request& req, http::status status, std::string_view text);

}  // namespace message::transport
