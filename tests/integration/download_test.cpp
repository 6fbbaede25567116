// GET/HEAD /files/<sha256> and /files/<sha256>/thumb (docs/protocol.md, "Files") against the
// real binary. The data directory is prepared before the server starts, with the store library
// (messages that share files) and the blob store (their bytes), so these tests need no upload.
#include <gtest/gtest.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/identity.hpp"
#include "files/blob_store.hpp"
#include "files/sha256_stream.hpp"
#include "files/thumbnailer.hpp"
#include "harness.hpp"
#include "store/sqlite_message_store.hpp"
#include "test_png.hpp"

namespace message::test {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

std::string sha256_of(const std::string& bytes) {
  files::sha256_stream s;
  s.add(bytes);
  return s.finish_hex();
}

/// One shared file of the prepared data directory.
struct shared_file {
  std::string name;
  std::string type;  ///< As the upload's sniffing would have set it.
  std::string bytes;
  std::string room = "lobby";
  bool thumb = false;  ///< Make its thumbnail too.
  std::string sha256() const { return sha256_of(bytes); }
};

/// Writes messages sharing `shared` (and their blobs) into `data`, as the server keeps them;
/// `private_room`, when set, is made private with `member` as its one member first.
void prepare(const fs::path& data, const std::vector<shared_file>& shared,
             const std::string& private_room = {}, const std::string& member = {}) {
  store::sqlite_message_store s(data / "messages.db", store::durability::process);
  if (!private_room.empty()) {
    ASSERT_TRUE(s.directory().create_private_room(private_room, member, "secret"));
  }
  files::blob_store blobs(data / "files");
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  int n = 0;
  for (const auto& f : shared) {
    const auto sha = f.sha256();
    const auto temp = blobs.temp_dir() / ("prepared" + std::to_string(n));
    std::ofstream(temp, std::ios::binary) << f.bytes;
    blobs.adopt(temp, sha);
    core::new_message m{f.room, "f" + std::to_string(n++), "ann", "", "dev123", now};
    m.file = core::file_ref{sha, f.name, f.bytes.size(), f.type, 0, 0, f.thumb};
    if (f.thumb) {
      const auto made =
          files::make_thumbnail(blobs.path_of(sha), files::thumb_path(blobs.root(), sha), 100'000'000, 480);
      ASSERT_EQ(made.result, files::thumbnail_outcome::kind::made);
    }
    s.commit_group({m});
  }
}

std::string body_of(const std::string& reply) {
  const auto at = reply.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : reply.substr(at + 4);
}

/// The value of header `name` in `reply` ("" when absent); names as the server writes them.
std::string header(const std::string& reply, const std::string& name) {
  const auto head = reply.substr(0, reply.find("\r\n\r\n"));
  const auto at = head.find("\r\n" + name + ": ");
  if (at == std::string::npos) return {};
  const auto from = at + 4 + name.size();
  return head.substr(from, head.find("\r\n", from) - from);
}

TEST(Download, APictureIsServedInlineWithNosniffASandboxAndItsHash) {
  temp_dir dir;
  const shared_file picture{"cat.png", "image/png", png(64)};
  prepare(dir.path(), {picture});
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto [status, reply] = http_get(server.port(), "/files/" + picture.sha256());
  ASSERT_EQ(status, 200) << reply.substr(0, 300);
  EXPECT_EQ(body_of(reply), picture.bytes);
  EXPECT_EQ(header(reply, "Content-Type"), "image/png");
  EXPECT_EQ(header(reply, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(reply, "Content-Security-Policy"), "sandbox");
  EXPECT_EQ(header(reply, "Cache-Control"), "private, max-age=31536000, immutable");
  EXPECT_EQ(header(reply, "ETag"), "\"" + picture.sha256() + "\"");
  EXPECT_EQ(header(reply, "Accept-Ranges"), "bytes");
  EXPECT_EQ(header(reply, "Content-Length"), std::to_string(picture.bytes.size()));
  EXPECT_EQ(header(reply, "Content-Disposition"), "inline; filename=\"cat.png\"; filename*=UTF-8''cat.png");
  // ?download=1: the same picture to save.
  auto [ds, dreply] = http_get(server.port(), "/files/" + picture.sha256() + "?download=1");
  ASSERT_EQ(ds, 200);
  EXPECT_EQ(header(dreply, "Content-Disposition"),
            "attachment; filename=\"cat.png\"; filename*=UTF-8''cat.png");
  EXPECT_EQ(body_of(dreply), picture.bytes);
  // If-None-Match with its ETag: nothing sent again.
  auto [cs, creply] = http_get(server.port(), "/files/" + picture.sha256(),
                               {{"If-None-Match", "\"" + picture.sha256() + "\""}});
  EXPECT_EQ(cs, 304);
  EXPECT_EQ(body_of(creply), "");
}

TEST(Download, HtmlAndAnSvgWithScriptAreAttachmentsNeverInline) {
  temp_dir dir;
  const shared_file page{"page.html", "text/html", "<html><script>alert(document.cookie)</script></html>"};
  const shared_file svg{"logo.svg", "image/svg+xml",
                        R"(<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>)"};
  prepare(dir.path(), {page, svg});
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  for (const auto* f : {&page, &svg}) {
    auto [status, reply] = http_get(server.port(), "/files/" + f->sha256());
    ASSERT_EQ(status, 200) << f->name;
    EXPECT_EQ(body_of(reply), f->bytes);
    EXPECT_EQ(header(reply, "Content-Type"), f->type);
    EXPECT_EQ(header(reply, "Content-Disposition").rfind("attachment; ", 0), 0u)
        << header(reply, "Content-Disposition");
    EXPECT_EQ(header(reply, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header(reply, "Content-Security-Policy"), "sandbox") << "a file opened anyway runs no script";
  }
}

TEST(Download, ANameWithQuotesSemicolonsAndNonAsciiKeepsTheHeaderWhole) {
  temp_dir dir;
  const shared_file odd{"a\"b;c\\d é.txt", "text/plain", "hello"};
  prepare(dir.path(), {odd});
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto [status, reply] = http_get(server.port(), "/files/" + odd.sha256());
  ASSERT_EQ(status, 200);
  EXPECT_EQ(header(reply, "Content-Disposition"),
            "attachment; filename=\"a_b;c_d __.txt\"; filename*=UTF-8''a%22b%3Bc%5Cd%20%C3%A9.txt");
  EXPECT_EQ(body_of(reply), "hello");
}

TEST(Download, ARangeGetsItsBytesOnePastTheEndIs416AndHeadSendsNoBody) {
  temp_dir dir;
  // Bigger than one sendfile step (limits::download_chunk_bytes): the body crosses several.
  std::string bytes(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131) % 251);
  const shared_file video{"clip.mp4", "video/mp4", bytes};
  prepare(dir.path(), {video});
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  const auto path = "/files/" + video.sha256();
  auto [whole, wreply] = http_get(server.port(), path);
  ASSERT_EQ(whole, 200);
  EXPECT_TRUE(body_of(wreply) == bytes) << "the whole file, byte for byte";

  auto [status, reply] = http_get(server.port(), path, {{"Range", "bytes=262000-1048999"}});
  ASSERT_EQ(status, 206);
  EXPECT_EQ(header(reply, "Content-Range"), "bytes 262000-1048999/" + std::to_string(bytes.size()));
  EXPECT_EQ(header(reply, "Content-Length"), "787000");
  EXPECT_TRUE(body_of(reply) == bytes.substr(262000, 787000));

  auto [ts, treply] = http_get(server.port(), path, {{"Range", "bytes=-10"}});
  ASSERT_EQ(ts, 206);
  EXPECT_EQ(body_of(treply), bytes.substr(bytes.size() - 10));

  auto [fs416, freply] =
      http_get(server.port(), path, {{"Range", "bytes=" + std::to_string(bytes.size()) + "-"}});
  EXPECT_EQ(fs416, 416);
  EXPECT_EQ(header(freply, "Content-Range"), "bytes */" + std::to_string(bytes.size()));

  const auto head = raw_exchange(
      server.port(), "HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) +
                         "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
  EXPECT_EQ(header(head, "Content-Length"), std::to_string(bytes.size()));
  EXPECT_EQ(body_of(head), "") << "HEAD: the headers alone";
}

TEST(Download, ABlobWhoseFileWasRemovedIsGone) {
  temp_dir dir;
  const shared_file kept{"kept.txt", "text/plain", "still here"};
  const shared_file removed{"old.txt", "text/plain", "retention took me"};
  prepare(dir.path(), {kept, removed});
  fs::remove(files::blob_store(dir.path() / "files").path_of(removed.sha256()));
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  EXPECT_EQ(http_get(server.port(), "/files/" + removed.sha256()).first, 410);
  EXPECT_EQ(http_get(server.port(), "/files/" + kept.sha256()).first, 200);
  EXPECT_EQ(http_get(server.port(), "/files/" + sha256_of("nobody shares this")).first, 404);
  EXPECT_EQ(http_get(server.port(), "/files/NOTAHASH").first, 404);
}

TEST(Download, APrivateRoomsFileIsHiddenFromOthersAndServedToAMemberByTokenOrCookie) {
  temp_dir dir;
  const auto ann = *core::identity_of_token(identity_token('a'));
  const shared_file plan{"plan.png", "image/png", png(16), "plans"};
  prepare(dir.path(), {plan}, "plans", ann);
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  const auto path = "/files/" + plan.sha256();
  EXPECT_EQ(http_get(server.port(), path).first, 404) << "nobody presented";
  EXPECT_EQ(http_get(server.port(), path, {{"Authorization", "Identity " + identity_token('b')}}).first, 404)
      << "not a member: as if it did not exist";
  auto [status, reply] =
      http_get(server.port(), path, {{"Authorization", "Identity " + identity_token('a')}});
  ASSERT_EQ(status, 200);
  EXPECT_EQ(body_of(reply), plan.bytes);
  // The page's way: /auth with the identity sets the cookie that <img> then sends.
  auto [as, areply] =
      http_get(server.port(), "/auth", {{"Authorization", "Identity " + identity_token('a')}});
  ASSERT_EQ(as, 200);
  const auto cookie = header(areply, "Set-Cookie").substr(0, header(areply, "Set-Cookie").find(';'));
  ASSERT_FALSE(cookie.empty());
  EXPECT_EQ(http_get(server.port(), path, {{"Cookie", cookie}}).first, 200);
  auto [bs, breply] =
      http_get(server.port(), "/auth", {{"Authorization", "Identity " + identity_token('b')}});
  const auto other = header(breply, "Set-Cookie").substr(0, header(breply, "Set-Cookie").find(';'));
  EXPECT_EQ(http_get(server.port(), path, {{"Cookie", other}}).first, 404);
}

TEST(Download, NeedsTheKeyOrTheSessionCookie) {
  temp_dir dir;
  const shared_file note{"note.txt", "text/plain", "for key holders"};
  prepare(dir.path(), {note});
  server_process server({"--data", dir.path().string(), "--no-rate-limit", "--key", "sesame"});
  const auto path = "/files/" + note.sha256();
  EXPECT_EQ(http_get(server.port(), path).first, 401);
  EXPECT_EQ(http_get(server.port(), path, {{"Authorization", "Bearer wrong"}}).first, 401);
  EXPECT_EQ(http_get(server.port(), path, {{"Authorization", "Bearer sesame"}}).first, 200);
  auto [as, areply] = http_get(server.port(), "/auth", {{"Authorization", "Bearer sesame"}});
  ASSERT_EQ(as, 200);
  const auto cookie = header(areply, "Set-Cookie").substr(0, header(areply, "Set-Cookie").find(';'));
  auto [status, reply] = http_get(server.port(), path, {{"Cookie", cookie}});
  ASSERT_EQ(status, 200);
  EXPECT_EQ(body_of(reply), "for key holders");
  EXPECT_EQ(http_get(server.port(), path, {{"Cookie", "message_session=v1.1.x.y"}}).first, 401);
}

/// GET `target` over TLS (the certificate not verified: the server's own self-signed one).
http::response<http::string_body> https_get(unsigned short port, const std::string& target,
                                            const std::string& range = {}) {
  namespace ssl = boost::asio::ssl;
  net::io_context io;
  ssl::context tls(ssl::context::tls_client);
  tls.set_verify_mode(ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!range.empty()) req.set(http::field::range, range);
  req.keep_alive(false);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::flat_buffer buf;
  beast::get_lowest_layer(stream).expires_after(20s);
  beast::get_lowest_layer(stream).async_connect(
      net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) return;
        stream.async_handshake(ssl::stream_base::client, [&](beast::error_code hec) {
          if (hec) return;
          http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
            if (!wec) http::async_read(stream, buf, parser, [](beast::error_code, std::size_t) {});
          });
        });
      });
  io.run();
  return parser.release();
}

