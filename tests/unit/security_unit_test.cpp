// Unit tests of the abuse defenses that need no socket: token buckets, the per-connection
// rate and flood meter, the per-address table, and the access key (docs/security.md).
#include <gtest/gtest.h>

#include "core/connection_rate.hpp"
#include "core/token_bucket.hpp"
#include "transport/access_key.hpp"
#include "transport/address_table.hpp"
#include "transport/http_routes.hpp"

namespace message {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

TEST(TokenBucket, SpendsTheBurstThenRefillsAtTheRate) {
  const auto t0 = clock_type::now();
  core::token_bucket b(10, 5, t0);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(b.take(1, t0));
  EXPECT_FALSE(b.take(1, t0));
  EXPECT_TRUE(b.take(1, t0 + 100ms));  // 10/s: one token per 100 ms.
  EXPECT_FALSE(b.take(1, t0 + 100ms));
  EXPECT_TRUE(b.full(t0 + 10s));
  EXPECT_TRUE(b.take(100, t0 + 10s)) << "a cost above the burst passes on a full bucket";
  EXPECT_FALSE(b.take(1, t0 + 10s));
}

TEST(ConnectionRate, LimitsThenDetectsASustainedFlood) {
  core::limits l;
  const auto t0 = clock_type::now();
  core::connection_rate r(l, t0);
  int accepted = 0, limited = 0;
  for (int i = 0; i < 60; ++i) {
    const auto v = r.on_frame(100, t0);
    accepted += v == core::connection_rate::verdict::accept;
    limited += v == core::connection_rate::verdict::limited;
  }
  EXPECT_EQ(accepted, 40);  // The burst.
  EXPECT_EQ(limited, 20);
  // 10x the rate, second after second: the third over-rate second is a flood.
  bool flood = false;
  int second = 1;
  for (; second <= 5 && !flood; ++second) {
    for (int i = 0; i < 200 && !flood; ++i)
      flood = r.on_frame(100, t0 + std::chrono::seconds(second) + std::chrono::milliseconds(i * 4)) ==
              core::connection_rate::verdict::flood;
  }
  EXPECT_TRUE(flood);
  EXPECT_LE(second - 1, 3);
}

TEST(ConnectionRate, AFastTypistIsNeverLimitedNorABurstAFlood) {
  core::limits l;
  const auto t0 = clock_type::now();
  core::connection_rate r(l, t0);
  for (int i = 0; i < 600; ++i)  // 5 messages a second for two minutes.
    EXPECT_EQ(r.on_frame(4000, t0 + std::chrono::milliseconds(200 * i)),
              core::connection_rate::verdict::accept);
  // One over-rate second between calm ones is no flood.
  core::connection_rate s(l, t0);
  for (int round = 0; round < 5; ++round) {
    const auto base = t0 + std::chrono::seconds(3 * round);
    for (int i = 0; i < 150; ++i)
      EXPECT_NE(s.on_frame(10, base + std::chrono::milliseconds(i)), core::connection_rate::verdict::flood);
  }
}

TEST(ConnectionRate, OffWithNoRateLimit) {
  core::limits l;
  l.rate_limit = false;
  const auto t0 = clock_type::now();
  core::connection_rate r(l, t0);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(r.on_frame(60000, t0), core::connection_rate::verdict::accept);
}

TEST(AddressTable, CapsConnectionsPerAddressAndInAll) {
  core::limits l;
  l.max_connections_per_address = 3;
  l.max_connections = 5;
  transport::address_table t(l);
  const auto a = transport::net::ip::make_address("10.0.0.1");
  const auto b = transport::net::ip::make_address("10.0.0.2");
  std::vector<transport::connection_slot> slots;
  for (int i = 0; i < 3; ++i) {
    std::optional<transport::connection_slot> s;
    ASSERT_EQ(t.admit(a, s), transport::address_table::refusal::none);
    slots.push_back(std::move(*s));
  }
  std::optional<transport::connection_slot> s;
  EXPECT_EQ(t.admit(a, s), transport::address_table::refusal::address_full);
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(t.admit(b, s), transport::address_table::refusal::none);
    slots.push_back(std::move(*s));
    s.reset();
  }
  EXPECT_EQ(t.admit(b, s), transport::address_table::refusal::server_full);
  EXPECT_EQ(t.connections(), 5u);
  slots.clear();
  EXPECT_EQ(t.connections(), 0u);
  EXPECT_EQ(t.admit(a, s), transport::address_table::refusal::none);
}

TEST(AddressTable, V4AndV4MappedV6AreOneAddress) {
  EXPECT_EQ(transport::address_table::key_of(transport::net::ip::make_address("192.168.1.2")),
            transport::address_table::key_of(transport::net::ip::make_address("::ffff:192.168.1.2")));
}

