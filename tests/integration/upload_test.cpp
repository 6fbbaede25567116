// File uploads over tus 1.0.0 (docs/protocol.md, "Files") against the real binary: a file sent
// in pieces becomes a message with its `file` in the room, resumes after a cut request, a
// restart and a killed server with the right hash, and every bad request gets its documented
// answer without losing what was stored.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "harness.hpp"
#include "test_digest.hpp"
#include "test_png.hpp"

namespace message::test {
namespace {

std::string sha256_base64(std::string_view bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &n, EVP_sha256(), nullptr);
  return base64(std::string_view(reinterpret_cast<const char*>(out), n));
}

/// Bytes that are no picture and compress badly: a file as a person would send.
std::string file_bytes(std::size_t n, unsigned seed = 7) {
  std::string s(n, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return s;
}

using header_list = std::vector<std::pair<std::string, std::string>>;

/// One answer of the server.
struct reply {
  int status = 0;
  std::string text;  // Head and body as they came.
  /// A header's value ("" absent), its name in any case.
  std::string header(std::string name) const {
    std::string lower_text = text.substr(0, text.find("\r\n\r\n"));
    for (auto& c : lower_text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower_text.find("\r\n" + name + ":");
    if (at == std::string::npos) return {};
    const auto start = at + 3 + name.size();
    const auto end = text.find("\r\n", start);
    std::string v = text.substr(start, end - start);
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    return v;
  }
};

std::string request_text(unsigned short port, const std::string& method, const std::string& target,
                         const header_list& headers, std::string_view body, bool length = true) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (length && (method == "PATCH" || method == "POST"))
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n";
  req += body;
  return req;
}

reply exchange(unsigned short port, const std::string& method, const std::string& target,
               const header_list& headers, std::string_view body = {}) {
  reply r;
  r.text = raw_exchange(port, request_text(port, method, target, headers, body), 20000ms);
  if (r.text.rfind("HTTP/1.1 ", 0) == 0) r.status = std::stoi(r.text.substr(9, 3));
  return r;
}

/// An open TCP connection that sends what it is given and is closed (cut) at will.
class raw_connection {
 public:
  explicit raw_connection(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect");
  }
  ~raw_connection() { cut(); }
  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  void cut() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

header_list as(char who, header_list more = {}) {
  more.insert(more.begin(), {"Authorization", "Identity " + identity_token(who)});
  more.insert(more.begin(), {"Tus-Resumable", "1.0.0"});
  return more;
}

std::string metadata(const std::string& name, const std::string& room = {}, const std::string& id = {}) {
  std::string m = "filename " + base64(name);
  if (!room.empty()) m += ",room " + base64(room);
  if (!id.empty()) m += ",id " + base64(id);
  return m;
}

/// Creates an upload; returns its path ("" when refused: `status` says how).
std::string create(unsigned short port, char who, std::uint64_t length, const std::string& meta,
                   int* status = nullptr) {
  auto r = exchange(port, "POST", "/files/uploads",
                    as(who, {{"Upload-Length", std::to_string(length)}, {"Upload-Metadata", meta}}));
  if (status) *status = r.status;
  if (r.status != 201) return {};
  return r.header("Location");
}

reply patch(unsigned short port, char who, const std::string& path, std::uint64_t offset,
            std::string_view bytes, header_list more = {}) {
  more.insert(more.begin(), {"Upload-Offset", std::to_string(offset)});
  more.insert(more.begin(), {"Content-Type", "application/offset+octet-stream"});
  return exchange(port, "PATCH", path, as(who, std::move(more)), bytes);
}

std::uint64_t offset_of(unsigned short port, char who, const std::string& path) {
  auto r = exchange(port, "HEAD", path, as(who));
  return r.status == 200 ? std::stoull(r.header("Upload-Offset")) : ~0ULL;
}

/// Waits (bounded) until HEAD says the upload holds at least `at_least` bytes; returns the offset.
std::uint64_t await_offset(unsigned short port, char who, const std::string& path, std::uint64_t at_least) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  std::uint64_t now = 0;
  while (std::chrono::steady_clock::now() < until) {
    now = offset_of(port, who, path);
    if (now != ~0ULL && now >= at_least) return now;
    std::this_thread::yield();
  }
  return now;
}

class Upload : public ::testing::Test {
 protected:
  temp_dir data;
  std::unique_ptr<server_process> server = start({});
  std::unique_ptr<server_process> start(std::vector<std::string> extra,
                                        std::vector<std::string> prefix = {}) {
    std::vector<std::string> args{"--data", data.path().string(), "--no-rate-limit"};
    // The machine's free space is not the test's: no floor unless the test sets one.
    if (std::find(extra.begin(), extra.end(), "--min-free-bytes") == extra.end())
      args.insert(args.end(), {"--min-free-bytes", "0"});
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<server_process>(args, prefix);
  }
  unsigned short port() const { return server->port(); }
};

TEST_F(Upload, AFileSentInSeveralPiecesArrivesAsAMessageWithItsOwnHash) {
  auto ann = connect_person(port(), 'a', "/ws?name=ann");
  auto bob = connect_person(port(), 'b', "/ws?name=bob");
  const auto bytes = file_bytes(700 * 1024 + 13);
  const auto path = create(port(), 'a', bytes.size(), metadata("holiday notes.bin", "lobby", "f1"));
  ASSERT_FALSE(path.empty());
  EXPECT_EQ(path.size(), std::string("/files/uploads/").size() + 22);
  std::uint64_t at = 0;
  for (const std::size_t piece : {100000u, 300000u, 1u}) {
    auto r = patch(port(), 'a', path, at, std::string_view(bytes).substr(at, piece));
    ASSERT_EQ(r.status, 204) << r.text;
    at += piece;
    EXPECT_EQ(r.header("Upload-Offset"), std::to_string(at));
    EXPECT_EQ(r.header("Message-Seq"), "") << "no message before the last byte";
  }
  auto last = patch(port(), 'a', path, at, std::string_view(bytes).substr(at),
                    {{"Upload-Checksum", "sha256 " + sha256_base64(std::string_view(bytes).substr(at))}});
  ASSERT_EQ(last.status, 204) << last.text;
  EXPECT_EQ(last.header("Upload-Offset"), std::to_string(bytes.size()));
  EXPECT_EQ(last.header("Message-Id"), "f1");
  ASSERT_FALSE(last.header("Message-Seq").empty());

  auto m = bob.ws->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["id"]), "f1");
  EXPECT_EQ(std::to_string(u64((*m)["seq"])), last.header("Message-Seq"));
  EXPECT_EQ(str((*m)["username"]), "ann");
  EXPECT_EQ(str((*m)["identity"]), ann.id);
  const auto& file = (*m)["file"].as_object();
  EXPECT_EQ(str(file.at("sha256")), sha256_hex(bytes));
  EXPECT_EQ(str(file.at("name")), "holiday notes.bin");
  EXPECT_EQ(u64(file.at("size")), bytes.size());
  EXPECT_EQ(str(file.at("type")), "application/octet-stream");
  EXPECT_FALSE(file.contains("thumb"));
  // The upload is over: it is gone, and the bytes are the blob's.
  EXPECT_EQ(exchange(port(), "HEAD", path, as('a')).status, 404);
  EXPECT_TRUE(std::filesystem::exists(data.path() / "files" / "sha256" / sha256_hex(bytes).substr(0, 2) /
                                      sha256_hex(bytes).substr(2)));
  // History has it too.
  bob.ws->send(R"({"type":"history","room":"lobby"})");
  auto h = bob.ws->next_of("history");
  ASSERT_TRUE(h);
  const auto& msgs = (*h)["messages"].as_array();
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(str(msgs.back().as_object().at("file").as_object().at("sha256")), sha256_hex(bytes));
}

