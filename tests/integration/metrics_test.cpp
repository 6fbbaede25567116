// /metrics (issue 32): the Prometheus text format, parsed here by a strict parser of our own
// (independent of prometheus-cpp, which writes it), and counters that move with a chat.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <sstream>

#include "harness.hpp"
#include "redis_server.hpp"
#include "temp_dir.hpp"

namespace message::test {
namespace {

/// One scrape: sample name + sorted labels ("name{a=\"1\"}") -> value. Fails the test on any
/// line that the text exposition format 0.0.4 does not allow.
struct scrape {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;  // family -> counter, gauge, histogram, ...
  double at(const std::string& key) const {
    auto it = samples.find(key);
    if (it == samples.end()) {
      ADD_FAILURE() << "no sample " << key;
      return NAN;
    }
    return it->second;
  }
};

std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  if (types.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const auto base = name.substr(0, name.size() - s.size());
      if (types.count(base) && types.at(base) == "histogram") return base;
    }
  }
  return {};
}

scrape parse_metrics(const std::string& text) {
  static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  static const std::regex type(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?[0-9]+)?)");
  static const std::regex label(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)\"(,|$))");
  scrape out;
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n') << "the last line must end";
  std::istringstream in(text);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (std::regex_match(line, m, help)) continue;
    if (std::regex_match(line, m, type)) {
      EXPECT_EQ(out.types.count(m[1]), 0u) << "TYPE twice: " << line;
      out.types[m[1]] = m[2];
      continue;
    }
    EXPECT_NE(line[0], '#') << "not a HELP or TYPE comment: " << line;
    if (line[0] == '#') continue;
    if (!std::regex_match(line, m, sample)) {
      ADD_FAILURE() << "not a sample line: " << line;
      continue;
    }
    const std::string name = m[1];
    const std::string family = family_of(name, out.types);
    EXPECT_FALSE(family.empty()) << "a sample before its TYPE: " << line;
    if (!family.empty() && out.types[family] == "counter") {
      EXPECT_TRUE(name.size() > 6 && name.substr(name.size() - 6) == "_total")
          << "a counter without _total: " << name;
    }
    std::map<std::string, std::string> labels;
    std::string rest = m[3];
    std::smatch l;
    while (!rest.empty()) {
      if (!std::regex_search(rest, l, label) || l.position(0) != 0) {
        ADD_FAILURE() << "bad labels: " << line;
        break;
      }
      EXPECT_EQ(labels.count(l[1]), 0u) << "label twice: " << line;
      labels[l[1]] = l[2];
      rest = l.suffix();
    }
    const std::string v = m[4];
    double value = 0;
    if (v == "+Inf") {
      value = INFINITY;
    } else if (v == "-Inf") {
      value = -INFINITY;
    } else if (v == "NaN") {
      value = NAN;
    } else {
      std::size_t used = 0;
      try {
        value = std::stod(v, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      EXPECT_EQ(used, v.size()) << "bad value: " << line;
    }
    std::string key = name;
    if (!labels.empty()) {
      key += "{";
      bool first = true;
      for (const auto& [k, val] : labels) {
        key += (first ? "" : ",") + k + "=\"" + val + "\"";
        first = false;
      }
      key += "}";
    }
    EXPECT_EQ(out.samples.count(key), 0u) << "sample twice: " << line;
    out.samples[key] = value;
  }
  return out;
}

std::string body_of(const std::string& reply) {
  const auto at = reply.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : reply.substr(at + 4);
}

TEST(Metrics, TheParserRefusesWhatTheFormatDoesNot) {
  // The parser must be able to fail, or passing it proves nothing.
  EXPECT_NONFATAL_FAILURE(parse_metrics("a_total 1\n"), "a sample before its TYPE");
  EXPECT_NONFATAL_FAILURE(parse_metrics("# TYPE a counter\na 1\n"), "a counter without _total");
  EXPECT_NONFATAL_FAILURE(parse_metrics("# TYPE a gauge\na{x=\"1\" 1\n"), "");
  EXPECT_NONFATAL_FAILURE(parse_metrics("# TYPE a gauge\na one\n"), "bad value");
}

