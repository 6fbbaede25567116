#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/access_key.hpp"
#include "transport/net.hpp"
#include "transport/session_cookie.hpp"

namespace message::transport {

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

/// What the HTTP side needs to know to answer. Read-only after start-up.
struct http_context {
  std::vector<std::string> allowed_origins;  ///< Besides the page's own host (--allow-origin).
  /// Answers /healthz: empty = healthy, otherwise why not (503).
  std::function<std::string()> health;
  /// --key: without it every path but the page's files and /healthz answers 401.
  access_key key;
  /// True when a Host header's host (lower case, no port) names this server
  /// (app::server_names; safe from any thread). Empty: every well-formed Host is taken.
  std::function<bool(std::string_view host)> known_host;
  /// Draws /invite.svg: the QR code of the link to `host` (the request's Host header) carrying
  /// `key` ("" = none), or with a device link code (`/invite.svg?link=CODE`) the page's
  /// address carrying `#link=CODE` instead. Empty when it cannot be drawn. Unset: /invite.svg
  /// is 404. Thread-safe.
  std::function<std::string(std::string_view host, std::string_view key, std::string_view link_code)>
      invite_svg{};
  /// The page's title (--name), HTML-escaped into index.html; empty keeps the page's own.
  std::string title{};
  /// The TLS certificate's SHA-256 fingerprint when the port also speaks TLS; /auth gives it to
  /// a page on plain http, which offers https and the fingerprint to compare.
  std::string tls_fingerprint{};
  /// Renders /metrics (Prometheus text format); unset: 404. Behind the key like the chat's data
  /// (or the /auth session cookie, for a browser).
  std::function<std::string()> metrics{};
  /// Makes the /auth session cookie and checks it on the routes that take it in place of the
  /// key (takes_session_cookie()). Disabled: /auth sets none and only the key opens them.
  session_cookies sessions{};
};

/// The invite's QR code for the address the request used (docs/protocol.md). With a key it
/// needs the key like every data path, and carries it: only people who have it get it.
inline constexpr std::string_view invite_svg_path = "/invite.svg";

/// The path where a page checks its key: 200 `{"key_required":bool}` (with
/// `"tls_fingerprint":"AB:..."` when the port also speaks TLS) when the request may use the
/// data endpoints and /ws, 401 otherwise (docs/security.md).
inline constexpr std::string_view auth_path = "/auth";

/// True for the routes that take the /auth session cookie in place of the key: those fetched
/// by `<img>` and links, which cannot send headers (/invite.svg, /metrics, /export, /files/...).
/// Never /auth (where
/// the cookie is made) nor /ws.
bool takes_session_cookie(std::string_view path);

/// The identity ("" = none) of the valid session cookie `req` carries, or nothing.
std::optional<std::string> session_of(const request& req, const http_context& ctx);

/// True when `req` must present the key: a key is set and the path is neither one of the
/// page's files nor /healthz (both reveal nothing of the chat). Pure.
bool needs_key(const request& req, const http_context& ctx);

/// Answers a plain HTTP request: the embedded page and its assets, /healthz, /auth (with its
/// session cookie, `Secure` when `over_tls`), 401 when needs_key() and neither the key nor,
/// where taken, a session cookie is valid, 404 otherwise. (The session slows guessing down per
/// address before calling this.)
/// Pure apart from calling ctx.health and reading the clock; safe from any thread. The fuzzer
/// in fuzz/ drives it.
response route(const request& req, const http_context& ctx, bool over_tls = false);

/// The host of a Host header value written as browsers write it (`host` or `host:port`, an
/// IPv6 address in brackets), lower case; nothing for anything else (empty, two ports, a port
/// followed by more host, a user part). Pure.
std::optional<std::string> host_header_name(std::string_view value);

/// The `host[:port]` of an Origin written as browsers write it (`http(s)://host[:port]`,
/// nothing after), lower case; nothing otherwise. Pure.
std::optional<std::string> origin_authority(std::string_view origin);

/// True when `req` may be answered: its Host names this server (ctx.known_host), so that a
/// page of another site cannot reach it through DNS rebinding (docs/security.md). /healthz
/// answers any name. Safe from any thread.
bool host_allowed(const request& req, const http_context& ctx);

/// True when a browser's Origin may open the WebSocket: no Origin (terminal tools), one of
/// ctx.allowed_origins, or `http(s)://` and exactly the Host header's host:port (an Origin no
/// browser sends, with two ports or more host after the port, is refused).
bool origin_allowed(std::string_view origin, std::string_view host, const http_context& ctx);

/// The 401 answer: the same for a missing and a wrong key, with nothing of the chat in it.
response unauthorized_response(const request& req);

/// A plain-text error response with the security headers.
response error_response(const request& req, http::status status, std::string_view text);

}  // namespace message::transport
