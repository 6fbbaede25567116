// search/cjk_tokenizer through SQLite itself: which tokens FTS5 stores for a text (fts5vocab),
// and that one- and two-character CJK terms, longer ones and words are found as a query asks.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <string>
#include <vector>

#include "search/cjk_tokenizer.hpp"

namespace message::search {
namespace {

class index_db {
 public:
  index_db() {
    sqlite3_open(":memory:", &db_);
    register_cjk_tokenizer(db_);
    exec(
        "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='message_cjk remove_diacritics 2');"
        "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row');");
  }
  ~index_db() { sqlite3_close(db_); }
  index_db(const index_db&) = delete;
  index_db& operator=(const index_db&) = delete;
  void exec(const std::string& sql) {
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  }
  std::vector<std::string> column(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    while (sqlite3_step(st) == SQLITE_ROW)
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST(SearchTokenizer, KoreanRunsBecomeTheirBigramsThenTheirLastCharacterAndWordsStayWords) {
  index_db db;
  db.exec("INSERT INTO t(rowid, body) VALUES(1, '오늘 회의를 Café本')");
  const auto terms = db.column("SELECT term FROM v");
  EXPECT_EQ(std::set<std::string>(terms.begin(), terms.end()),
            (std::set<std::string>{"오늘", "늘", "회의", "의를", "를", "cafe", "本"}));
}

TEST(SearchTokenizer, FindsOneTwoAndThreeCharacterTermsAsSubstringsOfARun) {
  index_db db;
  db.exec("INSERT INTO t(rowid, body) VALUES(1, '회의를 시작'), (2, '의회 회관'), (3, 'meeting 日本語')");
  EXPECT_EQ(db.column("SELECT rowid FROM t WHERE t MATCH '\"회의\"'"), std::vector<std::string>{"1"});
  EXPECT_EQ(db.column("SELECT rowid FROM t WHERE t MATCH '\"회의를\"'"), std::vector<std::string>{"1"});
  EXPECT_EQ(db.column("SELECT rowid FROM t WHERE t MATCH '\"의를 시\"'"), std::vector<std::string>{})
      << "a phrase never spans two runs";
  EXPECT_EQ(db.column("SELECT rowid FROM t WHERE t MATCH '\"관\"*' "), std::vector<std::string>{"2"})
      << "a run's last character is found alone";
  EXPECT_EQ(db.column("SELECT rowid FROM t WHERE t MATCH '\"회\"*' ORDER BY rowid"),
            (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(db.column("SELECT rowid FROM t WHERE t MATCH '\"本語\"'"), std::vector<std::string>{"3"});
  EXPECT_EQ(db.column("SELECT rowid FROM t WHERE t MATCH '\"meet\"*'"), std::vector<std::string>{"3"});
}

TEST(SearchTokenizer, HighlightKeepsTheTextWholeWhereBigramsOverlap) {
  index_db db;
  db.exec("INSERT INTO t(rowid, body) VALUES(1, '회회의 meeting')");
  const auto marked =
      db.column("SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH '\"회\"* AND meeting'");
  ASSERT_EQ(marked.size(), 1u);
  std::string plain;
  for (char c : marked[0])
    if (c != '[' && c != ']') plain.push_back(c);
  EXPECT_EQ(plain, "회회의 meeting") << marked[0];
  EXPECT_NE(marked[0].find("[meeting]"), std::string::npos) << marked[0];
}

}  // namespace
}  // namespace message::search