TEST(Download, OverTlsTheFileArrivesByteForByteAndARangeToo) {
  temp_dir dir;
  std::string bytes(2 * 1024 * 1024 + 333, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 97) % 253);
  const shared_file song{"song.ogg", "audio/ogg", bytes};
  prepare(dir.path(), {song});
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});  // TLS on the port by default.
  const auto whole = https_get(server.port(), "/files/" + song.sha256());
  ASSERT_EQ(whole.result_int(), 200);
  EXPECT_EQ(whole.body().size(), bytes.size());
  EXPECT_TRUE(whole.body() == bytes) << "through tls_front's socket pair, byte for byte";
  EXPECT_EQ(whole["Content-Security-Policy"], "sandbox");
  const auto part = https_get(server.port(), "/files/" + song.sha256(), "bytes=1000000-1999999");
  ASSERT_EQ(part.result_int(), 206);
  EXPECT_TRUE(part.body() == bytes.substr(1000000, 1000000));
}

TEST(Download, TheThumbnailIsAWebpOfThePictureAndAFileWithoutOneHasNone) {
  temp_dir dir;
  shared_file photo{"photo.png", "image/png", png(900)};
  photo.thumb = true;
  const shared_file text{"a.txt", "text/plain", "no picture"};
  prepare(dir.path(), {photo, text});
  server_process server({"--data", dir.path().string(), "--no-rate-limit"});
  auto [status, reply] = http_get(server.port(), "/files/" + photo.sha256() + "/thumb");
  ASSERT_EQ(status, 200) << reply.substr(0, 300);
  EXPECT_EQ(header(reply, "Content-Type"), "image/webp");
  EXPECT_EQ(header(reply, "Content-Security-Policy"), "sandbox");
  EXPECT_EQ(header(reply, "Content-Disposition").rfind("inline; ", 0), 0u);
  const auto body = body_of(reply);
  ASSERT_GT(body.size(), 12u);
  EXPECT_EQ(body.substr(0, 4), "RIFF");
  EXPECT_EQ(body.substr(8, 4), "WEBP");
  // Its canvas (the VP8X chunk: width - 1 and height - 1, 24 bits little-endian each): the
  // 900 x 900 picture shrunk into the 480 x 480 box.
  ASSERT_EQ(body.substr(12, 4), "VP8X");
  const auto u24 = [&](std::size_t at) {
    return 1 + (static_cast<unsigned char>(body[at]) | static_cast<unsigned char>(body[at + 1]) << 8 |
                static_cast<unsigned char>(body[at + 2]) << 16);
  };
  EXPECT_EQ(u24(24), 480);
  EXPECT_EQ(u24(27), 480);
  EXPECT_EQ(http_get(server.port(), "/files/" + text.sha256() + "/thumb").first, 404);
}

}  // namespace
}  // namespace message::test
