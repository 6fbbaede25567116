// Full-text search on the wire (docs/protocol.md, "Search"), against the real binary: words in
// English, prefixes, Korean and Chinese words of one and two characters, edits and deletes kept
// in step, paging, filters, private rooms, bad queries, a database indexed at start, and two
// nodes on a real Redis. The index is fed off the commit path, so a test waits for a marker
// message sent after what it checks: once the marker is found, everything before it is indexed.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <functional>
#include <set>

#include "harness.hpp"
#include "redis_server.hpp"

namespace message::test {
namespace {

int next_search_id = 0;

/// Sends a `search` and returns its answer (the `search` frame or the `error` naming its id).
json::object ask(ws_client& c, json::object frame) {
  const std::string id = "q" + std::to_string(++next_search_id);
  frame["type"] = "search";
  frame["id"] = id;
  c.send(frame);
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < end) {
    auto f = c.next(10s);
    if (!f) break;
    const auto type = str((*f)["type"]);
    if ((type == "search" || type == "error") && f->contains("id") && str((*f)["id"]) == id) return *f;
  }
  ADD_FAILURE() << "no answer to search " << json::serialize(frame);
  return {};
}

json::object query(const std::string& q) { return json::object{{"query", q}}; }

std::vector<std::uint64_t> seqs(const json::object& answer) {
  std::vector<std::uint64_t> out;
  if (!answer.contains("results")) return out;
  for (const auto& r : answer.at("results").as_array()) out.push_back(u64(r.as_object().at("seq")));
  return out;
}

/// Asks again until an answer holds a result (the index is a moment behind the acks).
json::object found(ws_client& c, const json::object& frame, std::chrono::milliseconds limit = 10000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  json::object a;
  while (std::chrono::steady_clock::now() < end) {
    a = ask(c, frame);
    if (a.contains("results") && !a.at("results").as_array().empty()) return a;
  }
  ADD_FAILURE() << "never found: " << json::serialize(frame);
  return a;
}

/// Sends `text` and waits for its ack; returns the seq.
std::uint64_t post(ws_client& c, const std::string& id, const std::string& text, const std::string& room = {},
                   const std::string& name = "ann") {
  json::object m{{"type", "send"}, {"id", id}, {"username", name}, {"message", text}};
  if (!room.empty()) m["room"] = room;
  return send_acked(c, m);
}

/// Sends a marker and waits until the index has it: everything committed before is indexed.
void settle(ws_client& c, const std::string& room = {}) {
  static int n = 0;
  const std::string word = "zzmarker" + std::to_string(++n);
  post(c, "marker-" + word, word, room);
  auto q = query(word);
  if (!room.empty()) q["room"] = room;
  found(c, q);
}

std::string joined_snippet(const json::object& result) {
  std::string s;
  for (const auto& p : result.at("snippet").as_array()) s += p.as_string();
  return s;
}

std::vector<std::string> highlighted(const json::object& result) {
  std::vector<std::string> out;
  const auto& parts = result.at("snippet").as_array();
  for (std::size_t i = 1; i < parts.size(); i += 2) out.emplace_back(parts[i].as_string());
  return out;
}

/// Every seq `q` finds, newest first, paging through the answers.
std::vector<std::uint64_t> all_found(ws_client& c, json::object q) {
  std::vector<std::uint64_t> all;
  q["limit"] = 50;
  for (int page = 0; page < 1000; ++page) {
    auto a = ask(c, q);
    auto s = seqs(a);
    all.insert(all.end(), s.begin(), s.end());
    if (!a.contains("cursor")) break;
    q["cursor"] = a.at("cursor");
  }
  return all;
}

/// Asks until the answer is `expected` (the index catches up in the background), within `limit`.
std::vector<std::uint64_t> until_found(ws_client& c, const json::object& q,
                                       const std::vector<std::uint64_t>& expected,
                                       std::chrono::milliseconds limit = 30000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  std::vector<std::uint64_t> got;
  while (std::chrono::steady_clock::now() < end) {
    got = all_found(c, q);
    if (got == expected) break;
  }
  return got;
}

TEST(Search, FindsEnglishWordsIgnoringCaseAndAccentsWithTheWordHighlighted) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  post(*ann.ws, "m1", "The Quick brown fox visits the Café");
  post(*ann.ws, "m2", "nothing to see here");
  auto a = found(*ann.ws, query("QUICK"));
  ASSERT_EQ(seqs(a), std::vector<std::uint64_t>{1});
  const auto& r = a.at("results").as_array().at(0).as_object();
  EXPECT_EQ(str(r.at("room")), "lobby");
  EXPECT_EQ(str(r.at("username")), "ann");
  EXPECT_EQ(str(r.at("identity")), ann.id);
  EXPECT_EQ(joined_snippet(r), "The Quick brown fox visits the Café");
  EXPECT_EQ(highlighted(r), std::vector<std::string>{"Quick"});
  EXPECT_EQ(seqs(ask(*ann.ws, query("cafe"))), std::vector<std::uint64_t>{1}) << "accents are folded";
  EXPECT_EQ(seqs(ask(*ann.ws, query("fox quick"))), std::vector<std::uint64_t>{1}) << "every term, any order";
  EXPECT_TRUE(seqs(ask(*ann.ws, query("fox zebra"))).empty()) << "every term must be found";
}

