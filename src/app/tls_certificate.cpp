#include "app/tls_certificate.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

namespace message::app {

namespace {

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using file_ptr = std::unique_ptr<FILE, decltype([](FILE* f) { std::fclose(f); })>;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("TLS: " + what); }

file_ptr open_file(const std::filesystem::path& path, const char* mode) {
  file_ptr f(std::fopen(path.c_str(), mode));
  if (!f) fail("cannot open " + path.string());
  return f;
}

void make_self_signed(const tls_files& files, const std::vector<std::string>& host_names) {
  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot make an EC key");
  x509_ptr cert(X509_new());
  if (!cert) fail("cannot make a certificate");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) fail("no randomness for the serial number");
  serial[0] &= 0x7f;  // Positive.
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 3650);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("message LAN chat"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("message"), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  // Browsers check the subject alternative names, not the CN.
  std::string san = "DNS:localhost,IP:127.0.0.1,IP:::1";
  for (const auto& h : host_names) {
    std::string bare = h;
    if (bare.size() > 2 && bare.front() == '[') bare = bare.substr(1, bare.size() - 2);
    san +=
        (bare.find_first_not_of("0123456789.:abcdefABCDEF") == std::string::npos ? ",IP:" : ",DNS:") + bare;
  }
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, san},
                                   std::pair{NID_basic_constraints, std::string("critical,CA:FALSE")},
                                   std::pair{NID_ext_key_usage, std::string("serverAuth")}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
    if (!ext) fail("cannot add the extension " + value);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("cannot sign the certificate");

  // The key first, readable by its owner only, then the certificate: a half-made pair is
  // remade on the next start because the certificate is missing.
  const auto key_tmp = files.key.string() + ".tmp";
  {
    std::FILE* raw = nullptr;
    const int fd = ::open(key_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) raw = ::fdopen(fd, "w");
    if (!raw) fail("cannot write " + key_tmp);
    file_ptr f(raw);
    if (PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
      fail("cannot write the key");
  }
  std::filesystem::rename(key_tmp, files.key);
  const auto cert_tmp = files.cert.string() + ".tmp";
  {
    auto f = open_file(cert_tmp, "w");
    if (PEM_write_X509(f.get(), cert.get()) != 1) fail("cannot write the certificate");
  }
  std::filesystem::rename(cert_tmp, files.cert);
}

}  // namespace

tls_files ensure_self_signed(const std::filesystem::path& dir, const std::vector<std::string>& host_names) {
  tls_files files{dir / "tls-cert.pem", dir / "tls-key.pem"};
  if (!std::filesystem::exists(files.cert) || !std::filesystem::exists(files.key))
    make_self_signed(files, host_names);
  return files;
}

std::string certificate_fingerprint(const std::filesystem::path& cert_path) {
  auto f = open_file(cert_path, "r");
  x509_ptr cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) fail(cert_path.string() + " holds no PEM certificate");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert.get(), EVP_sha256(), md, &n) != 1) fail("cannot hash the certificate");
  std::string out;
  for (unsigned int i = 0; i < n; ++i) out += fmt::format("{}{:02X}", i ? ":" : "", md[i]);
  return out;
}

}  // namespace message::app
