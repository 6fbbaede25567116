#include "transport/http_routes.hpp"

#include <gtest/gtest.h>

namespace message::transport {
namespace {

request get(std::string target, std::string host = "192.168.1.5:8000") {
  request req{http::verb::get, target, 11};
  req.set(http::field::host, host);
  return req;
}

TEST(HttpRoutes, ServesThePageWithSecurityHeaders) {
  http_context ctx;
  auto res = route(get("/"), ctx);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  const std::string csp(res["Content-Security-Policy"]);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("ws://192.168.1.5:8000"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
}

TEST(HttpRoutes, HealthAndNotFound) {
  http_context ctx;
  EXPECT_EQ(route(get("/healthz"), ctx).result(), http::status::ok);
  EXPECT_EQ(route(get("/nope"), ctx).result(), http::status::not_found);
  EXPECT_EQ(route(get("/../etc/passwd"), ctx).result(), http::status::not_found);
  EXPECT_EQ(route(get("/%2e%2e/etc/passwd"), ctx).result(), http::status::not_found);
  ctx.health = [] { return std::string("redis unreachable"); };
  EXPECT_EQ(route(get("/healthz"), ctx).result(), http::status::service_unavailable);
}

TEST(HttpRoutes, HostileHostHeaderStaysOutOfTheCsp) {
  http_context ctx;
  auto res = route(get("/", "evil; script-src *"), ctx);
  EXPECT_EQ(std::string(res["Content-Security-Policy"]).find("evil"), std::string::npos);
}

TEST(HttpRoutes, OnlyGet) {
  http_context ctx;
  request req{http::verb::post, "/", 11};
  EXPECT_EQ(route(req, ctx).result(), http::status::method_not_allowed);
}

TEST(HttpRoutes, OriginCheck) {
  http_context ctx;
  EXPECT_TRUE(origin_allowed("", "host:8000", ctx)) << "terminal tools send no Origin";
  EXPECT_TRUE(origin_allowed("http://host:8000", "host:8000", ctx));
  EXPECT_TRUE(origin_allowed("http://HOST:8000", "host:8000", ctx));
  EXPECT_FALSE(origin_allowed("http://evil.example", "host:8000", ctx));
  EXPECT_FALSE(origin_allowed("http://host:9000", "host:8000", ctx));
  EXPECT_FALSE(origin_allowed("null", "host:8000", ctx));
  ctx.allowed_origins = {"http://chat.example:8000"};
  EXPECT_TRUE(origin_allowed("http://chat.example:8000", "host:8000", ctx));
  // Origins no browser sends, even when they start like the Host.
  EXPECT_FALSE(origin_allowed("http://host:8000.evil.example", "host:8000.evil.example", ctx));
  EXPECT_FALSE(origin_allowed("http://host:8000:8000", "host:8000:8000", ctx));
  EXPECT_FALSE(origin_allowed("http://user@host:8000", "host:8000", ctx));
  EXPECT_FALSE(origin_allowed("http://host:8000/", "host:8000", ctx));
  EXPECT_FALSE(origin_allowed("ftp://host:8000", "host:8000", ctx));
  EXPECT_TRUE(origin_allowed("https://[fd00::1]:8000", "[FD00::1]:8000", ctx));
}

TEST(HttpRoutes, HostHeaderNames) {
  EXPECT_EQ(host_header_name("Chat.Example:8000"), "chat.example");
  EXPECT_EQ(host_header_name("192.168.1.5"), "192.168.1.5");
  EXPECT_EQ(host_header_name("[::1]:8000"), "[::1]");
  for (const char* bad :
       {"", ":8000", "host:8000:8000", "host:8000.evil", "user@host", "host:99999", "[::1", "ho st", "host:"})
    EXPECT_FALSE(host_header_name(bad)) << bad;
}

TEST(HttpRoutes, HostCheck) {
  http_context ctx;
  ctx.known_host = [](std::string_view host) { return host == "192.168.1.5" || host == "localhost"; };
  EXPECT_TRUE(host_allowed(get("/"), ctx));
  EXPECT_TRUE(host_allowed(get("/ws", "LOCALHOST:8000"), ctx));
  EXPECT_FALSE(host_allowed(get("/", "evil.example:8000"), ctx)) << "DNS rebinding";
  EXPECT_FALSE(host_allowed(get("/", ""), ctx)) << "no Host";
  EXPECT_TRUE(host_allowed(get("/healthz", "evil.example"), ctx)) << "monitors use any name";
}

}  // namespace
}  // namespace message::transport

namespace message::transport {
namespace {

http_context with_invite(std::string key = {}) {
  http_context ctx;
  ctx.key = access_key(key);
  ctx.invite_svg = [](std::string_view host, std::string_view presented, std::string_view link) {
    return "<svg>" + std::string(host) + "|" + std::string(presented) +
           (link.empty() ? "" : "|" + std::string(link)) + "</svg>";
  };
  return ctx;
}

TEST(HttpRoutes, InviteSvgIsForTheAddressTheRequestUsed) {
  const auto ctx = with_invite();
  auto res = route(get("/invite.svg", "vm.local:8000"), ctx);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "image/svg+xml");
  EXPECT_EQ(res.body(), "<svg>vm.local:8000|</svg>");
  EXPECT_EQ(route(get("/invite.svg", "evil\"<x>"), ctx).result(), http::status::bad_request);
  EXPECT_EQ(route(get("/invite.svg", std::string(300, 'a')), ctx).result(), http::status::bad_request);
  EXPECT_EQ(route(get("/invite.svg"), http_context{}).result(), http::status::not_found)
      << "no drawer: no route";
}

TEST(HttpRoutes, InviteSvgCarriesTheKeyOnlyForRequestsThatPresentIt) {
  const auto ctx = with_invite("open sesame");
  EXPECT_EQ(route(get("/invite.svg"), ctx).result(), http::status::unauthorized);
  auto wrong = get("/invite.svg");
  wrong.set(http::field::authorization, "Bearer guess");
  EXPECT_EQ(route(wrong, ctx).result(), http::status::unauthorized);
  auto right = get("/invite.svg");
  right.set(http::field::authorization, "Bearer open sesame");
  const auto res = route(right, ctx);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "<svg>192.168.1.5:8000|open sesame</svg>");
  EXPECT_EQ(res[http::field::cache_control], "no-store");
}

TEST(HttpRoutes, InviteSvgDrawsADeviceLinkCodeWithoutTheKey) {
  const auto ctx = with_invite("open sesame");
  EXPECT_EQ(route(get("/invite.svg?link=ABCD2345"), ctx).result(), http::status::unauthorized)
      << "the key is needed as for the invite";
  auto right = get("/invite.svg?link=abcd-2345");
  right.set(http::field::authorization, "Bearer open sesame");
  EXPECT_EQ(route(right, ctx).body(), "<svg>192.168.1.5:8000||ABCD2345</svg>") << "the code, not the key";
  auto bad = get("/invite.svg?link=0000");
  bad.set(http::field::authorization, "Bearer open sesame");
  EXPECT_EQ(route(bad, ctx).body(), "<svg>192.168.1.5:8000|open sesame</svg>") << "no code: the invite";
}

TEST(HttpRoutes, TheNameIsThePageTitleEscaped) {
  http_context ctx;
  ctx.title = "Kitchen <chat> & \"more\"";
  const auto res = route(get("/"), ctx);
  EXPECT_NE(res.body().find("<title>Kitchen &lt;chat&gt; &amp; &quot;more&quot;</title>"), std::string::npos);
  EXPECT_EQ(res.body().find("<title>message</title>"), std::string::npos);
  auto head = get("/");
  head.method(http::verb::head);
  EXPECT_EQ(route(head, ctx)[http::field::content_length], std::to_string(res.body().size()));
}

}  // namespace
}  // namespace message::transport