TEST_F(Upload, ACutRequestKeepsWhatArrivedAndTheUploadContinuesFromThere) {
  auto bob = connect_person(port(), 'b', "/ws");
  const auto bytes = file_bytes(1024 * 1024, 3);
  const auto path = create(port(), 'a', bytes.size(), metadata("cut.bin", "lobby", "cut1"));
  ASSERT_FALSE(path.empty());
  {
    raw_connection c(port());
    c.send(request_text(port(), "PATCH", path,
                        as('a', {{"Content-Type", "application/offset+octet-stream"},
                                 {"Upload-Offset", "0"},
                                 {"Content-Length", std::to_string(bytes.size())}}),
                        std::string_view(bytes).substr(0, 600 * 1024), false));
    // A Wi-Fi drop: the connection ends in the middle of the body.
  }
  const auto kept = await_offset(port(), 'a', path, 600 * 1024);
  EXPECT_EQ(kept, 600u * 1024) << "every byte that arrived is kept";
  auto r = patch(port(), 'a', path, kept, std::string_view(bytes).substr(kept));
  ASSERT_EQ(r.status, 204) << r.text;
  auto m = bob.ws->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["file"].as_object()["sha256"]), sha256_hex(bytes));
}

TEST_F(Upload, AnUploadResumesAfterTheServerRestarts) {
  const auto bytes = file_bytes(400 * 1024, 5);
  const auto path = create(port(), 'a', bytes.size(), metadata("restart.bin", "lobby", "r1"));
  ASSERT_FALSE(path.empty());
  ASSERT_EQ(patch(port(), 'a', path, 0, std::string_view(bytes).substr(0, 150000)).status, 204);
  server->stop();
  server = start({});
  EXPECT_EQ(offset_of(port(), 'a', path), 150000u);
  auto bob = connect_person(port(), 'b', "/ws");
  auto r = patch(port(), 'a', path, 150000, std::string_view(bytes).substr(150000));
  ASSERT_EQ(r.status, 204) << r.text;
  auto m = bob.ws->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["file"].as_object()["sha256"]), sha256_hex(bytes))
      << "hashed again from the stored bytes";
}

