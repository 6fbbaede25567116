// The /auth session cookie (docs/protocol.md, "Resources by URL"): after the key check, /auth
// sets an HttpOnly, SameSite=Strict cookie that /invite.svg and /metrics take in place of the
// key, which `<img>` and links cannot send. An altered cookie, or one made before the key
// changed, is refused; without a key everything works as before.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

#include "harness.hpp"

namespace message::test {
namespace {

const std::string key_a = "first key \xC3\xBC";
const std::string key_b = "second key";

/// The Set-Cookie line of an HTTP response (headers as text), or "".
std::string set_cookie_of(const std::string& response) {
  std::smatch m;
  static const std::regex line(R"((?:^|\r\n)[Ss]et-[Cc]ookie: ([^\r\n]*))");
  return std::regex_search(response, m, line) ? m[1].str() : std::string();
}

/// The `name=value` pair a Set-Cookie line sets (what a browser sends back in Cookie).
std::string cookie_pair(const std::string& set_cookie) { return set_cookie.substr(0, set_cookie.find(';')); }

class SessionCookie : public ::testing::Test {
 protected:
  temp_dir data;
  std::unique_ptr<server_process> server;
  void start(const std::string& key) {
    std::vector<std::string> args{"--data", data.path().string()};
    if (!key.empty()) args.insert(args.end(), {"--key", key});
    server = std::make_unique<server_process>(args);
  }
  /// What /auth sets for a request presenting `key` (and the identity token `token`).
  std::string auth_cookie(const std::string& key, const std::string& token = {}) {
    std::string authorization = token.empty() ? "" : "Identity " + token;
    if (!key.empty()) authorization += (authorization.empty() ? "" : ", ") + ("Bearer " + key);
    std::map<std::string, std::string> headers;
    if (!authorization.empty()) headers["Authorization"] = authorization;
    const auto [status, response] = http_get(server->port(), "/auth", headers);
    EXPECT_EQ(status, 200) << response;
    return set_cookie_of(response);
  }
  int get_with_cookie(const std::string& target, const std::string& pair) {
    return http_get(server->port(), target, {{"Cookie", pair}}).first;
  }
};

TEST_F(SessionCookie, AuthSetsAnHttpOnlySameSiteStrictCookieThatOpensTheInviteWithoutTheKey) {
  start(key_a);
  const std::string cookie = auth_cookie(key_a);
  ASSERT_FALSE(cookie.empty()) << "/auth sets a cookie after the key check";
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Max-Age="), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain http: no Secure; " << cookie;
  EXPECT_EQ(cookie.find(key_a), std::string::npos) << "the key is never in the cookie";

  EXPECT_EQ(http_get(server->port(), "/invite.svg").first, 401);
  const auto [status, response] = http_get(server->port(), "/invite.svg", {{"Cookie", cookie_pair(cookie)}});
  EXPECT_EQ(status, 200) << response;
  EXPECT_NE(response.find("image/svg+xml"), std::string::npos);
  EXPECT_EQ(get_with_cookie("/invite.svg?link=ABCD2345", cookie_pair(cookie)), 200);
  EXPECT_EQ(get_with_cookie("/metrics", cookie_pair(cookie)), 200);
  // Not where the key itself is checked: /auth and /ws still need the key.
  EXPECT_EQ(get_with_cookie("/auth", cookie_pair(cookie)), 401);
}

TEST_F(SessionCookie, TheCookieCarriesTheIdentityPresentedButNeverItsToken) {
  start(key_a);
  const std::string token = identity_token('q');
  const std::string cookie = auth_cookie(key_a, token);
  ASSERT_FALSE(cookie.empty());
  EXPECT_EQ(cookie.find(token), std::string::npos) << cookie;
  EXPECT_EQ(get_with_cookie("/invite.svg", cookie_pair(cookie)), 200);
  // A malformed token is said, not taken as no identity.
  EXPECT_EQ(http_get(server->port(), "/auth", {{"Authorization", "Identity short, Bearer " + key_a}}).first,
            400);
}

TEST_F(SessionCookie, AnAlteredOrForgedCookieGets401) {
  start(key_a);
  const std::string pair = cookie_pair(auth_cookie(key_a));
  ASSERT_FALSE(pair.empty());
  // Every part changed in turn: the expiry pushed out, the identity swapped, the MAC flipped.
  const auto dot1 = pair.find('.');
  const auto dot2 = pair.find('.', dot1 + 1);
  std::string later = pair;
  later.insert(dot1 + 1, "9");
  std::string other = pair;
  other.insert(dot2 + 1, "AAAAAAAAAAAAAAAA");
  std::string flipped = pair;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  for (const auto& bad : {later, other, flipped, std::string("message_session=v1.99999999999..AAAA"),
                          std::string("message_session=")}) {
    EXPECT_EQ(get_with_cookie("/invite.svg", bad), 401) << bad;
    EXPECT_EQ(get_with_cookie("/metrics", bad), 401) << bad;
  }
  EXPECT_EQ(get_with_cookie("/invite.svg", pair), 200) << "the cookie itself still works";
}

TEST_F(SessionCookie, ACookieMadeBeforeTheKeyChangedIsRefused) {
  start(key_a);
  const std::string made_under_a = cookie_pair(auth_cookie(key_a));
  ASSERT_FALSE(made_under_a.empty());
  ASSERT_EQ(get_with_cookie("/invite.svg", made_under_a), 200);
  server->stop();
  // The same data directory (the same signing secret), but another key: replayed, refused.
  start(key_b);
  EXPECT_EQ(get_with_cookie("/invite.svg", made_under_a), 401);
  EXPECT_EQ(get_with_cookie("/metrics", made_under_a), 401);
  // The same key again after a restart: the cookie survives it (the secret is in the data dir).
  server->stop();
  start(key_a);
  EXPECT_EQ(get_with_cookie("/invite.svg", made_under_a), 200);
}

TEST_F(SessionCookie, OverTlsTheCookieIsSecure) {
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "needs curl";
  start(key_b);  // TLS is on by default: the port speaks https too.
  const std::string command = "curl -ks -D - -o /dev/null -H 'Authorization: Bearer " + key_b +
                              "' https://127.0.0.1:" + std::to_string(server->port()) + "/auth";
  std::string headers;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    while (const auto n = std::fread(buf, 1, sizeof buf, p)) headers.append(buf, n);
    ::pclose(p);
  }
  const std::string cookie = set_cookie_of(headers);
  ASSERT_FALSE(cookie.empty()) << headers;
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
}

TEST_F(SessionCookie, WithNoKeyEverythingWorksAsBefore) {
  start("");
  const auto [status, response] = http_get(server->port(), "/auth");
  EXPECT_EQ(status, 200) << response;
  EXPECT_NE(response.find(R"("key_required":false)"), std::string::npos) << response;
  EXPECT_EQ(http_get(server->port(), "/invite.svg").first, 200);
  EXPECT_EQ(http_get(server->port(), "/metrics").first, 200);
  EXPECT_EQ(get_with_cookie("/invite.svg", "message_session=garbage"), 200)
      << "no key: a cookie is not needed";
  ws_client c(server->port());
  EXPECT_TRUE(c.next_of("welcome"));
}

}  // namespace
}  // namespace message::test
