// Search on a million messages (issue 29): a generated history of mixed English and Korean
// text is indexed by search/search_index exactly as the server feeds it (committed(), in
// batches like group commits), and kept by a SQLite message store beside it; then random
// one- and two-word queries (English words, English prefixes, two-character Korean words,
// one-character Korean) are timed through search(). Prints one JSON line: p50/p99 in ms, the
// index's size on disk, the messages' size on disk, and their ratio.
//
//   message_search_bench [--messages N] [--queries Q] [--dir DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "search/search_index.hpp"
#include "store/sqlite_message_store.hpp"

using namespace message;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> english = {
    "meeting",  "project",  "deadline", "coffee",  "lunch",    "release",   "server",   "database", "review",
    "budget",   "design",   "customer", "report",  "weekend",  "holiday",   "office",   "network",  "update",
    "question", "answer",   "morning",  "evening", "tomorrow", "yesterday", "schedule", "document", "feature",
    "problem",  "solution", "team",     "manager", "the",      "and",       "with",     "about",    "please",
    "thanks",   "check",    "send",     "call",    "email",    "build",     "deploy",   "test",     "bug",
    "fix",      "merge",    "branch",   "plan",    "idea",     "price",     "order",    "ticket"};
// Common Hangul syllables: words are 2-4 of them, so two-character terms hit inside words.
const std::vector<std::string> hangul = {
    "회", "의", "시", "작", "합", "니", "다", "오", "늘", "내", "일", "점", "심", "메", "뉴",
    "개", "발", "서", "버", "데", "이", "터", "베", "스", "검", "토", "예", "산", "고", "객",
    "보", "주", "말", "휴", "가", "사", "무", "실", "업", "문", "제", "해", "결", "팀", "장",
    "계", "획", "반", "갑", "습", "안", "녕", "하", "세", "요", "감", "사", "확", "인"};

std::string make_text(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> words(4, 14), kind(0, 9);
  std::string out;
  const int n = words(rng);
  const int style = kind(rng);  // 0-4 English, 5-7 Korean, 8-9 mixed
  for (int i = 0; i < n; ++i) {
    if (!out.empty()) out.push_back(' ');
    const bool korean = style >= 5 && (style <= 7 || rng() % 2 == 0);
    if (korean) {
      const int len = 2 + static_cast<int>(rng() % 3);
      for (int k = 0; k < len; ++k) out += hangul[rng() % hangul.size()];
    } else {
      out += english[rng() % english.size()];
      if (rng() % 8 == 0) out += std::to_string(rng() % 1000);
    }
  }
  return out;
}

std::uintmax_t size_of(const fs::path& base) {
  std::uintmax_t total = 0;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    const auto s = fs::file_size(base.string() + suffix, ec);
    if (!ec) total += s;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"message search benchmark"};
  std::size_t messages = 1000000, queries = 2000;
  std::string dir = "bench/out/search-bench";
  app.add_option("--messages", messages, "Messages to generate");
  app.add_option("--queries", queries, "Queries to time");
  app.add_option("--dir", dir, "Where the two databases go (emptied first)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  fs::remove_all(dir);
  fs::create_directories(dir);

  core::limits limits;
  limits.search_queue_bytes = std::size_t{1} << 40;  // The bench hands rows faster than a chat would.
  const auto index_file = fs::path(dir) / "search.sqlite";
  const auto store_file = fs::path(dir) / "messages.sqlite3";
  std::mt19937_64 rng(29);
  const auto t0 = std::chrono::steady_clock::now();
  {
    search::search_index index(index_file.string(), limits);
    store::sqlite_message_store store(store_file, store::durability::process);
    std::vector<core::new_message> batch;
    std::vector<core::chat_message> rows;
    const std::vector<std::string> rooms = {"lobby", "dev", "ops", "random", "team-kr"};
    std::vector<std::uint64_t> seqs(rooms.size(), 0);
    for (std::size_t i = 0; i < messages; ++i) {
      const std::size_t r = rng() % rooms.size();
      const std::string author = fmt::format("AUTHORidentity{:02}", rng() % 40);
      const std::int64_t ts = 1700000000000 + static_cast<std::int64_t>(i) * 1000;
      const std::string text = make_text(rng);
      batch.push_back({rooms[r], fmt::format("m{}", i), "user", text, author, ts});
      rows.push_back({rooms[r], ++seqs[r], fmt::format("m{}", i), "user", text, author, ts});
      if (batch.size() == 1000) {
        store.commit_group(batch);
        index.committed(rows);
        batch.clear();
        rows.clear();
        if (i % 100000 == 99999) index.flush();
      }
    }
    if (!batch.empty()) store.commit_group(batch), index.committed(rows);
    index.flush();
  }
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  search::search_index index(index_file.string(), limits);
  std::vector<std::string> qs;
  for (std::size_t i = 0; i < queries; ++i) {
    switch (i % 5) {
      case 0:
        qs.push_back(english[rng() % english.size()]);
        break;
      case 1:
        qs.push_back(english[rng() % english.size()] + " " + english[rng() % english.size()]);
        break;
      case 2:
        qs.push_back(english[rng() % english.size()].substr(0, 3));
        break;
      case 3:
        qs.push_back(hangul[rng() % hangul.size()] + hangul[rng() % hangul.size()]);
        break;
      default:
        qs.push_back(hangul[rng() % hangul.size()]);
    }
  }
  std::vector<double> ms;
  std::vector<std::vector<double>> by_kind(5);
  std::size_t hits = 0;
  for (std::size_t qi = 0; qi < qs.size(); ++qi) {
    const auto& q = qs[qi];
    core::search_request req;
    req.query = q;
    req.limit = 20;
    std::promise<core::search_answer> p;
    auto f = p.get_future();
    const auto s = std::chrono::steady_clock::now();
    index.search(req, [&p](core::search_answer a) { p.set_value(std::move(a)); });
    const auto a = f.get();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
    by_kind[qi % 5].push_back(ms.back());
    hits += a.hits.size();
  }
  const auto pct_of = [](std::vector<double>& v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
  };
  std::sort(ms.begin(), ms.end());  // Before ms.back() is read as the maximum.
  const auto pct = [&](double p) { return pct_of(ms, p); };
  // Per kind of query, in the order they cycle: p50/p99.
  std::string kinds;
  const char* names[] = {"word", "two_words", "prefix3", "korean2", "korean1"};
  for (std::size_t k = 0; k < by_kind.size(); ++k)
    kinds += fmt::format("{}\"{}\":[{:.2f},{:.2f}]", k ? "," : "", names[k], pct_of(by_kind[k], 0.5),
                         pct_of(by_kind[k], 0.99));
  index.stop();
  const auto index_bytes = size_of(index_file);
  const auto message_bytes = size_of(store_file);
  std::printf(
      "{\"bench\":\"search\",\"messages\":%zu,\"queries\":%zu,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%."
      "2f,"
      "\"mean_hits\":%.1f,\"index_bytes\":%ju,\"message_bytes\":%ju,\"index_to_messages\":%.2f,\"build_s\":%."
      "1f,\"p50_p99_by_kind\":{%s}}\n",
      messages, queries, pct(0.5), pct(0.99), ms.back(),
      static_cast<double>(hits) / static_cast<double>(queries), index_bytes, message_bytes,
      static_cast<double>(index_bytes) / static_cast<double>(message_bytes), build_s, kinds.c_str());
  return 0;
}
