#include "transport/http_routes.hpp"

#include "transport/html_escape.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

#include "common/limits.hpp"
#include "common/link_code.hpp"
#include "transport/identity_token.hpp"
#include "transport/web_assets.hpp"

namespace message::transport {

const web_asset* find_web_asset(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const auto& a : web_assets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// The Host header if it is a plain host[:port]; empty otherwise (it goes into the CSP).
std::string safe_host(std::string_view host) {
  for (const char c : host) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
                    c == '[' || c == ']' || c == '_';
    if (!ok) return {};
  }
  return std::string(host);
}

/// The longest Host header an invite is drawn for: a DNS name (253) with a port.
constexpr std::size_t max_invite_host = 260;

response invite_response(const request& req, const http_context& ctx) {
  const std::string host = safe_host(req[http::field::host]);
  if (host.empty() || host.size() > max_invite_host)
    return error_response(req, http::status::bad_request, "the Host header cannot be put in a link");
  // route() has already checked a required key or a session cookie. The server keeps only
  // the key's digest: it draws the key only when this request presented it, and with the
  // cookie alone the link without it (whoever scans it is asked for the key).
  std::string key;
  if (ctx.key.required()) {
    if (auto presented = presented_key(req); presented && ctx.key.matches(*presented))
      key = std::move(*presented);
  }
  // A device link code's QR (docs/protocol.md, "Device linking"): only a well-formed code is
  // drawn; the code alone is no secret worth keeping from this (keyed) request.
  std::string link;
  if (auto url = boost::urls::parse_origin_form(req.target())) {
    if (auto it = url->params().find("link"); it != url->params().end() && (*it).has_value)
      link = core::normalize_link_code((*it).value, core::limits{}.link_code_chars);
  }
  std::string svg = link.empty() ? ctx.invite_svg(host, key, {}) : ctx.invite_svg(host, {}, link);
  if (svg.empty())
    return error_response(req, http::status::internal_server_error, "the invite cannot be drawn");
  auto res = error_response(req, http::status::ok, "");
  res.set(http::field::content_type, "image/svg+xml");
  res.body() = std::move(svg);
  res.prepare_payload();
  return res;
}

void common_headers(response& res) {
  res.set(http::field::server, "message");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
}

}  // namespace

response error_response(const request& req, http::status status, std::string_view text) {
  response res{status, req.version()};
  common_headers(res);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::string(text) + "\n";
  res.prepare_payload();
  return res;
}

response unauthorized_response(const request& req) {
  auto res = error_response(req, http::status::unauthorized, "this chat needs its key");
  // Bearer, not Basic: a browser must not pop up its own password dialog.
  res.set(http::field::www_authenticate, "Bearer realm=\"message\"");
  return res;
}

bool takes_session_cookie(std::string_view path) {
  // Uploads (/files/uploads...) and downloads (/files/<sha256>): what <img>, <video> and
  // download links fetch.
  return path == invite_svg_path || path == "/metrics" || path == "/export" || path.starts_with("/files/");
}

std::optional<std::string> session_of(const request& req, const http_context& ctx) {
  if (!ctx.sessions.enabled()) return std::nullopt;
  const auto value = cookie_value(req[http::field::cookie], session_cookie_name);
  if (!value) return std::nullopt;
  return ctx.sessions.verify(*value, session_cookies::clock::now());
}

bool needs_key(const request& req, const http_context& ctx) {
  if (!ctx.key.required()) return false;
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) return true;
  const std::string path = url->path();
  if (path == "/healthz") return false;
  if (websocket::is_upgrade(req)) return true;
  return find_web_asset(path) == nullptr;
}

