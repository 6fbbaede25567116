// The self-signed certificate's names (issue 26): this machine's host name, HOST.local and
// every LAN address, renewed with the same key pair when they change.
#include "app/tls_certificate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "qr_reader.hpp"
#include "temp_dir.hpp"

namespace message::app {
namespace {

TEST(TlsNames, HostHostLocalLoopbackAndEveryAddress) {
  const auto names = self_signed_names("vm", {"192.0.2.2", "[fd00::2]", "192.0.2.2"});
  EXPECT_EQ(names, (std::vector<std::string>{"DNS:localhost", "DNS:vm", "DNS:vm.local", "IP:127.0.0.1",
                                             "IP:192.0.2.2", "IP:::1", "IP:fd00::2"}));
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(TlsNames, AHostNameThatIsNoDnsLabelIsLeftOut) {
  const std::vector<std::string> bad_names{"my_host",
                                           "\xC3\xBC"
                                           "ber",
                                           "-vm",
                                           "vm-",
                                           "",
                                           std::string(64, 'a'),
                                           "a.b"};
  for (const auto& bad : bad_names) {
    const auto names = self_signed_names(bad, {"10.0.0.1"});
    EXPECT_EQ(names, (std::vector<std::string>{"DNS:localhost", "IP:10.0.0.1", "IP:127.0.0.1", "IP:::1"}))
        << bad;
  }
  EXPECT_TRUE(is_dns_label(std::string(63, 'a')));
  EXPECT_TRUE(is_dns_label("kitchen-pc2"));
}

TEST(TlsNames, NewAddressesRenewTheCertificateWithTheSameKey) {
  test::temp_dir dir;
  const auto first = ensure_self_signed(dir.path(), self_signed_names("vm", {"192.0.2.2"}));
  EXPECT_FALSE(first.renewed);
  const auto fingerprint = certificate_fingerprint(read_pem_file(first.cert));
  const auto pin = public_key_pin(read_pem_file(first.cert));
  EXPECT_EQ(pin.rfind("sha256//", 0), 0U);

  const auto same = ensure_self_signed(dir.path(), self_signed_names("vm", {"192.0.2.2"}));
  EXPECT_FALSE(same.renewed) << "the same names keep the certificate";
  EXPECT_EQ(certificate_fingerprint(read_pem_file(same.cert)), fingerprint);

  const auto moved = ensure_self_signed(dir.path(), self_signed_names("vm", {"192.0.2.77"}));
  EXPECT_TRUE(moved.renewed);
  EXPECT_NE(certificate_fingerprint(read_pem_file(moved.cert)), fingerprint) << "a new certificate";
  EXPECT_EQ(public_key_pin(read_pem_file(moved.cert)), pin) << "the same key pair";
  // The names read back from the renewed certificate are what was asked for.
  EXPECT_FALSE(ensure_self_signed(dir.path(), self_signed_names("vm", {"192.0.2.77"})).renewed);

  if (test::have_tool("openssl")) {
    // curl's documented recipe for a --pinnedpubkey hash, on the same file.
    const std::string cert = moved.cert.string();
    const std::string b64 =
        test::output_of("openssl x509 -in '" + cert +
                        "' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst "
                        "-sha256 -binary | openssl enc -base64");
    EXPECT_EQ("sha256//" + b64.substr(0, b64.find('\n')), pin);
    const std::string sans = test::output_of("openssl x509 -in '" + cert + "' -noout -ext subjectAltName");
    EXPECT_NE(sans.find("DNS:vm.local"), std::string::npos) << sans;
    EXPECT_NE(sans.find("IP Address:192.0.2.77"), std::string::npos) << sans;
  }
}

TEST(TlsNames, ADataDirectoryThatCannotKeepTheCertificateSaysSoAndOneIsMadeInMemory) {
  test::temp_dir dir;
  // A directory where the key's temporary file goes: the write fails as on a read-only or full
  // disk, even for root (who ignores a read-only mode).
  std::filesystem::create_directory(dir.path() / "tls-key.pem.tmp");
  const auto names = self_signed_names("vm", {"192.0.2.2"});
  EXPECT_THROW(ensure_self_signed(dir.path(), names), tls_storage_error);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tls-key.pem"));

  const auto pem = make_self_signed_pem(names);
  EXPECT_NE(pem.key.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(certificate_fingerprint(pem.cert).size(), 32U * 3 - 1);
  EXPECT_NE(public_key_pin(pem.cert), public_key_pin(make_self_signed_pem(names).cert))
      << "a new key each time";
}

TEST(TlsNames, ADamagedKeyIsAnErrorNotReplaced) {
  test::temp_dir dir;
  std::ofstream(dir.path() / "tls-key.pem") << "not a key\n";
  try {
    ensure_self_signed(dir.path(), self_signed_names("vm", {}));
    ADD_FAILURE() << "a damaged key must not be accepted";
  } catch (const tls_storage_error& e) {
    ADD_FAILURE() << "a damaged key is no storage problem (replacing it would change the pinned key): "
                  << e.what();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("tls-key.pem"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace message::app
