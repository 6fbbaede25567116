// Messages persisted per second through the real store worker and the default store (SQLite
// behind its journal; --no-journal: SQLite alone, the store before the journal), with many
// concurrent senders each keeping `window` messages in flight (what the server sees when many
// people type at once). Prints one JSON line per run.
//
//   message_store_bench [--senders N] [--window W] [--seconds S] [--fsync] [--no-journal] [--size BYTES]
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "core/store_thread.hpp"
#include "store/journaled_message_store.hpp"
#include "store/sqlite_message_store.hpp"

using namespace message;

int main(int argc, char** argv) {
  int senders = 100, window = 8, seconds = 3;
  std::size_t size = 100;
  bool fsync = false, no_journal = false;
  CLI::App app{"store throughput"};
  app.add_option("--senders", senders)->check(CLI::Range(1, 10000));
  app.add_option("--window", window)->check(CLI::Range(1, 1000));
  app.add_option("--seconds", seconds)->check(CLI::Range(1, 60));
  app.add_option("--size", size)->check(CLI::Range(1, 4000));
  app.add_flag("--fsync", fsync);
  app.add_flag("--no-journal", no_journal);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("store-bench-{}", std::random_device{}());
  std::filesystem::create_directories(dir);
  core::limits limits;
  std::size_t commits = 0;
  std::atomic<std::uint64_t> done{0}, failed{0};
  {
    const auto mode = fsync ? store::durability::power : store::durability::process;
    std::unique_ptr<store::sequencing_store> store;
    if (no_journal)
      store = std::make_unique<store::sqlite_message_store>(dir / "messages.db", mode);
    else
      store = std::make_unique<store::journaled_message_store>(dir / "messages.db", dir / "messages.journal",
                                                               mode);
    core::store_thread worker(std::move(store), limits,
                              [&](std::vector<core::chat_message>&&) { ++commits; });
    const std::string text(size, 'x');
    std::mutex mu;
    std::condition_variable cv;
    std::vector<int> in_flight(static_cast<std::size_t>(senders), 0);
    std::uint64_t next_id = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::seconds(seconds);
    // One driver thread plays every sender: it refills each sender's window as acks arrive.
    std::unique_lock lock(mu);
    while (std::chrono::steady_clock::now() < end) {
      for (int s = 0; s < senders; ++s) {
        while (in_flight[static_cast<std::size_t>(s)] < window) {
          ++in_flight[static_cast<std::size_t>(s)];
          core::new_message m{
              "lobby", fmt::format("id-{}", next_id++), fmt::format("sender{}", s), text, "bench0", 0};
          lock.unlock();
          worker.append(std::move(m), [&, s](const core::append_outcome& o) {
            std::lock_guard l(mu);
            --in_flight[static_cast<std::size_t>(s)];
            (o.result ? done : failed)++;
            cv.notify_one();
          });
          lock.lock();
        }
      }
      cv.wait_for(lock, std::chrono::milliseconds(50));
    }
    lock.unlock();
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    worker.stop();
    std::printf(
        "{\"bench\":\"store\",\"store\":\"%s\",\"durability\":\"%s\",\"senders\":%d,\"window\":%d,\"size\":%"
        "zu,\"seconds\":%."
        "2f,"
        "\"persisted\":%llu,\"persisted_per_s\":%.0f,\"commits\":%zu,\"messages_per_commit\":%.1f,\"failed\":"
        "%llu}\n",
        no_journal ? "sqlite" : "journal+sqlite", fsync ? "power (--fsync)" : "process (default)", senders,
        window, size, elapsed, static_cast<unsigned long long>(done.load()),
        static_cast<double>(done.load()) / elapsed, commits,
        commits ? static_cast<double>(done.load()) / static_cast<double>(commits) : 0.0,
        static_cast<unsigned long long>(failed.load()));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
