// `message send` over wss: the server's public key is pinned with --fingerprint or trusted on
// first use in known_servers, and a changed one is refused loudly, like ssh.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <fstream>

#include "client_process.hpp"
#include "harness.hpp"

namespace message::test {
namespace {

/// SHA-256 of the certificate's SubjectPublicKeyInfo, "AB:CD:...", computed here with
/// OpenSSL from the file, independently of the client's code.
std::string spki_sha256(const std::filesystem::path& pem) {
  FILE* f = std::fopen(pem.c_str(), "r");
  if (!f) return {};
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!cert) return {};
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
  unsigned char md[32];
  unsigned int n = 0;
  EVP_Digest(der, static_cast<std::size_t>(len), md, &n, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  X509_free(cert);
  std::string out;
  char hex[4];
  for (unsigned i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%s%02X", i ? ":" : "", md[i]);
    out += hex;
  }
  return out;
}

class TerminalTls : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<server_process>(
        std::vector<std::string>{"--data", dir.path().string(), "--no-rate-limit", "--tls-self-signed"});
    url = "https://127.0.0.1:" + std::to_string(server->port());
    fingerprint = spki_sha256(dir.path() / "tls-cert.pem");
    ASSERT_EQ(fingerprint.size(), 95u);
  }
  std::filesystem::path known() const { return home.path() / ".config" / "message" / "known_servers"; }

  temp_dir dir, home;
  std::unique_ptr<server_process> server;
  std::string url, fingerprint;
};

TEST_F(TerminalTls, FirstUseIsTrustedAndRecordedThenChecked) {
  auto first = run_client({"send", "--server", url, "hello"}, home.path());
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.err.find("trusting 127.0.0.1:" + std::to_string(server->port()) + " on first use"),
            std::string::npos)
      << first.err;
  EXPECT_NE(first.err.find(fingerprint), std::string::npos) << first.err;
  std::ifstream in(known());
  std::string who, fp;
  in >> who >> fp;
  EXPECT_EQ(who, "127.0.0.1:" + std::to_string(server->port()));
  EXPECT_EQ(fp, fingerprint);
  auto second = run_client({"send", "--server", url, "again"}, home.path());
  EXPECT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(second.err, "") << "known now: nothing to announce";
  auto tail = run_client({"tail", "--server", url, "--json"}, home.path());
  EXPECT_EQ(lines_of(tail.out).size(), 2u) << tail.err;
}

TEST_F(TerminalTls, AChangedFingerprintIsRefusedLoudly) {
  std::filesystem::create_directories(known().parent_path());
  const std::string other(95, 'A');
  std::ofstream(known()) << "127.0.0.1:" << server->port() << " " << other << "\n";
  auto r = run_client({"send", "--server", url, "hello"}, home.path());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("HAS CHANGED"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fingerprint), std::string::npos) << r.err;
  auto tail = run_client({"tail", "--server", url, "-f"}, home.path());
  EXPECT_EQ(tail.code, 3) << "not retried: " << tail.err;
}

TEST_F(TerminalTls, APinnedFingerprintIsCheckedAndKnownServersLeftAlone) {
  auto wrong = run_client({"send", "--server", url, "--fingerprint", std::string(95, 'B'), "x"}, home.path());
  EXPECT_EQ(wrong.code, 3);
  EXPECT_NE(wrong.err.find("not the one given with --fingerprint"), std::string::npos) << wrong.err;
  // Any spelling of the digest: lowercase, no colons, with a SHA256: label.
  std::string plain;
  for (char c : fingerprint)
    if (c != ':') plain += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // And the form the server's start lines print it in: sha256//BASE64 of the same 32 bytes.
  std::string bytes;
  for (std::size_t i = 0; i + 1 < plain.size(); i += 2)
    bytes += static_cast<char>(std::stoi(plain.substr(i, 2), nullptr, 16));
  std::string b64(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  b64.resize(static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                                      static_cast<int>(bytes.size()))));
  for (const auto& pin : {fingerprint, plain, "SHA256:" + plain, "sha256//" + b64}) {
    auto ok = run_client({"send", "--server", url, "--fingerprint", pin, "pinned"}, home.path());
    EXPECT_EQ(ok.code, 0) << pin << ": " << ok.err;
  }
  EXPECT_FALSE(std::filesystem::exists(known()));
}

}  // namespace
}  // namespace message::test
