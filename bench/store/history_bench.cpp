// What a `history` answer of 200 messages costs on SQLite when one of them was edited 50 times
// and reacted to by 100 people, against the same page where that message has one reaction
// (issue 30: the answer holds folded state, counts and a few names, never the event log).
// Prints one JSON line: microseconds per read_before of each page, best of several rounds
// (alternating between the two pages).
//
//   message_history_bench [--reads N] [--rounds R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "store/sqlite_message_store.hpp"

using namespace message;

namespace {

core::new_message row(const std::string& room, const std::string& id, const std::string& text,
                      const std::string& device) {
  return {room, id, "user-" + device, text, device, 1700000000000};
}

/// 100 messages, the changes to message 100, 100 more messages: the changes lie inside the page.
void fill(store::sequencing_store& s, const std::string& room, int edits, int reactions) {
  const std::string text(100, 'x');
  std::vector<core::new_message> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(row(room, fmt::format("a{}", i), text, "AUTHORidentity01"));
  s.commit_group(batch);
  for (int i = 0; i < edits; ++i) {
    auto e = row(room, fmt::format("e{}", i), fmt::format("{} edit {}", text, i), "AUTHORidentity01");
    e.kind = core::event_kind::edit;
    e.target = 100;
    s.commit_group({e});
  }
  for (int i = 0; i < reactions; ++i) {
    auto r = row(room, fmt::format("r{}", i), "👍", fmt::format("REACTOR{:09d}", i));
    r.kind = core::event_kind::react;
    r.target = 100;
    s.commit_group({r});
  }
  batch.clear();
  for (int i = 0; i < 100; ++i) batch.push_back(row(room, fmt::format("b{}", i), text, "AUTHORidentity01"));
  s.commit_group(batch);
}

/// Best of `rounds` of `reads` reads: microseconds per read.
double time_reads(store::sequencing_store& s, const std::string& room, int reads, int rounds) {
  double best = 1e18;
  for (int r = 0; r < rounds; ++r) {
    const auto began = std::chrono::steady_clock::now();
    std::size_t seen = 0;
    for (int i = 0; i < reads; ++i)
      seen += s.read_before(room, std::nullopt, 200, "REACTOR000000050").messages.size();
    const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - began;
    if (seen != static_cast<std::size_t>(reads) * 200)
      throw std::runtime_error("a page was not 200 messages");
    best = std::min(best, took.count() / reads);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int reads = 500, rounds = 5;
  CLI::App app{"history read cost with a busy message"};
  app.add_option("--reads", reads)->check(CLI::Range(1, 100000));
  app.add_option("--rounds", rounds)->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("history-bench-{}", std::random_device{}());
  std::filesystem::create_directories(dir);
  double quiet = 0, busy = 0;
  {
    store::sqlite_message_store s(dir / "messages.db", store::durability::process);
    fill(s, "quiet", 0, 1);
    fill(s, "busy", 50, 100);
    s.do_deferred_work();
    time_reads(s, "quiet", reads, 1);  // Warm the cache and the prepared statements.
    time_reads(s, "busy", reads, 1);
    // Rounds alternate, so that a neighbour's load on the shared machine falls on both alike.
    quiet = busy = 1e18;
    for (int r = 0; r < rounds; ++r) {
      quiet = std::min(quiet, time_reads(s, "quiet", reads, 1));
      busy = std::min(busy, time_reads(s, "busy", reads, 1));
    }
  }
  std::filesystem::remove_all(dir);
  std::printf(
      "{\"bench\":\"history_200\",\"store\":\"sqlite\",\"one_reaction_us\":%.1f,"
      "\"edits50_reactions100_us\":%.1f,\"ratio\":%.3f}\n",
      quiet, busy, busy / quiet);
  return 0;
}
