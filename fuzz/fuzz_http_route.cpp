// libFuzzer target: raw bytes as an HTTP request, parsed by Beast with the server's header and
// body limits, then through everything the server decides on it without I/O: route() (with
// and without --key), needs_key(), the key a request presents, origin_allowed(), host_allowed().
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/url/parse.hpp>

#include "common/limits.hpp"
#include "transport/http_routes.hpp"

namespace t = message::transport;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const message::core::limits limits{};
  static const t::http_context open_ctx{
      {"http://chat.example:8000"}, [] { return std::string(); }, t::access_key(), {}};
  static const t::http_context private_ctx{{},
                                           [] { return std::string("store is down"); },
                                           t::access_key("s3cret"),
                                           [](std::string_view host) { return host == "localhost"; }};

  t::http::request_parser<t::http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  if (!parser.is_done()) {
    parser.put_eof(ec);
    if (ec) return 0;
  }
  const t::request& req = parser.get();
  for (const auto* ctx : {&open_ctx, &private_ctx}) {
    const auto res = t::route(req, *ctx);
    // Without the key, nothing but the page's files and /healthz may answer with content.
    if (ctx == &private_ctx && t::needs_key(req, *ctx) && res.result() == t::http::status::ok &&
        !t::presented_key(req))
      __builtin_trap();
    (void)t::origin_allowed(req[t::http::field::origin], req[t::http::field::host], *ctx);
    // A Host the check lets through names the server, but for /healthz.
    if (ctx == &private_ctx && t::host_allowed(req, *ctx)) {
      const auto name = t::host_header_name(req[t::http::field::host]);
      const auto url = boost::urls::parse_origin_form(req.target());
      if ((!name || *name != "localhost") && !(url && url->path() == "/healthz")) __builtin_trap();
    }
  }
  (void)t::offers_subprotocol(req);
  return 0;
}