TEST(Search, FindsWordsByTheirBeginning) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  post(*ann.ws, "m1", "hello everyone, the meeting starts");
  post(*ann.ws, "m2", "shell scripts");
  settle(*ann.ws);
  EXPECT_EQ(seqs(ask(*ann.ws, query("hel"))), std::vector<std::uint64_t>{1}) << "a prefix, not a substring";
  EXPECT_EQ(seqs(ask(*ann.ws, query("meet"))), std::vector<std::uint64_t>{1});
  EXPECT_EQ(seqs(ask(*ann.ws, query("h"))), std::vector<std::uint64_t>{1}) << "one letter is a prefix too";
}

TEST(Search, FindsOneAndTwoCharacterKoreanChineseAndJapaneseWords) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  post(*ann.ws, "m1", "오늘 회의를 시작합니다, 반갑습니다");
  post(*ann.ws, "m2", "我会说日本語 a little");
  post(*ann.ws, "m3", "회사 점심 메뉴");
  settle(*ann.ws);
  EXPECT_EQ(seqs(ask(*ann.ws, query("회의"))), std::vector<std::uint64_t>{1})
      << "two characters inside a word";
  EXPECT_EQ(seqs(ask(*ann.ws, query("반갑"))), std::vector<std::uint64_t>{1});
  EXPECT_EQ(seqs(ask(*ann.ws, query("시작합니다"))), std::vector<std::uint64_t>{1});
  EXPECT_EQ(seqs(ask(*ann.ws, query("本語"))), std::vector<std::uint64_t>{2});
  EXPECT_EQ(seqs(ask(*ann.ws, query("日本語"))), std::vector<std::uint64_t>{2});
  EXPECT_EQ(seqs(ask(*ann.ws, query("語"))), std::vector<std::uint64_t>{2})
      << "one character, at a run's end";
  EXPECT_EQ(seqs(ask(*ann.ws, query("회"))), (std::vector<std::uint64_t>{3, 1})) << "newest first";
  EXPECT_TRUE(seqs(ask(*ann.ws, query("의시"))).empty()) << "never across a space";
  EXPECT_TRUE(seqs(ask(*ann.ws, query("회의 점심"))).empty()) << "every term must be found";
  auto a = ask(*ann.ws, query("회의"));
  const auto& r = a.at("results").as_array().at(0).as_object();
  EXPECT_EQ(highlighted(r), std::vector<std::string>{"회의"});
}

TEST(Search, AnEditedMessageIsFoundByItsNewTextOnly) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  post(*ann.ws, "m1", "lunch at noon");
  found(*ann.ws, query("noon"));
  ann.ws->send(R"({"type":"edit","id":"e1","target":1,"message":"dinner at seven"})");
  ASSERT_TRUE(ann.ws->next_of("ack"));
  settle(*ann.ws);
  EXPECT_TRUE(seqs(ask(*ann.ws, query("noon"))).empty()) << "the old text is not found";
  auto a = ask(*ann.ws, query("seven"));
  ASSERT_EQ(seqs(a), std::vector<std::uint64_t>{1}) << "the new text is, under the message's seq";
  EXPECT_TRUE(a.at("results").as_array().at(0).as_object().contains("edited"));
}

TEST(Search, ADeletedMessageIsNeverFound) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  post(*ann.ws, "m1", "the secret password is swordfish");
  found(*ann.ws, query("swordfish"));
  ann.ws->send(R"({"type":"delete","id":"d1","target":1})");
  ASSERT_TRUE(ann.ws->next_of("ack"));
  settle(*ann.ws);
  EXPECT_TRUE(seqs(ask(*ann.ws, query("swordfish"))).empty());
  EXPECT_TRUE(seqs(ask(*ann.ws, query("secret password"))).empty());
}