response route(const request& req, const http_context& ctx, bool over_tls) {
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    auto res = error_response(req, http::status::method_not_allowed, "only GET is served here");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) return error_response(req, http::status::bad_request, "malformed request target");
  // Paths are matched exactly against the embedded table: nothing touches the file system,
  // so "..", encoded slashes and the like simply find nothing.
  const std::string path = url->path();
  if (needs_key(req, ctx)) {
    const auto key = presented_key(req);
    const bool by_key = key && ctx.key.matches(*key);
    if (!by_key && !(takes_session_cookie(path) && session_of(req, ctx))) return unauthorized_response(req);
  }
  if (path == auth_path) {
    const auto who = presented_identity_for_auth(req);
    if (who.state == presented_identity::kind::malformed)
      return error_response(req, http::status::bad_request,
                            "the identity token is not 22 characters of base64url");
    auto res = error_response(req, http::status::ok, "");
    if (ctx.sessions.enabled())
      res.set(http::field::set_cookie,
              ctx.sessions.set_cookie(ctx.sessions.make(who.id, session_cookies::clock::now()), over_tls));
    res.set(http::field::content_type, "application/json");
    res.body() = ctx.key.required() ? R"({"key_required":true)" : R"({"key_required":false)";
    // The fingerprint is hex and colons only (app/tls_certificate): nothing to escape.
    if (!ctx.tls_fingerprint.empty()) res.body() += R"(,"tls_fingerprint":")" + ctx.tls_fingerprint + "\"";
    res.body() += "}";
    res.prepare_payload();
    return res;
  }
  if (path == "/healthz") {
    const std::string problem = ctx.health ? ctx.health() : std::string();
    return problem.empty() ? error_response(req, http::status::ok, "ok")
                           : error_response(req, http::status::service_unavailable, problem);
  }
  if (path == invite_svg_path && ctx.invite_svg) return invite_response(req, ctx);
  if (path == "/metrics" && ctx.metrics) {
    auto res = error_response(req, http::status::ok, "");
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = ctx.metrics();
    res.prepare_payload();
    return res;
  }
  const web_asset* asset = find_web_asset(path);
  if (!asset) return error_response(req, http::status::not_found, "not found");
  std::string body(asset->bytes);
  if (asset->path == "/index.html" && !ctx.title.empty()) {
    constexpr std::string_view page_title = "<title>message</title>";
    if (const auto at = body.find(page_title); at != std::string::npos)
      body.replace(at, page_title.size(), "<title>" + html_escape(ctx.title) + "</title>");
  }
  response res{http::status::ok, req.version()};
  common_headers(res);
  res.set(http::field::content_type, asset->content_type);
  res.set(http::field::cache_control, "no-cache");
  const std::string host = safe_host(req[http::field::host]);
  std::string csp =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'";
  if (!host.empty()) csp += " ws://" + host + " wss://" + host;
  csp += "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";
  res.set("Content-Security-Policy", csp);
  res.keep_alive(req.keep_alive());
  if (req.method() == http::verb::head) {
    res.content_length(body.size());
  } else {
    res.body() = std::move(body);
    res.prepare_payload();
  }
  return res;
}

namespace {

bool is_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  unsigned value = 0;
  for (const char c : p) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

/// `host[:port]` as browsers write it in Host and Origin, lower case; nothing otherwise.
std::optional<std::string> authority(std::string_view value) {
  std::string_view host;
  std::string_view rest;
  if (!value.empty() && value.front() == '[') {
    const auto close = value.find(']');
    if (close == std::string_view::npos || close < 3) return std::nullopt;
    host = value.substr(0, close + 1);
    for (const char c : host.substr(1, host.size() - 2))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return std::nullopt;
    rest = value.substr(close + 1);
  } else {
    const auto colon = value.find(':');
    host = value.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : value.substr(colon);
    if (host.empty()) return std::nullopt;
    for (const char c : host)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
        return std::nullopt;
  }
  // Nothing after the host but one numeric port: "a:80:80" and "a:80.evil.example" are no
  // browser's doing.
  if (!rest.empty() && (rest.front() != ':' || !is_port(rest.substr(1)))) return std::nullopt;
  return lower(value);
}

}  // namespace

std::optional<std::string> host_header_name(std::string_view value) {
  auto a = authority(value);
  if (!a) return std::nullopt;
  if (a->front() == '[') return a->substr(0, a->find(']') + 1);
  return a->substr(0, a->find(':'));
}

std::optional<std::string> origin_authority(std::string_view origin) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (origin.size() > scheme.size() && lower(origin.substr(0, scheme.size())) == scheme)
      return authority(origin.substr(scheme.size()));
  }
  return std::nullopt;
}

bool host_allowed(const request& req, const http_context& ctx) {
  auto url = boost::urls::parse_origin_form(req.target());
  if (url && url->path() == "/healthz") return true;  // Reveals nothing; monitors use any name.
  const auto name = host_header_name(req[http::field::host]);
  if (!name) return false;
  return !ctx.known_host || ctx.known_host(*name);
}

bool origin_allowed(std::string_view origin, std::string_view host, const http_context& ctx) {
  if (origin.empty()) return true;
  const std::string o = lower(origin);
  for (const auto& allowed : ctx.allowed_origins) {
    if (lower(allowed) == o) return true;
  }
  const auto from = origin_authority(origin);
  return from && authority(host) == from;
}

}  // namespace message::transport