TEST_F(Upload, HeadTellsTheSha256OfTheStoredBytesAcrossARefusedPieceAndARestart) {
  const auto bytes = file_bytes(400 * 1024, 9);
  const auto stored_sha = [&](const std::string& path) {
    return exchange(port(), "HEAD", path, as('a')).header("Upload-Stored-Sha256");
  };
  const auto path = create(port(), 'a', bytes.size(), metadata("again.bin", "lobby", "s1"));
  ASSERT_FALSE(path.empty());
  EXPECT_EQ(stored_sha(path), sha256_hex(""));
  ASSERT_EQ(patch(port(), 'a', path, 0, std::string_view(bytes).substr(0, 150000)).status, 204);
  EXPECT_EQ(stored_sha(path), sha256_hex(std::string_view(bytes).substr(0, 150000)));
  // A piece whose checksum does not match is dropped: the digest is of what stays.
  auto bad = patch(port(), 'a', path, 150000, std::string_view(bytes).substr(150000, 1000),
                   {{"Upload-Checksum", "sha256 " + sha256_base64("something else")}});
  ASSERT_EQ(bad.status, 460) << bad.text;
  EXPECT_EQ(stored_sha(path), sha256_hex(std::string_view(bytes).substr(0, 150000)));
  ASSERT_EQ(patch(port(), 'a', path, 150000, std::string_view(bytes).substr(150000, 50000)).status, 204);
  EXPECT_EQ(stored_sha(path), sha256_hex(std::string_view(bytes).substr(0, 200000)));
  server->stop();
  server = start({});
  EXPECT_EQ(stored_sha(path), sha256_hex(std::string_view(bytes).substr(0, 200000)))
      << "read again from the stored bytes";
  auto bob = connect_person(port(), 'b', "/ws");
  ASSERT_EQ(patch(port(), 'a', path, 200000, std::string_view(bytes).substr(200000)).status, 204);
  auto m = bob.ws->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["file"].as_object()["sha256"]), sha256_hex(bytes));
}

TEST_F(Upload, AServerKilledDuringABodyKeepsWhatItStoredAndTheUploadEndsWithTheRightHash) {
  const auto bytes = file_bytes(3 * 1024 * 1024, 11);
  const auto path = create(port(), 'a', bytes.size(), metadata("killed.bin", "lobby", "k1"));
  ASSERT_FALSE(path.empty());
  {
    raw_connection c(port());
    c.send(request_text(port(), "PATCH", path,
                        as('a', {{"Content-Type", "application/offset+octet-stream"},
                                 {"Upload-Offset", "0"},
                                 {"Content-Length", std::to_string(bytes.size())}}),
                        std::string_view(bytes).substr(0, 2 * 1024 * 1024), false));
    ASSERT_GE(await_offset(port(), 'a', path, 1024 * 1024), 1024u * 1024);
    server->stop(SIGKILL);
  }
  server = start({});
  const auto kept = offset_of(port(), 'a', path);
  ASSERT_NE(kept, ~0ULL);
  EXPECT_GE(kept, 1024u * 1024);
  EXPECT_LE(kept, 2u * 1024 * 1024);
  auto bob = connect_person(port(), 'b', "/ws");
  auto r = patch(port(), 'a', path, kept, std::string_view(bytes).substr(kept));
  ASSERT_EQ(r.status, 204) << r.text;
  auto m = bob.ws->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["file"].as_object()["sha256"]), sha256_hex(bytes));
}

TEST_F(Upload, WrongOffsetsBytesPastTheLengthAndWrongChecksumsAreRefusedAndChangeNothing) {
  const auto bytes = file_bytes(1000, 13);
  const auto path = create(port(), 'a', bytes.size(), metadata("x.bin"));
  ASSERT_FALSE(path.empty());
  ASSERT_EQ(patch(port(), 'a', path, 0, std::string_view(bytes).substr(0, 400)).status, 204);

  auto wrong = patch(port(), 'a', path, 100, std::string_view(bytes).substr(100, 50));
  EXPECT_EQ(wrong.status, 409);
  EXPECT_EQ(wrong.header("Upload-Offset"), "400");
  EXPECT_NE(wrong.text.find("400 bytes"), std::string::npos) << "the body says the stored offset";

  auto past = patch(port(), 'a', path, 400, file_bytes(601, 1));
  EXPECT_EQ(past.status, 413);
  EXPECT_EQ(offset_of(port(), 'a', path), 400u);

  auto bad_sum = patch(port(), 'a', path, 400, std::string_view(bytes).substr(400, 100),
                       {{"Upload-Checksum", "sha256 " + sha256_base64("something else")}});
  EXPECT_EQ(bad_sum.status, 460);
  EXPECT_EQ(offset_of(port(), 'a', path), 400u) << "the request's bytes are dropped";
  auto other_algorithm = patch(port(), 'a', path, 400, std::string_view(bytes).substr(400, 100),
                               {{"Upload-Checksum", "md5 " + base64("0123456789abcdef")}});
  EXPECT_EQ(other_algorithm.status, 400);
  auto no_type = exchange(port(), "PATCH", path, as('a', {{"Upload-Offset", "400"}}), "abc");
  EXPECT_EQ(no_type.status, 415);
  EXPECT_EQ(offset_of(port(), 'a', path), 400u);
}

TEST_F(Upload, BadNamesAreRefusedAtCreation) {
  int status = 0;
  for (const std::string& name :
       {std::string("../etc/passwd"), std::string("a\\b"), std::string("nul\0here", 8),
        std::string(10000, 'x'), std::string(), std::string("bell\x07")}) {
    EXPECT_TRUE(create(port(), 'a', 10, "filename " + base64(name), &status).empty());
    EXPECT_EQ(status, 400) << name.size();
  }
  EXPECT_TRUE(create(port(), 'a', 10, "room " + base64("lobby"), &status).empty());
  EXPECT_EQ(status, 400) << "a filename is required";
  auto no_length = exchange(port(), "POST", "/files/uploads", as('a', {{"Upload-Metadata", metadata("a")}}));
  EXPECT_EQ(no_length.status, 400);
  EXPECT_FALSE(create(port(), 'a', 10, metadata("ça va ✓.txt")).empty()) << "UTF-8 names are fine";
}