TEST(Search, PagesWithACursorWithoutDuplicatesOrGaps) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  for (int i = 1; i <= 45; ++i) post(*ann.ws, "m" + std::to_string(i), "apple number " + std::to_string(i));
  settle(*ann.ws);
  std::vector<std::uint64_t> all;
  json::object q = query("apple");
  q["limit"] = 10;
  for (int page = 0; page < 10; ++page) {
    auto a = ask(*ann.ws, q);
    auto s = seqs(a);
    all.insert(all.end(), s.begin(), s.end());
    if (!a.contains("cursor")) break;
    q["cursor"] = a.at("cursor");
  }
  ASSERT_EQ(all.size(), 45u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], 45 - i) << "newest first, each once";
}

TEST(Search, TheAuthorFilterKeepsOnePersonsMessages) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  auto bob = connect_person(server.port(), 'b', "/ws?name=bob");
  post(*ann.ws, "a1", "budget review today", {}, "ann");
  post(*bob.ws, "b1", "budget looks fine", {}, "bob");
  settle(*ann.ws);
  EXPECT_EQ(seqs(ask(*ann.ws, query("budget"))), (std::vector<std::uint64_t>{2, 1}));
  auto q = query("budget");
  q["author"] = bob.id;
  EXPECT_EQ(seqs(ask(*ann.ws, q)), std::vector<std::uint64_t>{2});
  q["author"] = ann.id;
  EXPECT_EQ(seqs(ask(*ann.ws, q)), std::vector<std::uint64_t>{1});
}

TEST(Search, PrivateRoomsAreSearchedOnlyByTheirMembersAndPublicRoomsByAnyone) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});  // No --key.
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  ann.ws->send(R"({"type":"create_room","room":"plans","private":true})");
  ASSERT_TRUE(ann.ws->next_of("room"));
  post(*ann.ws, "p1", "surprise party on friday", "plans");
  post(*ann.ws, "g1", "party in the garden", "garden");
  settle(*ann.ws, "plans");
  EXPECT_EQ(ask(*ann.ws, query("party")).at("results").as_array().size(), 2u) << "a member finds both";

  auto bob = connect_person(server.port(), 'b', "/ws?name=bob");  // Joined neither room.
  auto a = ask(*bob.ws, query("party"));
  ASSERT_EQ(a.at("results").as_array().size(), 1u) << json::serialize(a);
  EXPECT_EQ(str(a.at("results").as_array().at(0).as_object().at("room")), "garden")
      << "a public room he has not joined, as its history is open to him";
  auto in_private = query("party");
  in_private["room"] = "plans";
  auto refused = ask(*bob.ws, in_private);
  EXPECT_EQ(str(refused["type"]), "error");
  EXPECT_EQ(str(refused["code"]), "not_member");

  auto anon = connect_person(server.port(), 0);
  EXPECT_EQ(seqs(ask(*anon.ws, query("surprise"))).size(), 0u);
  EXPECT_EQ(str(ask(*anon.ws, in_private)["code"]), "not_member");
}

TEST(Search, AnEmptyQueryIsRefusedAndATenThousandCharacterOneIsTooLong) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  auto empty = ask(*ann.ws, query(""));
  EXPECT_EQ(str(empty["code"]), "missing_field");
  EXPECT_EQ(str(ask(*ann.ws, query("   "))["code"]), "missing_field");
  auto huge = ask(*ann.ws, query(std::string(10000, 'a')));
  EXPECT_EQ(str(huge["type"]), "error");
  EXPECT_EQ(str(huge["code"]), "too_long");
  EXPECT_FALSE(ann.ws->closed()) << "the connection stays";
  post(*ann.ws, "m1", "still here");
  found(*ann.ws, query("still"));
}

