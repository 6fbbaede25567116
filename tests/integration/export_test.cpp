// GET /export (docs/protocol.md, "Export") against the real binary: the three formats, folded
// edits and deletes, text rendered safely in HTML, private rooms, the key, and a room of
// 100,000 messages exported with the server's memory flat (it streams a page at a time).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "client_process.hpp"
#include "harness.hpp"

namespace message::test {
namespace {

/// Sends `text` to `room` and waits for its ack.
void post(ws_client& c, const std::string& id, const std::string& text, const std::string& room = {}) {
  json::object m{{"type", "send"}, {"id", id}, {"username", "ann"}, {"message", text}};
  if (!room.empty()) m["room"] = room;
  c.send(m);
  for (;;) {
    auto f = c.next(10s);
    ASSERT_TRUE(f) << "no ack for " << id;
    const auto type = str((*f)["type"]);
    if ((type == "ack" || type == "error") && f->contains("id") && str((*f)["id"]) == id) {
      ASSERT_EQ(str((*f)["type"]), "ack") << json::serialize(*f);
      return;
    }
  }
}

/// The body of a chunked HTTP answer.
std::string dechunk(const std::string& reply) {
  auto at = reply.find("\r\n\r\n");
  if (at == std::string::npos) return {};
  at += 4;
  std::string body;
  for (;;) {
    const auto eol = reply.find("\r\n", at);
    if (eol == std::string::npos) break;
    const auto size = std::stoul(reply.substr(at, eol - at), nullptr, 16);
    if (size == 0) return body;
    body.append(reply, eol + 2, size);
    at = eol + 2 + size + 2;
  }
  ADD_FAILURE() << "the body did not end with the last chunk";
  return body;
}

TEST(Export, JsonTxtAndHtmlHoldTheRoomOldestFirstFoldedAndSafe) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  post(*ann.ws, "m1", "first <script>alert(1)</script> & more");
  post(*ann.ws, "m2", "second line one\nline two");
  post(*ann.ws, "m3", "to be deleted");
  ann.ws->send(R"({"type":"edit","id":"e1","target":2,"message":"second, edited"})");
  ann.ws->send(R"({"type":"delete","id":"d1","target":3})");
  ASSERT_EQ(ann.ws->collect("ack", 2).size(), 2u);