TEST(Metrics, CountersMoveWithAChat) {
  temp_dir data;
  server_process server({"--data", data.path().string()});
  const auto [status, first_reply] = http_get(server.port(), "/metrics");
  ASSERT_EQ(status, 200) << first_reply;
  EXPECT_NE(first_reply.find("text/plain; version=0.0.4"), std::string::npos) << first_reply;
  const auto before = parse_metrics(body_of(first_reply));
  EXPECT_EQ(before.types.at("message_store_commit_seconds"), "histogram");
  EXPECT_EQ(before.at("message_build_info{version=\"" MESSAGE_TEST_VERSION "\"}"), 1);
  EXPECT_EQ(before.at("message_connections"), 0);

  ws_client alice(server.port()), bob(server.port());
  ASSERT_TRUE(alice.next_of("welcome"));
  ASSERT_TRUE(bob.next_of("welcome"));
  alice.send_message("m1", "alice", "hello");
  ASSERT_TRUE(alice.next_of("ack"));
  bob.send_message("m2", "bob", "hi");
  ASSERT_TRUE(bob.next_of("ack"));
  alice.send_message("m1", "alice", "hello");  // A resend: answered with its seq, not stored.
  ASSERT_TRUE(alice.next_of("ack"));

  const auto after = parse_metrics(body_of(http_get(server.port(), "/metrics").second));
  EXPECT_EQ(after.at("message_connections"), 2);
  EXPECT_EQ(after.at("message_messages_accepted_total") - before.at("message_messages_accepted_total"), 2);
  EXPECT_EQ(after.at("message_messages_refused_total{reason=\"duplicate\"}") -
                before.at("message_messages_refused_total{reason=\"duplicate\"}"),
            1);
  EXPECT_EQ(after.at("message_messages_refused_total{reason=\"store_failed\"}"), 0);
  // Two messages, each to both followers of the lobby.
  EXPECT_EQ(after.at("message_deliveries_total") - before.at("message_deliveries_total"), 4);
  const double commits = after.at("message_store_commit_seconds_count");
  EXPECT_GE(commits - before.at("message_store_commit_seconds_count"), 2);
  EXPECT_EQ(after.at("message_store_commit_seconds_bucket{le=\"+Inf\"}"), commits);
  EXPECT_GT(after.at("message_store_commit_seconds_sum"), 0);
  // Buckets are cumulative: none counts more than all.
  for (const auto& [key, value] : after.samples) {
    if (key.rfind("message_store_commit_seconds_bucket", 0) == 0) {
      EXPECT_LE(value, commits) << key;
    }
  }
  EXPECT_TRUE(after.samples.count("message_journal_bytes"));
}

double metric(unsigned short port, const std::string& key) {
  return parse_metrics(body_of(http_get(port, "/metrics").second)).at(key);
}

TEST(Metrics, RoomsBytesAndResumesMove) {
  temp_dir data;
  server_process server({"--data", data.path().string()});
  const auto before = parse_metrics(body_of(http_get(server.port(), "/metrics").second));
  EXPECT_EQ(before.at("message_rooms"), 0);
  EXPECT_EQ(before.at("message_send_queue_bytes"), 0);
  EXPECT_EQ(before.at("message_resumes_total{kind=\"exact\"}"), 0);
  EXPECT_EQ(before.at("message_resumes_total{kind=\"gap\"}"), 0);
  {
    ws_client alice(server.port());
    ASSERT_TRUE(alice.next_of("welcome"));
    alice.send_message("m1", "alice", "hello");
    ASSERT_TRUE(alice.next_of("ack"));
    alice.send_message("m2", "alice", "again");
    ASSERT_TRUE(alice.next_of("ack"));
    const auto during = parse_metrics(body_of(http_get(server.port(), "/metrics").second));
    EXPECT_EQ(during.at("message_rooms"), 1);
    EXPECT_GT(during.at("message_websocket_received_bytes_total"),
              before.at("message_websocket_received_bytes_total"));
    EXPECT_GT(during.at("message_websocket_sent_bytes_total"),
              before.at("message_websocket_sent_bytes_total"));
    EXPECT_EQ(during.at("message_resumes_total{kind=\"exact\"}"), 0) << "a join without since is no resume";
  }
  // A reader that comes back with since=1 resumes: message 2 is still stored, so exactly.
  ws_client back(server.port(), "/ws?since=1");
  ASSERT_TRUE(back.next_of("message"));
  const auto after = parse_metrics(body_of(http_get(server.port(), "/metrics").second));
  EXPECT_EQ(after.at("message_resumes_total{kind=\"exact\"}"), 1);
  EXPECT_EQ(after.at("message_resumes_total{kind=\"gap\"}"), 0);
  EXPECT_EQ(after.at("message_rooms"), 1) << "alice left, her room is followed by the one who came back";
}

TEST(Metrics, AResumePastWhatRetentionRemovedIsAGap) {
  temp_dir data;
  const std::vector<std::string> args{"--data", data.path().string(), "--keep-messages", "2"};
  {
    server_process first(args);
    ws_client alice(first.port());
    ASSERT_TRUE(alice.next_of("welcome"));
    for (int i = 1; i <= 5; ++i) alice.send_message("r" + std::to_string(i), "alice", "m");
    ASSERT_EQ(alice.collect("ack", 5, 10s).size(), 5u);
  }
  server_process server(args);  // Retention runs at start: seqs 4 and 5 are left.
  ws_client back(server.port(), "/ws?since=1");
  const auto m = back.next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(u64(m->at("seq")), 4u);
  EXPECT_EQ(metric(server.port(), "message_resumes_total{kind=\"gap\"}"), 1);
  EXPECT_EQ(metric(server.port(), "message_resumes_total{kind=\"exact\"}"), 0);
}