TEST(Search, FtsSyntaxCharactersAreSearchedAsText) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  post(*ann.ws, "m1", "she said \"hi\" and left");
  post(*ann.ws, "m2", "NEAR the lake");
  post(*ann.ws, "m3", "a well-known trick");
  post(*ann.ws, "m4", "this OR that");
  post(*ann.ws, "m5", "glob a*b matches");
  settle(*ann.ws);
  for (const char* q : {"\"", "\"hi", "*", "NEAR", "NEAR(", "-", "well-known", "OR", "AND", "NOT", "(", ")",
                        "a*b", "col:umn", "^", "{body}:", "\"\"\"", "-lake", "+"}) {
    auto a = ask(*ann.ws, query(q));
    EXPECT_EQ(str(a["type"]), "search") << q << ": " << json::serialize(a);
  }
  EXPECT_EQ(seqs(ask(*ann.ws, query("\"hi\""))), std::vector<std::uint64_t>{1});
  EXPECT_EQ(seqs(ask(*ann.ws, query("NEAR"))), std::vector<std::uint64_t>{2});
  EXPECT_EQ(seqs(ask(*ann.ws, query("well-known"))), std::vector<std::uint64_t>{3});
  EXPECT_EQ(seqs(ask(*ann.ws, query("OR"))), std::vector<std::uint64_t>{4});
  EXPECT_EQ(seqs(ask(*ann.ws, query("-lake"))), std::vector<std::uint64_t>{2}) << "not a NOT";
  EXPECT_TRUE(seqs(ask(*ann.ws, query("*"))).empty()) << "punctuation alone finds nothing";
}

TEST(Search, ADatabaseFromBeforeTheIndexIsIndexedAtStartWhileChatWorks) {
  temp_dir dir;
  {
    server_process old({"--data", dir.path().string(), "--no-rate-limit", "--no-search"});
    auto ann = connect_person(old.port(), 'a', "/ws?name=ann");
    auto off = ask(*ann.ws, query("anything"));
    EXPECT_EQ(str(off["code"]), "search_off");
    for (int i = 1; i <= 3000; ++i)
      ann.ws->send(
          json::object{{"type", "send"},
                       {"id", "m" + std::to_string(i)},
                       {"username", "ann"},
                       {"message", "archived note " + std::to_string(i) + (i == 1 ? " firstone" : "")}});
    ann.ws->collect("ack", 3000, 60000ms);
    EXPECT_EQ(old.stop(), 0);
  }
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  EXPECT_EQ(post(*ann.ws, "new1", "fresh words"), 3001u) << "the chat works at once";
  EXPECT_EQ(seqs(found(*ann.ws, query("firstone"), 30000ms)), std::vector<std::uint64_t>{1});
  // The catch-up reads the oldest first: the newest is there once it is done.
  auto q = query("archived 3000");
  EXPECT_EQ(until_found(*ann.ws, q, {3000}), std::vector<std::uint64_t>{3000});
  found(*ann.ws, query("fresh"));
}