TEST_F(Upload, AZeroByteFileMakesAMessageAtOnce) {
  auto bob = connect_person(port(), 'b', "/ws");
  const auto path = create(port(), 'a', 0, metadata("empty.txt", "lobby", "z1"));
  ASSERT_FALSE(path.empty());
  auto r = patch(port(), 'a', path, 0, "");
  ASSERT_EQ(r.status, 204) << r.text;
  EXPECT_FALSE(r.header("Message-Seq").empty());
  auto m = bob.ws->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["file"].as_object()["sha256"]), sha256_hex(""));
  EXPECT_EQ(u64((*m)["file"].as_object()["size"]), 0u);
}

TEST_F(Upload, APictureArrivesWithItsSizeAndAThumbnailThatCanBeFetched) {
  auto bob = connect_person(port(), 'b', "/ws");
  const std::string picture = png(800);
  const auto path = create(port(), 'a', picture.size(), metadata("cat.png", "lobby", "p1"));
  ASSERT_FALSE(path.empty());
  ASSERT_EQ(patch(port(), 'a', path, 0, picture).status, 204);
  auto m = bob.ws->next_of("message");
  ASSERT_TRUE(m);
  const auto& file = (*m)["file"].as_object();
  EXPECT_EQ(str(file.at("type")), "image/png");
  EXPECT_EQ(u64(file.at("width")), 800u);
  EXPECT_EQ(u64(file.at("height")), 800u);
  ASSERT_TRUE(file.contains("thumb") && file.at("thumb").as_bool());
  const auto thumb = exchange(port(), "GET", "/files/" + sha256_hex(picture) + "/thumb", as('b'));
  EXPECT_EQ(thumb.status, 200) << thumb.text.substr(0, 300);
  EXPECT_EQ(thumb.header("Content-Type"), "image/webp");
}

TEST_F(Upload, APictureDeclaringTooManyPixelsIsSharedAsAFileWithoutAThumbnail) {
  // A decompression bomb: a few hundred bytes whose header declares 50,000 x 50,000 pixels.
  auto bob = connect_person(port(), 'b', "/ws");
  std::string ihdr;
  for (std::uint32_t v : {50000u, 50000u})
    for (int shift = 24; shift >= 0; shift -= 8) ihdr.push_back(static_cast<char>((v >> shift) & 0xff));
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);
  const std::string bomb = std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", ihdr) +
                           png_chunk("IDAT", std::string(64, '\0')) + png_chunk("IEND", "");
  const auto path = create(port(), 'a', bomb.size(), metadata("bomb.png", "lobby", "b1"));
  ASSERT_FALSE(path.empty());
  ASSERT_EQ(patch(port(), 'a', path, 0, bomb).status, 204);
  auto m = bob.ws->next_of("message");
  ASSERT_TRUE(m);
  const auto& file = (*m)["file"].as_object();
  EXPECT_EQ(str(file.at("type")), "image/png");
  EXPECT_FALSE(file.contains("thumb"));
  EXPECT_EQ(exchange(port(), "GET", "/files/" + sha256_hex(bomb) + "/thumb", as('b')).status, 404);
  // The server is still well and serves the file itself, as an attachment-safe download.
  EXPECT_EQ(exchange(port(), "GET", "/files/" + sha256_hex(bomb), as('b')).status, 200);
}

TEST_F(Upload, AFileOverTheLimitIsRefusedBeforeAnyByte) {
  server.reset();
  server = start({"--max-file-bytes", "1000"});
  auto o = exchange(port(), "OPTIONS", "/files/uploads", {});
  EXPECT_EQ(o.status, 204);
  EXPECT_EQ(o.header("Tus-Max-Size"), "1000");
  EXPECT_EQ(o.header("Tus-Extension"), "creation,termination,checksum");
  int status = 0;
  EXPECT_TRUE(create(port(), 'a', 1001, metadata("big.bin"), &status).empty());
  EXPECT_EQ(status, 413);
  EXPECT_FALSE(create(port(), 'a', 1000, metadata("fits.bin")).empty());
}

TEST_F(Upload, AFullDiskInTheMiddleKeepsWhatWasStored) {
  // A file size limit (RLIMIT_FSIZE, through prlimit) stands in for the full disk: no tmpfs
  // can be mounted without privileges.
  server.reset();
  server = start({}, {"prlimit", "--fsize=" + std::to_string(2 * 1024 * 1024)});
  const auto bytes = file_bytes(3 * 1024 * 1024, 17);
  const auto path = create(port(), 'a', bytes.size(), metadata("full.bin"));
  ASSERT_FALSE(path.empty());
  auto r = patch(port(), 'a', path, 0, bytes);
  EXPECT_EQ(r.status, 507) << r.text;
  const auto kept = offset_of(port(), 'a', path);
  EXPECT_EQ(std::to_string(kept), r.header("Upload-Offset"));
  EXPECT_GT(kept, 0u);
  EXPECT_LE(kept, 2u * 1024 * 1024);
  // The server goes on: the chat works, and so does another request.
  auto ann = connect_person(port(), 'a', "/ws?name=ann");
  ann.ws->send_message("after", "ann", "still here");
  EXPECT_TRUE(ann.ws->next_of("ack"));
}

