// message_loadgen: plays many WebSocket chat clients against one server on
// this machine and prints one JSON line of results. See bench/README.md.

#include "options.hpp"
#include "proc_stat.hpp"
#include "worker.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace loadgen;

void sleep_until_ns(std::uint64_t at) {
  std::uint64_t const now = now_ns();
  if (at > now) std::this_thread::sleep_for(std::chrono::nanoseconds(at - now));
}

std::uint64_t seconds_ns(double s) { return static_cast<std::uint64_t>(s * 1e9); }

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(ch)));
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

struct json_line {
  std::string text = "{";
  void raw(char const* key, std::string const& v) {
    if (text.size() > 1) text += ',';
    text += json_string(key);
    text += ':';
    text += v;
  }
  void str(char const* key, std::string_view v) { raw(key, json_string(v)); }
  void num(char const* key, std::uint64_t v) { raw(key, std::to_string(v)); }
  void real(char const* key, double v, int digits = 3) {
    if (!std::isfinite(v)) {
      raw(key, "null");
      return;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    raw(key, buf);
  }
  void boolean(char const* key, bool v) { raw(key, v ? "true" : "false"); }
};

int run(options const& opt) {
  std::uint64_t const nofile = raise_open_files(opt.clients + 64);
  if (nofile < opt.clients + 16)
    std::fprintf(stderr, "message_loadgen: open-file limit %llu is below --clients %zu\n",
                 static_cast<unsigned long long>(nofile), opt.clients);

  run_plan plan;
  {
    // A run id in every message id: resending an id is idempotent on the server.
    char id[32];
    std::snprintf(id, sizeof id, "b%llu", static_cast<unsigned long long>(now_ns() % 1000000000000ull));
    plan.run_id = id;
  }
  plan.measure_start_ns = ~std::uint64_t{0};  // nothing is measured before the plan is set
  plan.measure_end_ns = ~std::uint64_t{0};

  // Server RSS in KiB; 0 when not known.
  std::uint64_t const rss_before = opt.server_pid > 0 ? process_rss_kib(opt.server_pid).value_or(0) : 0;

  std::vector<std::unique_ptr<worker>> workers;
  for (std::size_t t = 0; t < opt.threads; ++t) workers.push_back(std::make_unique<worker>(opt, plan, t));
  for (std::size_t i = 0; i < opt.clients; ++i) workers[i % opt.threads]->add_client(i);

  // Open every client.
  std::uint64_t const t_connect = now_ns();
  for (auto& w : workers) w->start();
  std::uint64_t opened = 0, failed = 0;
  for (;;) {
    opened = failed = 0;
    for (auto& w : workers) {
      opened += w->opened.load();
      failed += w->failed.load();
    }
    if (opened + failed >= opt.clients || now_ns() - t_connect > seconds_ns(opt.connect_timeout)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  double const connect_s = static_cast<double>(now_ns() - t_connect) * 1e-9;

  // Send (or hold) per the plan; measure in the window after the warm-up.
  // The plan is written before begin_sending() posts to the workers, which
  // orders it before every read on their threads.
  std::uint64_t const start = now_ns() + 20'000'000;
  plan.start_ns = start;
  plan.measure_start_ns = start + seconds_ns(opt.warmup);
  plan.measure_end_ns = plan.measure_start_ns + seconds_ns(opt.duration);
  for (auto& w : workers) w->begin_sending();

  sleep_until_ns(plan.measure_start_ns);
  auto const server_cpu0 = opt.server_pid > 0 ? process_cpu_seconds(opt.server_pid) : std::nullopt;
  double const self_cpu0 = self_cpu_seconds();
  auto const machine_cpu0 = machine_cpu_seconds();
  std::uint64_t const measure_t0 = now_ns();
  std::uint64_t rss_open = 0;
  if (opt.idle && opt.server_pid > 0) rss_open = process_rss_kib(opt.server_pid).value_or(0);
  sleep_until_ns(plan.measure_end_ns);
  auto const server_cpu1 = opt.server_pid > 0 ? process_cpu_seconds(opt.server_pid) : std::nullopt;
  double const self_cpu1 = self_cpu_seconds();
  auto const machine_cpu1 = machine_cpu_seconds();
  double const measured_s = static_cast<double>(now_ns() - measure_t0) * 1e-9;
  std::uint64_t const rss_end = opt.server_pid > 0 ? process_rss_kib(opt.server_pid).value_or(0) : 0;

  // Wait for every worker to stop sending, then for in-flight messages.
  for (int i = 0; i < 2000; ++i) {
    bool all = true;
    for (auto& w : workers) all = all && w->sending_done.load(std::memory_order_acquire);
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::uint64_t sent = 0, rejected = 0;
  for (auto& w : workers) {
    sent += w->sent.load();
    rejected += w->rejected.load();
  }
  std::uint64_t const drain_t0 = now_ns();
  std::uint64_t last_progress = drain_t0, last_received = 0;
  bool drained = false;
  for (;;) {
    std::uint64_t received = 0;
    rejected = 0;
    for (auto& w : workers) {
      received += w->received.load();
      rejected += w->rejected.load();
    }
    std::uint64_t const expected = (sent - rejected) * opened;
    std::uint64_t const now = now_ns();
    if (received != last_received) {
      last_received = received;
      last_progress = now;
    }
    drained = received >= expected;
    if (drained || now - drain_t0 > seconds_ns(opt.drain) ||
        now - last_progress > seconds_ns(std::min(opt.drain, 2.0)))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  double const drain_s = static_cast<double>(now_ns() - drain_t0) * 1e-9;

  for (auto& w : workers) w->stop();

  worker_stats total;
  std::uint64_t lost = 0, extra = 0;
  std::uint64_t const expected_each = sent - rejected;
  for (auto& w : workers) {
    auto const& s = w->stats();
    total.latency.merge(s.latency);
    total.measured += s.measured;
    total.changes_measured += s.changes_measured;
    total.received += s.received;
    total.order_violations += s.order_violations;
    total.seq_gaps += s.seq_gaps;
    total.sender_gaps += s.sender_gaps;
    total.errors += s.errors;
    total.connect_failures += s.connect_failures;
    total.dropped += s.dropped;
    total.foreign += s.foreign;
    total.frames += s.frames;
    for (auto const& [k, v] : s.error_codes) total.error_codes[k] += v;
    w->count_loss(expected_each, lost, extra);
  }

  auto const us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
  json_line j;
  j.str("scenario", opt.scenario);
  j.str("server", opt.server);
  j.str("proto", opt.proto == proto_kind::message ? "message" : "plain");
  j.str("mode", opt.idle ? "idle" : (opt.rate > 0 ? "rate" : "window"));
  j.num("clients", opt.clients);
  j.num("connected", opened);
  j.num("senders", opt.senders);
  j.num("window", opt.rate > 0 || opt.idle ? 0 : opt.window);
  j.real("rate", opt.rate, 1);
  j.num("size", opt.size);
  j.num("threads", opt.threads);
  j.real("warmup_s", opt.warmup);
  j.real("duration_s", measured_s);
  j.real("connect_s", connect_s);
  j.real("drain_s", drain_s);
  j.boolean("drained", drained);  // false: still short of every delivery when the drain time ran out
  j.num("sent", sent);
  j.num("deliveries", total.measured);
  j.real("deliveries_per_s", static_cast<double>(total.measured) / measured_s, 0);
  // Every row of the room delivered, messages and change events (S2R's reactions) alike.
  j.num("change_deliveries", total.changes_measured);
  j.real("rows_per_s", static_cast<double>(total.measured + total.changes_measured) / measured_s, 0);
  j.num("received_total", total.received);
  j.num("expected_total", expected_each * opened);
  j.real("lines_per_frame",
         total.frames > 0 ? static_cast<double>(total.received) / static_cast<double>(total.frames) : 0.0, 2);
  j.real("p50_us", us(total.latency.quantile(0.50)), 1);
  j.real("p90_us", us(total.latency.quantile(0.90)), 1);
  j.real("p99_us", us(total.latency.quantile(0.99)), 1);
  j.real("p999_us", us(total.latency.quantile(0.999)), 1);
  j.real("max_us", us(total.latency.max()), 1);
  j.num("lost", lost);
  j.real("lost_pct",
         expected_each * opened > 0
             ? 100.0 * static_cast<double>(lost) / static_cast<double>(expected_each * opened)
             : 0.0,
         2);
  j.num("duplicates", extra);
  j.num("order_violations", total.order_violations);
  j.num("seq_gaps", total.seq_gaps);
  j.num("sender_gaps", total.sender_gaps);
  j.num("dropped_clients", total.dropped);
  j.num("connect_failures", total.connect_failures);
  j.num("rejected", rejected);
  j.num("errors", total.errors);
  {
    std::string codes = "{";
    for (auto const& [k, v] : total.error_codes) {
      if (codes.size() > 1) codes += ',';
      codes += json_string(k) + ":" + std::to_string(v);
    }
    j.raw("error_codes", codes + "}");
  }
  j.real("loadgen_cpu_util", (self_cpu1 - self_cpu0) / measured_s, 3);
  double server_cpu_s = 0;  // In the measured window; 0 without --server-pid.
  if (server_cpu0 && server_cpu1) {
    server_cpu_s = *server_cpu1 - *server_cpu0;
    j.real("server_cpu_s", server_cpu_s, 3);
    j.real("server_cpu_util", server_cpu_s / measured_s, 3);
    if (total.measured > 0)
      j.real("server_cpu_ns_per_delivery", server_cpu_s * 1e9 / static_cast<double>(total.measured), 1);
  }
  if (machine_cpu0 && machine_cpu1) {
    // What neither the server nor this process used: other work on the machine (in cores).
    double const busy = (machine_cpu1->busy - machine_cpu0->busy) / measured_s;
    double const ours = (self_cpu1 - self_cpu0 + server_cpu_s) / measured_s;
    j.real("machine_busy_util", busy, 3);
    j.real("other_cpu_util", std::max(0.0, busy - ours), 3);
    j.real("steal_util", (machine_cpu1->steal - machine_cpu0->steal) / measured_s, 3);
  }
  if (rss_before > 0) j.num("server_rss_kib_before", rss_before);
  if (rss_open > 0) j.num("server_rss_kib_open", rss_open);
  if (rss_end > 0) j.num("server_rss_kib_end", rss_end);
  if (opt.idle && rss_before > 0 && rss_end > 0 && opened > 0) {
    double const delta = static_cast<double>(rss_end) - static_cast<double>(rss_before);
    j.real("server_rss_bytes_per_conn", delta * 1024.0 / static_cast<double>(opened), 0);
  }
  bool const ok = lost == 0 && extra == 0 && total.order_violations == 0 && total.dropped == 0 &&
                  total.connect_failures == 0 && total.errors == 0 && (opt.idle || total.measured > 0);
  j.boolean("ok", ok);
  std::printf("%s}\n", j.text.c_str());
  std::fflush(stdout);
  return opt.check && !ok ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_options(argc, argv));
  } catch (std::exception const& e) {
    std::fprintf(stderr, "message_loadgen: %s\n", e.what());
    return 2;
  }
}