TEST(AddressTable, StaysBoundedAndForgetsIdleAddressesFirst) {
  core::limits l;
  l.max_tracked_addresses = 256;
  transport::address_table t(l);
  std::optional<transport::connection_slot> keep;
  ASSERT_EQ(t.admit(transport::net::ip::make_address("10.9.9.9"), keep),
            transport::address_table::refusal::none);
  for (unsigned i = 0; i < 100000; ++i) {
    const auto addr = transport::net::ip::make_address_v4(0x0a000000u + i + 1);
    EXPECT_TRUE(t.allow_frame(transport::address_table::key_of(addr), 10, clock_type::now()));
  }
  EXPECT_LE(t.tracked(), 256u + 16u);
  EXPECT_EQ(t.connections(), 1u);
}

TEST(AddressTable, WrongKeysBlockWithAGrowingWait) {
  core::limits l;
  transport::address_table t(l);
  const auto key = transport::address_table::key_of(transport::net::ip::make_address("10.0.0.7"));
  const auto t0 = clock_type::now();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(t.key_wait(key, t0), clock_type::duration::zero());
    t.key_failed(key, t0);
  }
  EXPECT_EQ(t.key_wait(key, t0), clock_type::duration::zero()) << "a fifth guess is allowed";
  t.key_failed(key, t0);
  const auto first = t.key_wait(key, t0);
  EXPECT_GT(first, clock_type::duration::zero()) << "five wrong guesses, then a wait: not a sixth";
  EXPECT_GT(first, clock_type::duration::zero());
  t.key_failed(key, t0 + first);
  EXPECT_GT(t.key_wait(key, t0 + first), first) << "the wait grows";
  t.key_succeeded(key);
  EXPECT_EQ(t.key_wait(key, t0 + first), clock_type::duration::zero());
}

TEST(AccessKey, ComparesTheSecretAndReadsItFromRequests) {
  const transport::access_key none;
  EXPECT_FALSE(none.required());
  const transport::access_key k("s3cret ü");
  EXPECT_TRUE(k.required());
  EXPECT_TRUE(k.matches("s3cret ü"));
  EXPECT_FALSE(k.matches("s3cret"));
  EXPECT_FALSE(k.matches(""));
  EXPECT_EQ(transport::key_from_authorization("Bearer s3cret"), "s3cret");
  EXPECT_EQ(transport::key_from_authorization("bearer  s3cret "), "s3cret");
  EXPECT_FALSE(transport::key_from_authorization("Basic czNjcmV0"));
  EXPECT_EQ(transport::key_from_protocols("message.v1, key.czNjcmV0IMO8"), "s3cret ü");
  EXPECT_FALSE(transport::key_from_protocols("message.v1"));
  EXPECT_TRUE(transport::protocols_contain("key.abc , message.v1", "message.v1"));
  EXPECT_FALSE(transport::protocols_contain("message.v10", "message.v1"));
  EXPECT_FALSE(transport::base64url_decode("a"));
  EXPECT_FALSE(transport::base64url_decode("a*bc"));
  EXPECT_EQ(transport::base64url_decode("_-8"), transport::base64url_decode("/+8="));
}

TEST(AccessKey, RoutesAnswer401WithoutItAndServeThePageAnyway) {
  transport::http_context ctx{{}, {}, transport::access_key("k"), {}};
  auto get = [](std::string target, std::string auth = {}) {
    transport::request req{transport::http::verb::get, target, 11};
    req.set(transport::http::field::host, "localhost:8000");
    if (!auth.empty()) req.set(transport::http::field::authorization, auth);
    return req;
  };
  EXPECT_EQ(transport::route(get("/auth"), ctx).result(), transport::http::status::unauthorized);
  EXPECT_EQ(transport::route(get("/auth", "Bearer nope"), ctx).result(),
            transport::http::status::unauthorized);
  EXPECT_EQ(transport::route(get("/auth", "Bearer k"), ctx).result(), transport::http::status::ok);
  EXPECT_EQ(transport::route(get("/healthz"), ctx).result(), transport::http::status::ok);
  EXPECT_EQ(transport::route(get("/nothing-here"), ctx).result(), transport::http::status::unauthorized);
  EXPECT_FALSE(transport::needs_key(get("/"), ctx));
  EXPECT_TRUE(transport::needs_key(get("/ws"), ctx));
  const transport::http_context open{};
  EXPECT_EQ(transport::route(get("/auth"), open).body(), R"({"key_required":false})");
}

}  // namespace
}  // namespace message