TEST_F(Upload, TwoClientsUploadingTheSameFileBothGetAMessageAndOneBlob) {
  auto bob = connect_person(port(), 'b', "/ws");
  const auto bytes = file_bytes(500 * 1024, 19);
  const auto p1 = create(port(), 'a', bytes.size(), metadata("same.bin", "lobby", "s1"));
  const auto p2 = create(port(), 'c', bytes.size(), metadata("same.bin", "lobby", "s2"));
  ASSERT_FALSE(p1.empty());
  ASSERT_FALSE(p2.empty());
  reply r1, r2;
  std::thread t([&] { r1 = patch(port(), 'a', p1, 0, bytes); });
  r2 = patch(port(), 'c', p2, 0, bytes);
  t.join();
  EXPECT_EQ(r1.status, 204) << r1.text;
  EXPECT_EQ(r2.status, 204) << r2.text;
  auto got = bob.ws->collect("message", 2);
  ASSERT_EQ(got.size(), 2u);
  for (auto& m : got) EXPECT_EQ(str(m["file"].as_object()["sha256"]), sha256_hex(bytes));
  std::size_t blobs = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(data.path() / "files" / "sha256"))
    blobs += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(blobs, 1u);
}

TEST_F(Upload, UploadsAreEachIdentitysOwnAndNeedTusAndAnIdentity) {
  const auto path = create(port(), 'a', 10, metadata("mine.txt"));
  ASSERT_FALSE(path.empty());
  EXPECT_EQ(exchange(port(), "HEAD", path, as('b')).status, 404) << "another identity's upload";
  EXPECT_EQ(patch(port(), 'b', path, 0, "0123456789").status, 404);
  EXPECT_EQ(exchange(port(), "DELETE", path, as('b')).status, 404);
  EXPECT_EQ(offset_of(port(), 'a', path), 0u);
  auto no_tus = exchange(port(), "HEAD", path, {{"Authorization", "Identity " + identity_token('a')}});
  EXPECT_EQ(no_tus.status, 412);
  auto nobody =
      exchange(port(), "POST", "/files/uploads",
               {{"Tus-Resumable", "1.0.0"}, {"Upload-Length", "1"}, {"Upload-Metadata", metadata("a")}});
  EXPECT_EQ(nobody.status, 401);
  EXPECT_EQ(exchange(port(), "DELETE", path, as('a')).status, 204);
  EXPECT_EQ(exchange(port(), "HEAD", path, as('a')).status, 404) << "deleted";
}

TEST(UploadKey, AWrongKeyIs401) {
  temp_dir data;
  server_process server{
      {"--data", data.path().string(), "--no-rate-limit", "--key", "sesame", "--min-free-bytes", "0"}};
  auto wrong = exchange(
      server.port(), "POST", "/files/uploads",
      as('a',
         {{"Upload-Length", "1"}, {"Upload-Metadata", metadata("a")}, {"Authorization", "Bearer wrong"}}));
  EXPECT_EQ(wrong.status, 401);
  auto right = exchange(server.port(), "POST", "/files/uploads",
                        {{"Tus-Resumable", "1.0.0"},
                         {"Authorization", "Identity " + identity_token('a') + ", Bearer sesame"},
                         {"Upload-Length", "1"},
                         {"Upload-Metadata", metadata("a")}});
  EXPECT_EQ(right.status, 201) << right.text;
}

TEST_F(Upload, APrivateRoomTakesFilesFromItsMembersOnly) {
  auto ann = connect_person(port(), 'a', "/ws?name=ann");
  ann.ws->send(R"({"type":"create_room","room":"plans","private":true})");
  ASSERT_TRUE(ann.ws->next_of("room"));
  int status = 0;
  EXPECT_TRUE(create(port(), 'b', 5, metadata("x.txt", "plans"), &status).empty());
  EXPECT_EQ(status, 403);
  const auto path = create(port(), 'a', 5, metadata("x.txt", "plans", "p1"));
  ASSERT_FALSE(path.empty());
  auto r = patch(port(), 'a', path, 0, "hello");
  EXPECT_EQ(r.status, 204) << r.text;
}

TEST_F(Upload, TheSameMessageIdTwiceMakesOneMessage) {
  auto bob = connect_person(port(), 'b', "/ws");
  const auto p1 = create(port(), 'a', 3, metadata("one.txt", "lobby", "twice"));
  const auto p2 = create(port(), 'a', 3, metadata("one.txt", "lobby", "twice"));
  auto r1 = patch(port(), 'a', p1, 0, "abc");
  auto r2 = patch(port(), 'a', p2, 0, "abc");
  ASSERT_EQ(r1.status, 204) << r1.text;
  ASSERT_EQ(r2.status, 204) << r2.text;
  EXPECT_EQ(r1.header("Message-Seq"), r2.header("Message-Seq"));
  auto m = bob.ws->next_of("message");
  ASSERT_TRUE(m);
  bob.ws->send_message("after", "bob", "next");
  auto next = bob.ws->next_of("message");
  ASSERT_TRUE(next);
  EXPECT_EQ(str((*next)["id"]), "after") << "no second file message";
}

TEST_F(Upload, ARefusedMessageLeavesTheUploadCompleteForARetry) {
  const auto path =
      create(port(), 'a', 4, metadata("reply.txt", "lobby", "re1") + ",reply_to " + base64("999"));
  ASSERT_FALSE(path.empty());
  auto r = patch(port(), 'a', path, 0, "data");
  EXPECT_EQ(r.status, 400) << r.text;
  EXPECT_NE(r.text.find("unknown_target"), std::string::npos);
  EXPECT_EQ(offset_of(port(), 'a', path), 4u) << "every byte stays";
  auto again = patch(port(), 'a', path, 4, "");
  EXPECT_EQ(again.status, 400) << "a retry asks the room again";
}

