// The /auth session cookie's value (transport/session_cookie): made and checked without a
// server, with the clock given, so that expiry is tested without waiting a week.
#include "transport/session_cookie.hpp"

#include <gtest/gtest.h>

namespace message::transport {
namespace {

using namespace std::chrono_literals;

std::array<unsigned char, 32> secret(unsigned char fill) {
  std::array<unsigned char, 32> s{};
  s.fill(fill);
  return s;
}

const auto t0 = session_cookies::clock::time_point(std::chrono::seconds(1'800'000'000));

TEST(SessionCookieValue, ItCarriesTheIdentityUntilItExpires) {
  const session_cookies cookies(secret(1), "key", 3600s);
  const auto value = cookies.make("AAAAAAAAAAAAAAAA", t0);
  EXPECT_EQ(cookies.verify(value, t0), "AAAAAAAAAAAAAAAA");
  EXPECT_EQ(cookies.verify(value, t0 + 3599s), "AAAAAAAAAAAAAAAA");
  EXPECT_FALSE(cookies.verify(value, t0 + 3600s)) << "expired";
  EXPECT_EQ(cookies.verify(cookies.make("", t0), t0), "") << "no identity";
}

TEST(SessionCookieValue, AnotherKeyOrSecretRefusesIt) {
  const session_cookies cookies(secret(1), "key", 3600s);
  const auto value = cookies.make("", t0);
  EXPECT_FALSE(session_cookies(secret(1), "other key", 3600s).verify(value, t0));
  EXPECT_FALSE(session_cookies(secret(2), "key", 3600s).verify(value, t0));
  EXPECT_FALSE(session_cookies(secret(1), "", 3600s).verify(value, t0)) << "no key is a key too";
  EXPECT_FALSE(session_cookies().verify(value, t0)) << "disabled: accepts nothing";
}

TEST(SessionCookieValue, EveryAlteredByteIsRefused) {
  const session_cookies cookies(secret(1), "key", 3600s);
  const auto value = cookies.make("AAAAAAAAAAAAAAAA", t0);
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto changed = value;
    changed[i] = changed[i] == 'B' ? 'C' : 'B';
    EXPECT_FALSE(cookies.verify(changed, t0)) << "byte " << i << ": " << changed;
  }
  for (const std::string bad : {"", "v1", "v1...", "v2.1..", "v1.x..AAAA", "v1.-5..AAAA"})
    EXPECT_FALSE(cookies.verify(bad, t0)) << bad;
}

TEST(SessionCookieValue, TheHeaderHasTheDocumentedAttributes) {
  const session_cookies cookies(secret(1), "key", 604800s);
  EXPECT_EQ(cookies.set_cookie("v", false),
            "message_session=v; Path=/; Max-Age=604800; HttpOnly; SameSite=Strict");
  EXPECT_EQ(cookies.set_cookie("v", true),
            "message_session=v; Path=/; Max-Age=604800; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(cookie_value("a=1; message_session=xyz; b=2", "message_session"), "xyz");
  EXPECT_FALSE(cookie_value("a=1; message_sessions=xyz", "message_session"));
}

}  // namespace
}  // namespace message::transport