TEST(Search, TheIndexOutlivesARestartAndTheMemoryStoreKeepsOneInMemory) {
  temp_dir dir;
  {
    server_process server({"--data", dir.path().string(), "--no-rate-limit"});
    auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
    post(*ann.ws, "m1", "persistent pineapple");
    found(*ann.ws, query("pineapple"));
    EXPECT_EQ(server.stop(), 0) << "a clean stop with the index's thread";
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "search.sqlite"));
  {
    server_process server({"--data", dir.path().string(), "--no-rate-limit"});
    auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
    EXPECT_EQ(seqs(found(*ann.ws, query("pineapple"))), std::vector<std::uint64_t>{1});
    EXPECT_EQ(server.stop(), 0);
  }
  temp_dir mem;
  server_process server({"--data", mem.path().string(), "--no-rate-limit", "--store", "memory"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  post(*ann.ws, "m1", "volatile mango");
  EXPECT_EQ(seqs(found(*ann.ws, query("mango"))), std::vector<std::uint64_t>{1});
  EXPECT_FALSE(std::filesystem::exists(mem.path() / "search.sqlite"))
      << "nothing on disk beside a memory store";
}

TEST(SearchOnRedis, EachNodeIndexesWhatAnyNodeCommitsAndRebuildsFromRedisAtStart) {
  if (!redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
  redis_server redis;
  temp_dir dir_a, dir_b, dir_c;
  server_process a({"--data", dir_a.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  server_process b({"--data", dir_b.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  auto ann = connect_person(a.port(), 'a', "/ws?name=ann");
  auto bob = connect_person(b.port(), 'b', "/ws?name=bob");
  post(*ann.ws, "m1", "kimchi stew recipe 회의록");
  EXPECT_EQ(seqs(found(*bob.ws, query("kimchi"))), std::vector<std::uint64_t>{1})
      << "node B indexed A's commit";
  ann.ws->send(R"({"type":"edit","id":"e1","target":1,"message":"bulgogi recipe"})");
  ASSERT_TRUE(ann.ws->next_of("ack"));
  found(*bob.ws, query("bulgogi"));
  EXPECT_TRUE(seqs(ask(*bob.ws, query("kimchi"))).empty());

  // A third node with an empty data directory builds its index from Redis's history.
  server_process c({"--data", dir_c.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  auto cy = connect_person(c.port(), 'c', "/ws?name=cy");
  EXPECT_EQ(seqs(found(*cy.ws, query("bulgogi"))), std::vector<std::uint64_t>{1});
  EXPECT_TRUE(seqs(ask(*cy.ws, query("kimchi"))).empty());
}

TEST(Search, MessagesRetentionRemovedAreNoLongerFound) {
  temp_dir dir;
  {
    server_process server({"--data", dir.path().string(), "--no-rate-limit"});
    auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
    for (int i = 1; i <= 5; ++i)
      post(*ann.ws, "m" + std::to_string(i), "ephemeral note " + std::to_string(i));
    EXPECT_EQ(seqs(found(*ann.ws, query("ephemeral 5"))), std::vector<std::uint64_t>{5});
    EXPECT_EQ(server.stop(), 0);
  }
  // The index file still holds all five; retention keeps the last two.
  server_process server({"--data", dir.path().string(), "--no-rate-limit", "--keep-messages", "2"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  EXPECT_EQ(until_found(*ann.ws, query("ephemeral"), {5, 4}), (std::vector<std::uint64_t>{5, 4}))
      << "what retention removed is not found";
  EXPECT_TRUE(seqs(ask(*ann.ws, query("ephemeral 1"))).empty());
}

TEST(Search, AnIndexOfAnOlderLayoutIsDroppedAndRebuiltFromTheMessagesAtStart) {
  temp_dir dir;
  {
    server_process old({"--data", dir.path().string(), "--no-rate-limit", "--no-search"});
    auto ann = connect_person(old.port(), 'a', "/ws?name=ann");
    for (int i = 1; i <= 3; ++i) post(*ann.ws, "m" + std::to_string(i), "layout note " + std::to_string(i));
    EXPECT_EQ(old.stop(), 0);
  }
  {
    // The first release's layout, claiming the lobby indexed up to seq 3 with one stale text.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "search.sqlite").string().c_str(), &db), SQLITE_OK);
    const char* old_layout = R"(
CREATE TABLE docs(id INTEGER PRIMARY KEY, room TEXT NOT NULL, seq INTEGER NOT NULL,
  identity TEXT NOT NULL, username TEXT NOT NULL, ts INTEGER NOT NULL, edited INTEGER NOT NULL,
  version INTEGER NOT NULL, body TEXT NOT NULL, grams TEXT NOT NULL, UNIQUE(room, seq));
CREATE VIRTUAL TABLE docs_fts USING fts5(body, grams, content='docs', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
CREATE TABLE removed(room TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(room, seq)) WITHOUT ROWID;
CREATE TABLE rooms(room TEXT PRIMARY KEY, epoch TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO docs VALUES(1, 'lobby', 2, '', 'ann', 0, 0, 0, 'stale ghostword', '');
INSERT INTO docs_fts(rowid, body, grams) VALUES(1, 'stale ghostword', '');
INSERT INTO rooms VALUES('lobby', '', 3);
)";
    EXPECT_EQ(sqlite3_exec(db, old_layout, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  EXPECT_EQ(until_found(*ann.ws, query("layout"), {3, 2, 1}), (std::vector<std::uint64_t>{3, 2, 1}))
      << "rebuilt from the messages";
  EXPECT_TRUE(seqs(ask(*ann.ws, query("ghostword"))).empty()) << "nothing of the old file is kept";
}

TEST(Search, MessagesAQueueOverflowDroppedAreReadFromTheStoreAndFound) {
  temp_dir dir;
  server_process server(
      {"--data", dir.path().string(), "--no-rate-limit", "--test-search-queue-bytes", "2000"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  constexpr int n = 400;
  for (int i = 1; i <= n; ++i)
    ann.ws->send(json::object{{"type", "send"},
                              {"id", "m" + std::to_string(i)},
                              {"username", "ann"},
                              {"message", "burst note " + std::to_string(i)}});
  ann.ws->collect("ack", n, 60000ms);
  std::vector<std::uint64_t> all;
  for (std::uint64_t s = n; s >= 1; --s) all.push_back(s);
  const auto got = until_found(*ann.ws, query("burst"), all);
  EXPECT_EQ(got.size(), all.size());
  EXPECT_EQ(got, all) << "every message is found once, newest first";
}

}  // namespace
}  // namespace message::test