TEST_F(Upload, TooManyUploadsOrTooFullADiskAreRefusedAtCreation) {
  server.reset();
  server = start({"--max-uploads", "2", "--min-free-bytes", "1000000000000000"});
  int status = 0;
  EXPECT_TRUE(create(port(), 'a', 10, metadata("a"), &status).empty());
  EXPECT_EQ(status, 507) << "it would leave less than --min-free-bytes";
  server.reset();
  server = start({"--max-uploads", "2"});
  EXPECT_FALSE(create(port(), 'a', 10, metadata("a")).empty());
  EXPECT_FALSE(create(port(), 'a', 10, metadata("b")).empty());
  EXPECT_TRUE(create(port(), 'a', 10, metadata("c"), &status).empty());
  EXPECT_EQ(status, 429);
  EXPECT_FALSE(create(port(), 'b', 10, metadata("c")).empty()) << "per identity";
}

TEST_F(Upload, AnUnfinishedUploadExpires) {
  server.reset();
  server = start({"--upload-expiry", "1"});
  const auto path = create(port(), 'a', 10, metadata("late.txt"));
  ASSERT_FALSE(path.empty());
  ASSERT_EQ(patch(port(), 'a', path, 0, "01234").status, 204);
  // Bounded wait for the files worker's sweep: expiry is 1 s after the last byte.
  const auto until = std::chrono::steady_clock::now() + 15s;
  int status = 200;
  while (status != 404 && std::chrono::steady_clock::now() < until) {
    status = exchange(port(), "HEAD", path, as('a')).status;
    if (status != 404) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, 404);
  EXPECT_EQ(patch(port(), 'a', path, 5, "56789").status, 404);
}

TEST_F(Upload, ThePagesSessionCookieCarriesTheIdentity) {
  // The page asks /auth with its identity token and gets the cookie; an upload then needs
  // nothing else (a browser's tus client sends the cookie by itself).
  auto auth = http_get(port(), "/auth", {{"Authorization", "Identity " + identity_token('a')}});
  ASSERT_EQ(auth.first, 200);
  const auto at = auth.second.find("message_session=");
  ASSERT_NE(at, std::string::npos);
  const auto cookie = auth.second.substr(at, auth.second.find(';', at) - at);
  auto r = exchange(port(), "POST", "/files/uploads",
                    {{"Tus-Resumable", "1.0.0"},
                     {"Cookie", cookie},
                     {"Upload-Length", "2"},
                     {"Upload-Metadata", metadata("c.txt")}});
  ASSERT_EQ(r.status, 201) << r.text;
  EXPECT_EQ(offset_of(port(), 'a', r.header("Location")), 0u) << "the cookie's identity is the token's";
}

TEST_F(Upload, ABigBodyIsStreamedToDiskNotHeldInMemory) {
  const auto bytes = file_bytes(96 * 1024 * 1024, 23);
  const auto path = create(port(), 'a', bytes.size(), metadata("big.bin", "lobby", "big1"));
  ASSERT_FALSE(path.empty());
  const long before = server->rss_kib();
  auto r = patch(port(), 'a', path, 0, bytes);
  ASSERT_EQ(r.status, 204) << r.text;
  // One piece (upload_piece_bytes) at a time: the server grows by far less than the body.
  EXPECT_LT(server->rss_kib() - before, 24 * 1024) << "KiB grown for a 96 MiB body";
  auto bob = connect_person(port(), 'b', "/ws");
  bob.ws->send(R"({"type":"history","room":"lobby"})");
  auto h = bob.ws->next_of("history");
  ASSERT_TRUE(h);
  EXPECT_EQ(str((*h)["messages"].as_array().back().as_object().at("file").as_object().at("sha256")),
            sha256_hex(bytes));
}

// --- "Already there": a creation that names a blob the identity could download ----------

/// Metadata that claims the file's hash.
std::string claiming(const std::string& name, const std::string& room, const std::string& id,
                     const std::string& sha256) {
  return metadata(name, room, id) + ",sha256 " + base64(sha256);
}

/// Shares `bytes` in `room` as `who` the usual way; returns the message's seq.
std::string share(unsigned short port, char who, const std::string& room, const std::string& id,
                  const std::string& bytes) {
  const auto path = create(port, who, bytes.size(), metadata("first.bin", room, id));
  if (path.empty()) return {};
  auto r = patch(port, who, path, 0, bytes);
  return r.status == 204 ? r.header("Message-Seq") : std::string();
}

std::string body_of(const reply& r) {
  const auto at = r.text.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : r.text.substr(at + 4);
}