  auto [status, reply] = http_get(server.port(), "/export?room=lobby&format=json");
  ASSERT_EQ(status, 200) << reply;
  EXPECT_NE(reply.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_NE(reply.find("attachment; filename=\"lobby.json\""), std::string::npos);
  const auto doc = json::parse(dechunk(reply)).as_object();
  EXPECT_EQ(str(doc.at("room")), "lobby");
  const auto& ms = doc.at("messages").as_array();
  ASSERT_EQ(ms.size(), 3u) << "messages only, never the change events";
  EXPECT_EQ(str(ms[0].as_object().at("message")), "first <script>alert(1)</script> & more");
  EXPECT_EQ(str(ms[1].as_object().at("message")), "second, edited");
  EXPECT_TRUE(ms[1].as_object().contains("edited"));
  EXPECT_EQ(str(ms[2].as_object().at("message")), "") << "the deleted text is not exported";
  EXPECT_TRUE(ms[2].as_object().at("deleted").as_bool());
  EXPECT_EQ(str(ms[0].as_object().at("identity")), ann.id);

  auto [ts, txt] = http_get(server.port(), "/export?room=lobby&format=txt");
  ASSERT_EQ(ts, 200);
  const auto text = dechunk(txt);
  EXPECT_NE(text.find("ann: first <script>"), std::string::npos) << text;
  EXPECT_NE(text.find("ann: second, edited (edited)"), std::string::npos) << text;
  EXPECT_NE(text.find("ann: (deleted)"), std::string::npos) << text;
  EXPECT_EQ(text.find("to be deleted"), std::string::npos);

  auto [hs, html] = http_get(server.port(), "/export?room=lobby&format=html");
  ASSERT_EQ(hs, 200);
  const auto page = dechunk(html);
  EXPECT_NE(page.find("<!doctype html>"), std::string::npos);
  EXPECT_NE(page.find("first &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos) << "no script, the user's nor ours";
  EXPECT_EQ(page.find("src="), std::string::npos) << "nothing fetched from elsewhere";
  EXPECT_EQ(page.find("href="), std::string::npos);
  EXPECT_EQ(page.find("to be deleted"), std::string::npos);
}

TEST(Export, APrivateRoomIsExportedOnlyForAMember) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  ann.ws->send(R"({"type":"create_room","room":"plans","private":true})");
  ASSERT_TRUE(ann.ws->next_of("room"));
  post(*ann.ws, "p1", "the plan", "plans");
  EXPECT_EQ(http_get(server.port(), "/export?room=plans").first, 403) << "nobody presented";
  EXPECT_EQ(
      http_get(server.port(), "/export?room=plans", {{"Authorization", "Identity " + identity_token('b')}})
          .first,
      403)
      << "not a member";
  auto [status, reply] =
      http_get(server.port(), "/export?room=plans", {{"Authorization", "Identity " + identity_token('a')}});
  ASSERT_EQ(status, 200);
  EXPECT_NE(dechunk(reply).find("the plan"), std::string::npos);
}

TEST(Export, NeedsTheKeyWhenOneIsSetAndRefusesABadRoomOrFormat) {
  temp_dir dir;
  server_process server({"--data", dir.path().string(), "--no-rate-limit", "--key", "sesame"});
  EXPECT_EQ(http_get(server.port(), "/export?room=lobby").first, 401);
  EXPECT_EQ(http_get(server.port(), "/export?room=lobby", {{"Authorization", "Bearer sesame"}}).first, 200);
  EXPECT_EQ(http_get(server.port(), "/export?room=no%20way", {{"Authorization", "Bearer sesame"}}).first,
            400);
  EXPECT_EQ(
      http_get(server.port(), "/export?room=lobby&format=pdf", {{"Authorization", "Bearer sesame"}}).first,
      400);
  EXPECT_EQ(http_get(server.port(), "/export", {{"Authorization", "Bearer sesame"}}).first, 400);
}

TEST(Export, AHundredThousandMessagesStreamWithTheServersMemoryFlat) {
  temp_dir dir;
  // Without the index: the export's memory is what is measured.
  server_process server({"--data", dir.path().string(), "--no-rate-limit", "--no-search"});
  ws_client c(server.port(), "/ws?room=lobby");
  ASSERT_TRUE(c.next_of("welcome"));
  const std::string filler(200, 'x');
  constexpr int total = 100000, round = 2000;
  for (int sent = 0; sent < total; sent += round) {
    for (int i = sent; i < sent + round; ++i)
      c.send(json::object{{"type", "send"},
                          {"id", "m" + std::to_string(i)},
                          {"username", "ann"},
                          {"message", std::to_string(i) + " " + filler},
                          {"room", "big"}});
    ASSERT_EQ(c.collect("ack", round, 60000ms).size(), static_cast<std::size_t>(round));
  }
  // Once before measuring: SQLite's page cache and the allocator's arenas reach their size.
  auto warm = raw_exchange(
      server.port(),
      "GET /export?room=big&format=txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 120000ms);
  ASSERT_GT(warm.size(), static_cast<std::size_t>(total) * 200);
  const long before = server.rss_kib();
  const auto reply = raw_exchange(
      server.port(),
      "GET /export?room=big&format=json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 120000ms);
  const long after = server.rss_kib();
  const auto body = dechunk(reply);
  ASSERT_GT(body.size(), static_cast<std::size_t>(total) * 200) << "about 25 MB of JSON";
  const auto doc = json::parse(body).as_object();
  EXPECT_EQ(doc.at("messages").as_array().size(), static_cast<std::size_t>(total));
  // Holding the room would take more than the 25 MB it exports; a page is 500 messages.
  EXPECT_LT(after - before, 16 * 1024) << "RSS " << before << " KiB before, " << after << " KiB after";
}

TEST(Export, TheTerminalClientWritesTheRoomToAFileOrStdout) {
  temp_dir dir, home;
  server_process server({"--data", dir.path().string(), "--no-rate-limit", "--no-tls", "--key", "sesame"});
  ws_client c(server.port(), "/ws", "", "message.v1, key." + std::string("c2VzYW1l"));
  ASSERT_TRUE(c.next_of("welcome"));
  post(c, "m1", "exported from a terminal");
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  const auto file = (home.path() / "lobby.txt").string();
  auto r =
      run_client({"export", "--server", url, "--key", "sesame", "--format", "txt", "-o", file}, home.path());
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("ann: exported from a terminal"), std::string::npos) << text;

  auto j = run_client({"export", "--server", url, "--key", "sesame"}, home.path());
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_EQ(json::parse(j.out).as_object().at("messages").as_array().size(), 1u);

  auto refused = run_client({"export", "--server", url}, home.path());
  EXPECT_EQ(refused.code, 1) << "no key: refused";
  EXPECT_NE(refused.err.find("key"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace message::test
