// Unit test of the load generator's pure parts: the frame codec, the line
// scanner, the histogram and the /proc/stat parser. Prints "N passed, N failed"
// and exits non-zero on a failure.

#include "histogram.hpp"
#include "line_scan.hpp"
#include "proc_stat.hpp"
#include "ws_frame.hpp"

#include <cstdio>
#include <string>

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, char const* what, int line) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::fprintf(stderr, "FAIL line %d: %s\n", line, what);
  }
}
#define CHECK(x) check((x), #x, __LINE__)

void test_frames() {
  using namespace loadgen::ws;
  for (std::size_t n : {std::size_t{0}, std::size_t{5}, std::size_t{125}, std::size_t{126},
                        std::size_t{65535}, std::size_t{65536}, std::size_t{70000}}) {
    std::string payload(n, 'a');
    for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string out;
    append_masked_frame(out, opcode::text, payload, 0x12345678u);
    frame_header h;
    CHECK(decode_header(out, h) == decode_result::complete_header);
    CHECK(h.fin && h.op == opcode::text && h.masked && h.payload_size == n);
    CHECK(out.size() == h.header_size + n);
    std::string un = out.substr(h.header_size);
    auto const* key = reinterpret_cast<unsigned char const*>(&h.mask);
    for (std::size_t i = 0; i < un.size(); ++i)
      un[i] = static_cast<char>(static_cast<unsigned char>(un[i]) ^ key[i & 3]);
    CHECK(un == payload);
    CHECK(decode_header(std::string_view(out).substr(0, h.header_size - 1), h) == decode_result::need_more);
  }
  // An unmasked server frame: FIN text, 3 bytes.
  std::string const server = std::string("\x81\x03", 2) + "abc";
  frame_header h;
  CHECK(decode_header(server, h) == decode_result::complete_header);
  CHECK(!h.masked && h.header_size == 2 && h.payload_size == 3);
  CHECK(decode_header(std::string("\xC1\x00", 2), h) == decode_result::bad_frame);          // RSV1
  CHECK(decode_header(std::string("\x09\x00", 2), h) == decode_result::bad_frame);          // fragmented ping
  CHECK(decode_header(std::string("\x89\x7E\x00\x80", 4), h) == decode_result::bad_frame);  // long ping
}

void test_lines() {
  using namespace loadgen;
  char stamp[64];
  std::size_t const n = write_stamp(stamp, 123456789012345ull, 7, 42);
  std::string const body(stamp, n);
  CHECK(body == "t=123456789012345;s=7;n=42;");

  // The fields view the line: keep each line alive while they are read.
  std::string line = R"({"type":"message","room":"lobby","seq":17,"id":"x","username":"u7","message":")" +
                     body + R"(xxxx","ts":1700000000000})";
  auto f = scan_line(line);
  CHECK(f.type == "message" && f.has_seq && f.seq == 17 && f.has_stamp);
  CHECK(f.sent_ns == 123456789012345ull && f.sender == 7 && f.number == 42);

  line = R"({"username":"u7","message":")" + body + R"("})";
  f = scan_line(line);
  CHECK(f.type.empty() && !f.has_seq && f.has_stamp && f.number == 42);

  line = R"({ "seq" : 3, "message" : ")" + body + R"(", "type" : "message" })";
  f = scan_line(line);
  CHECK(f.type == "message" && f.seq == 3 && f.has_stamp);

  f = scan_line(R"({"type":"welcome","room":"lobby","seq":99,"limits":{"max_message_chars":4000}})");
  CHECK(f.type == "welcome" && f.has_seq && f.seq == 99 && !f.has_stamp);

  f = scan_line(R"({"type":"error","code":"rate_limited","message":"slow down","id":"b1-0-1"})");
  CHECK(f.type == "error" && f.code == "rate_limited");

  f = scan_line(R"({"type":"message","seq":5,"username":"someone","message":"hello"})");
  CHECK(f.type == "message" && !f.has_stamp);

  f = scan_line(R"({"type":"ack","room":"lobby","id":"b1-0-1","seq":5})");
  CHECK(f.type == "ack" && !f.has_stamp);
}

void test_histogram() {
  loadgen::histogram h;
  for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v * 1000);  // 1 µs .. 100 ms
  CHECK(h.count() == 100000);
  CHECK(h.max() == 100000000);
  auto near = [](std::uint64_t got, std::uint64_t want) {
    double const r = static_cast<double>(got) / static_cast<double>(want);
    return r > 0.98 && r < 1.02;
  };
  CHECK(near(h.quantile(0.5), 50000000));
  CHECK(near(h.quantile(0.99), 99000000));
  loadgen::histogram small;
  small.record(5);
  CHECK(small.quantile(0.5) == 5);
  h.merge(small);
  CHECK(h.count() == 100001);
}

void test_machine_cpu() {
  // user nice system idle iowait irq softirq steal guest guest_nice, in ticks of 100 Hz.
  auto const m = loadgen::parse_machine_cpu("cpu  1000 20 300 9000 50 0 80 40 0 0", 100);
  CHECK(m.has_value());
  CHECK(m && m->busy > 13.99 && m->busy < 14.01);  // (1000 + 20 + 300 + 80) / 100; idle, iowait out
  CHECK(m && m->steal > 0.39 && m->steal < 0.41);
  auto const old = loadgen::parse_machine_cpu("cpu 1 2 3 4 5 6 7", 100);  // no steal column
  CHECK(old && old->steal == 0);
  CHECK(!loadgen::parse_machine_cpu("cpu0 1000 20 300 9000 50 0 80 40 0 0", 100));  // one core's line
  CHECK(!loadgen::parse_machine_cpu("cpu  12 34", 100));                            // cut short
  CHECK(loadgen::machine_cpu_seconds().has_value());  // this machine's own /proc/stat
}

}  // namespace

int main() {
  test_frames();
  test_lines();
  test_histogram();
  test_machine_cpu();
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