TEST_F(Upload, AFileAlreadySharedInAReadableRoomIsClaimedWithoutSendingItsBytes) {
  auto cat = connect_person(port(), 'c', "/ws");
  const auto bytes = file_bytes(300 * 1024, 31);
  const auto sha = sha256_hex(bytes);
  ASSERT_FALSE(share(port(), 'a', "lobby", "first", bytes).empty());
  ASSERT_TRUE(cat.ws->next_of("message"));

  auto r = exchange(port(), "POST", "/files/uploads",
                    as('b', {{"Upload-Length", std::to_string(bytes.size())},
                             {"Upload-Metadata", claiming("again.bin", "lobby", "claimed", sha)}}));
  ASSERT_EQ(r.status, 201) << r.text;
  EXPECT_EQ(r.header("Upload-Offset"), std::to_string(bytes.size())) << "nothing is uploaded";
  EXPECT_EQ(r.header("Message-Id"), "claimed");
  ASSERT_FALSE(r.header("Message-Seq").empty());
  EXPECT_FALSE(r.header("Location").empty());

  auto m = cat.ws->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["id"]), "claimed");
  EXPECT_EQ(std::to_string(u64((*m)["seq"])), r.header("Message-Seq"));
  const auto& file = (*m)["file"].as_object();
  EXPECT_EQ(str(file.at("sha256")), sha);
  EXPECT_EQ(str(file.at("name")), "again.bin");
  EXPECT_EQ(u64(file.at("size")), bytes.size());
  EXPECT_EQ(str(file.at("type")), "application/octet-stream");
  EXPECT_FALSE(file.contains("gone"));

  auto got = exchange(port(), "GET", "/files/" + sha, {{"Authorization", "Identity " + identity_token('b')}});
  ASSERT_EQ(got.status, 200) << got.text.substr(0, 300);
  EXPECT_EQ(sha256_hex(body_of(got)), sha) << "the download gives the shared bytes";

  // The same message id claimed again makes no second message.
  auto again = exchange(port(), "POST", "/files/uploads",
                        as('b', {{"Upload-Length", std::to_string(bytes.size())},
                                 {"Upload-Metadata", claiming("again.bin", "lobby", "claimed", sha)}}));
  ASSERT_EQ(again.status, 201) << again.text;
  EXPECT_EQ(again.header("Message-Seq"), r.header("Message-Seq"));
  cat.ws->send_message("after", "cat", "next");
  auto next = cat.ws->next_of("message");
  ASSERT_TRUE(next);
  EXPECT_EQ(str((*next)["id"]), "after") << "no second file message";
}

TEST_F(Upload, AClaimOnABlobOnlyAPrivateRoomSharesIsIgnoredForANonMember) {
  auto ann = connect_person(port(), 'a', "/ws?name=ann");
  ann.ws->send(R"({"type":"create_room","room":"plans","private":true})");
  ASSERT_TRUE(ann.ws->next_of("room"));
  const auto bytes = file_bytes(2000, 37);
  const auto sha = sha256_hex(bytes);
  ASSERT_FALSE(share(port(), 'a', "plans", "secret", bytes).empty());

  auto r = exchange(port(), "POST", "/files/uploads",
                    as('b', {{"Upload-Length", std::to_string(bytes.size())},
                             {"Upload-Metadata", claiming("guess.bin", "lobby", "guess", sha)}}));
  ASSERT_EQ(r.status, 201) << r.text;
  EXPECT_EQ(r.header("Upload-Offset"), "0") << "the claim is ignored: the bytes must come";
  EXPECT_EQ(r.header("Message-Seq"), "");
  auto done = patch(port(), 'b', r.header("Location"), 0, bytes);
  EXPECT_EQ(done.status, 204) << done.text;
}

TEST_F(Upload, AClaimWithAnotherSizeIsIgnored) {
  const auto bytes = file_bytes(4000, 41);
  const auto sha = sha256_hex(bytes);
  ASSERT_FALSE(share(port(), 'a', "lobby", "sized", bytes).empty());
  auto r = exchange(port(), "POST", "/files/uploads",
                    as('b', {{"Upload-Length", std::to_string(bytes.size() + 1)},
                             {"Upload-Metadata", claiming("bigger.bin", "lobby", "bigger", sha)}}));
  ASSERT_EQ(r.status, 201) << r.text;
  EXPECT_EQ(r.header("Upload-Offset"), "0");
  EXPECT_EQ(r.header("Message-Seq"), "");
  EXPECT_EQ(offset_of(port(), 'b', r.header("Location")), 0u) << "a real upload waits for its bytes";
}

// --- Blob retention and the total size cap ----------------------------------------------

std::filesystem::path blob_path(const std::filesystem::path& data, const std::string& sha) {
  return data / "files" / "sha256" / sha.substr(0, 2) / sha.substr(2);
}

/// Waits (bounded) until the blob's file is gone; true when it went.
bool await_removed(const std::filesystem::path& blob) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < until) {
    if (!std::filesystem::exists(blob)) return true;
    std::this_thread::yield();
  }
  return !std::filesystem::exists(blob);
}

int download_status(unsigned short port, char who, const std::string& sha) {
  return exchange(port, "GET", "/files/" + sha, {{"Authorization", "Identity " + identity_token(who)}})
      .status;
}

TEST_F(Upload, AMessagePrunedByKeepMessagesFreesItsBlob) {
  auto ann = connect_person(port(), 'a', "/ws?name=ann");
  const auto bytes = file_bytes(3000, 43);
  const auto sha = sha256_hex(bytes);
  ASSERT_FALSE(share(port(), 'a', "lobby", "old-file", bytes).empty());
  ann.ws->send_message("newer", "ann", "the newest message stays");
  ASSERT_TRUE(ann.ws->next_of("ack"));
  ASSERT_TRUE(std::filesystem::exists(blob_path(data.path(), sha)));
  ann.ws.reset();
  server->stop();
  server = start({"--keep-messages", "1"});
  EXPECT_TRUE(await_removed(blob_path(data.path(), sha))) << "no message references the blob any more";
  EXPECT_EQ(download_status(port(), 'a', sha), 404);
}