TEST(Metrics, ASlowReaderClosedWith4008IsCounted) {
  temp_dir data;
  // A reader that takes nothing for twice the ping interval is cut (4008).
  server_process server(
      {"--data", data.path().string(), "--no-rate-limit", "--max-queue-bytes", "65536", "--idle-ping", "1"});
  EXPECT_EQ(metric(server.port(), "message_server_closes_total{code=\"4008\"}"), 0);
  ws_client slow(server.port(), "/ws?name=slow");
  slow.shrink_receive_buffer(128 * 1024);  // Not below the loopback MSS: the window must be able to reopen.
  ws_client watcher(server.port(), "/ws?name=watcher");
  ws_client sender(server.port());
  ASSERT_TRUE(sender.next_of("welcome"));
  const std::string big(3000, 'b');
  bool seen_queue = false;
  int sent = 0;
  // Bounded: at most ~9 MB, far past the slow reader's socket buffers; stops once its queue shows.
  for (int chunk = 0; chunk < 300 && !seen_queue; ++chunk) {
    for (int i = 0; i < 10; ++i) sender.send_message("big-" + std::to_string(sent++), "kim", big);
    ASSERT_EQ(sender.collect("ack", 10, 20s).size(), 10u);
    ASSERT_EQ(sender.collect("message", 10, 20s).size(), 10u);
    seen_queue = metric(server.port(), "message_send_queue_bytes") > 0;
  }
  EXPECT_TRUE(seen_queue) << "the slow reader's queue showed in message_send_queue_bytes";
  // The slow reader reads nothing until the server has cut it: the watcher sees it leave.
  bool slow_left = false;
  for (int i = 0; i < 100 && !slow_left; ++i) {
    const auto leave = watcher.next_of("leave", 10s);
    ASSERT_TRUE(leave) << "the reader that never reads was not cut";
    slow_left = str(leave->at("username")) == "slow";
  }
  ASSERT_TRUE(slow_left);
  const auto code = slow.wait_closed();
  EXPECT_TRUE(code == 4008 || code == 0) << "cut as too slow (0: cut inside a frame), got " << code;
  // At least the slow reader; the sender, which reads nothing while this test waits, may be cut too.
  EXPECT_GE(metric(server.port(), "message_server_closes_total{code=\"4008\"}"), 1);
  EXPECT_EQ(metric(server.port(), "message_server_closes_total{code=\"4029\"}"), 0);
}

TEST(Metrics, TwoRedisNodesShowTheirLinksAndTheLagOfWhatCameThroughRedis) {
  if (!redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
  redis_server redis;
  temp_dir a_dir, b_dir;
  server_process a({"--data", a_dir.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  server_process b({"--data", b_dir.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  const auto before = parse_metrics(body_of(http_get(b.port(), "/metrics").second));
  EXPECT_EQ(before.types.at("message_redis_lag_seconds"), "histogram");
  EXPECT_EQ(before.at("message_redis_lag_seconds_count"), 0);
  for (const char* link : {"store", "subscriber", "publisher"})
    EXPECT_EQ(before.at(std::string("message_redis_link_up{link=\"") + link + "\"}"), 1) << link;

  ws_client kim(a.port(), "/ws?name=kim");
  ws_client lee(b.port(), "/ws?name=lee");
  ASSERT_TRUE(kim.next_of("welcome"));
  ASSERT_TRUE(lee.next_of("welcome"));
  for (int i = 0; i < 5; ++i) kim.send_message("lag-" + std::to_string(i), "kim", "across nodes");
  ASSERT_EQ(lee.collect("message", 5, 10s).size(), 5u) << "node B delivered what node A accepted";

  // Node B counted the five that came to it through Redis, each in one bucket.
  const auto after = parse_metrics(body_of(http_get(b.port(), "/metrics").second));
  EXPECT_EQ(after.at("message_redis_lag_seconds_count"), 5);
  EXPECT_EQ(after.at("message_redis_lag_seconds_bucket{le=\"+Inf\"}"), 5);
  EXPECT_GE(after.at("message_redis_lag_seconds_sum"), 0);
  EXPECT_EQ(after.at("message_redis_up"), 1);
}

TEST(Metrics, NeedTheKeyWhenOneIsSet) {
  temp_dir data;
  const std::string key = "metrics-key";
  server_process server({"--data", data.path().string(), "--key", key});
  const auto [status, reply] = http_get(server.port(), "/metrics");
  EXPECT_EQ(status, 401);
  EXPECT_EQ(reply.find("message_"), std::string::npos) << reply;
  EXPECT_EQ(http_get(server.port(), "/metrics", {{"Authorization", "Bearer wrong"}}).first, 401);
  const auto [ok, body] = http_get(server.port(), "/metrics", {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(ok, 200);
  EXPECT_NE(body.find("message_connections"), std::string::npos);
}

}  // namespace
}  // namespace message::test