TEST_F(Upload, ABlobSharedByTwoMessagesStaysWhileOneRemains) {
  auto ann = connect_person(port(), 'a', "/ws?name=ann");
  const auto shared = file_bytes(3000, 47);
  const auto alone = file_bytes(3000, 53);
  ASSERT_FALSE(share(port(), 'a', "lobby", "shared-old", shared).empty());
  ASSERT_FALSE(share(port(), 'a', "lobby", "alone-old", alone).empty());
  ann.ws->send_message("newer", "ann", "the newest message of the lobby");
  ASSERT_TRUE(ann.ws->next_of("ack"));
  ASSERT_FALSE(share(port(), 'a', "other", "shared-new", shared).empty()) << "the only message of its room";
  ann.ws.reset();
  server->stop();
  server = start({"--keep-messages", "1"});
  // The lone blob going says the round ran; the shared one stays for the message that remains.
  ASSERT_TRUE(await_removed(blob_path(data.path(), sha256_hex(alone))));
  EXPECT_TRUE(std::filesystem::exists(blob_path(data.path(), sha256_hex(shared))));
  auto got = exchange(port(), "GET", "/files/" + sha256_hex(shared),
                      {{"Authorization", "Identity " + identity_token('a')}});
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(body_of(got), shared);
}

TEST_F(Upload, TheSizeCapRemovesTheOldestBlobAndHistorySaysItIsGone) {
  server->stop();
  server = start({"--max-files-total-bytes", "150000"});
  auto bob = connect_person(port(), 'b', "/ws");
  const auto older = file_bytes(100000, 59);
  const auto newer = file_bytes(100000, 61);
  ASSERT_FALSE(share(port(), 'a', "lobby", "older", older).empty());
  EXPECT_TRUE(std::filesystem::exists(blob_path(data.path(), sha256_hex(older)))) << "under the cap";
  ASSERT_FALSE(share(port(), 'a', "lobby", "newer", newer).empty());
  ASSERT_TRUE(await_removed(blob_path(data.path(), sha256_hex(older)))) << "past the cap the oldest goes";
  EXPECT_TRUE(std::filesystem::exists(blob_path(data.path(), sha256_hex(newer))));
  EXPECT_EQ(download_status(port(), 'b', sha256_hex(older)), 410);
  EXPECT_EQ(download_status(port(), 'b', sha256_hex(newer)), 200);

  // The message keeps its file, marked gone; a bounded wait for the mark, written after the removal.
  const auto until = std::chrono::steady_clock::now() + 10s;
  bool marked = false;
  while (!marked && std::chrono::steady_clock::now() < until) {
    bob.ws->send(R"({"type":"history","room":"lobby"})");
    auto h = bob.ws->next_of("history");
    ASSERT_TRUE(h);
    for (const auto& m : (*h)["messages"].as_array()) {
      const auto& o = m.as_object();
      if (str(o.at("id")) != "older") continue;
      const auto& file = o.at("file").as_object();
      EXPECT_EQ(str(file.at("sha256")), sha256_hex(older));
      marked = file.contains("gone") && file.at("gone").as_bool();
    }
  }
  EXPECT_TRUE(marked) << "history says the older file is gone";
  bob.ws->send(R"({"type":"history","room":"lobby"})");
  auto h = bob.ws->next_of("history");
  ASSERT_TRUE(h);
  for (const auto& m : (*h)["messages"].as_array()) {
    if (str(m.as_object().at("id")) == "newer") {
      EXPECT_FALSE(m.as_object().at("file").as_object().contains("gone"));
    }
  }
}

// --- Downloads keep the connection ------------------------------------------------------

/// Reads one answer with a Content-Length body from `fd`; "" when the connection ends first.
std::string read_answer(int fd) {
  std::string got;
  char buf[65536];
  for (;;) {
    const auto head_end = got.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      std::string lower = got.substr(0, head_end);
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto at = lower.find("content-length:");
      const std::size_t length = at == std::string::npos ? 0 : std::stoull(lower.substr(at + 15));
      if (got.size() >= head_end + 4 + length) return got.substr(0, head_end + 4 + length);
    }
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return {};
    got.append(buf, static_cast<std::size_t>(n));
  }
}

TEST_F(Upload, TwoDownloadsGoOverOneConnection) {
  const auto first = file_bytes(200 * 1024, 67);
  const auto second = file_bytes(1000, 71);
  ASSERT_FALSE(share(port(), 'a', "lobby", "one", first).empty());
  ASSERT_FALSE(share(port(), 'a', "lobby", "two", second).empty());
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port());
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  const auto get = [&](const std::string& sha) {
    const std::string req = "GET /files/" + sha + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port()) +
                            "\r\nAuthorization: Identity " + identity_token('b') + "\r\n\r\n";
    EXPECT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    return read_answer(fd);
  };
  const auto one = get(sha256_hex(first));
  ASSERT_EQ(one.rfind("HTTP/1.1 200", 0), 0u) << one.substr(0, 300);
  EXPECT_NE(one.find("Connection: keep-alive"), std::string::npos);
  EXPECT_EQ(one.substr(one.find("\r\n\r\n") + 4), first);
  const auto two = get(sha256_hex(second));
  ASSERT_EQ(two.rfind("HTTP/1.1 200", 0), 0u) << "the second answer comes on the same connection";
  EXPECT_EQ(two.substr(two.find("\r\n\r\n") + 4), second);
  const auto missing = get(std::string(64, 'f'));
  EXPECT_EQ(missing.rfind("HTTP/1.1 404", 0), 0u) << "an error answer keeps it too";
  ::close(fd);
}

}  // namespace
}  // namespace message::test
