#include "app/tls_certificate.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
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
[[noreturn]] void cannot_keep(const std::string& what) { throw tls_storage_error("TLS: " + what); }

/// Renames `from` to `to`, or says it cannot keep the file.
void rename_into_place(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
  if (ec) cannot_keep("cannot write " + to.string() + ": " + ec.message());
}

/// The PEM text `write` puts in a memory BIO.
template <class Write>
std::string pem_text(Write write) {
  std::unique_ptr<BIO, deleter<BIO, BIO_free_all>> bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) fail("cannot write PEM text");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(length)};
}

file_ptr open_file(const std::filesystem::path& path, const char* mode) {
  file_ptr f(std::fopen(path.c_str(), mode));
  if (!f) fail("cannot open " + path.string());
  return f;
}

x509_ptr read_certificate(const std::filesystem::path& path) {
  auto f = open_file(path, "r");
  x509_ptr cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) fail(path.string() + " holds no PEM certificate");
  return cert;
}

/// The subject alternative names `cert` holds, in self_signed_names()'s form, sorted.
std::vector<std::string> names_of(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      const auto* s = n->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                         static_cast<std::size_t>(ASN1_STRING_length(s))));
    } else if (n->type == GEN_IPADD) {
      const auto* s = n->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      const int family = ASN1_STRING_length(s) == 4 ? AF_INET : AF_INET6;
      if (inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof text))
        out.push_back(std::string("IP:") + text);
    }
  }
  GENERAL_NAMES_free(names);
  std::sort(out.begin(), out.end());
  return out;
}

pkey_ptr read_key(const std::filesystem::path& path) {
  auto f = open_file(path, "r");
  pkey_ptr key(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
  if (!key) fail(path.string() + " holds no PEM private key");
  return key;
}

void write_key(const std::filesystem::path& path, EVP_PKEY* key) {
  // Readable by its owner only; written aside and renamed so a crash leaves no half key.
  const auto tmp = path.string() + ".tmp";
  {
    std::FILE* raw = nullptr;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) raw = ::fdopen(fd, "w");
    if (!raw) cannot_keep("cannot write " + tmp + ": " + std::strerror(errno));
    file_ptr f(raw);
    if (PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
      cannot_keep("cannot write the key to " + tmp);
  }
  rename_into_place(tmp, path);
}

/// A self-signed certificate for `key` with `names`.
x509_ptr make_certificate(EVP_PKEY* key, const std::vector<std::string>& names) {
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
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("message LAN chat"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("message"), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  // Browsers check the subject alternative names, not the CN.
  std::string san;
  for (const auto& n : names) san += (san.empty() ? "" : ",") + n;
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
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) fail("cannot sign the certificate");
  return cert;
}

/// A certificate for `key` with `names`, written to files.cert.
void write_certificate(const tls_files& files, EVP_PKEY* key, const std::vector<std::string>& names) {
  const auto cert = make_certificate(key, names);
  const auto cert_tmp = files.cert.string() + ".tmp";
  {
    file_ptr f(std::fopen(cert_tmp.c_str(), "w"));
    if (!f) cannot_keep("cannot write " + cert_tmp + ": " + std::strerror(errno));
    if (PEM_write_X509(f.get(), cert.get()) != 1) cannot_keep("cannot write the certificate to " + cert_tmp);
  }
  rename_into_place(cert_tmp, files.cert);
}

pkey_ptr make_key() {
  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot make an EC key");
  return key;
}

/// The first certificate of PEM text.
x509_ptr parse_certificate(std::string_view pem) {
  std::unique_ptr<BIO, deleter<BIO, BIO_free_all>> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  x509_ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) fail("no PEM certificate");
  return cert;
}

}  // namespace

bool is_dns_label(std::string_view name) {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::vector<std::string> self_signed_names(std::string_view host, const std::vector<std::string>& addresses) {
  std::vector<std::string> out{"DNS:localhost", "IP:127.0.0.1", "IP:::1"};
  if (is_dns_label(host)) {
    out.push_back("DNS:" + std::string(host));
    out.push_back("DNS:" + std::string(host) + ".local");
  }
  for (const auto& a : addresses) {
    const bool v6 = a.size() > 2 && a.front() == '[' && a.back() == ']';
    out.push_back("IP:" + (v6 ? a.substr(1, a.size() - 2) : a));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

tls_files ensure_self_signed(const std::filesystem::path& dir, const std::vector<std::string>& names) {
  tls_files files{dir / "tls-cert.pem", dir / "tls-key.pem"};
  std::vector<std::string> wanted = names;
  std::sort(wanted.begin(), wanted.end());
  if (!std::filesystem::exists(files.key)) {
    // The key first, then the certificate: a half-made pair is remade on the next start
    // because the certificate is missing.
    const auto key = make_key();
    write_key(files.key, key.get());
    write_certificate(files, key.get(), wanted);
  } else if (!std::filesystem::exists(files.cert)) {
    write_certificate(files, read_key(files.key).get(), wanted);
  } else if (names_of(read_certificate(files.cert).get()) != wanted) {
    write_certificate(files, read_key(files.key).get(), wanted);
    files.renewed = true;
  }
  return files;
}

tls_pem make_self_signed_pem(const std::vector<std::string>& names) {
  std::vector<std::string> wanted = names;
  std::sort(wanted.begin(), wanted.end());
  const auto key = make_key();
  const auto cert = make_certificate(key.get(), wanted);
  return {pem_text([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); }), pem_text([&](BIO* b) {
            return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          })};
}

std::string read_pem_file(const std::filesystem::path& path) {
  auto f = open_file(path, "r");
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f.get())) > 0;) out.append(buf, n);
  if (std::ferror(f.get())) fail("cannot read " + path.string());
  return out;
}

std::string public_key_pin(std::string_view cert_pem) {
  const auto cert = parse_certificate(cert_pem);
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(X509_get0_pubkey(cert.get()), &der);
  if (length <= 0) fail("cannot read the certificate's public key");
  unsigned char md[32];
  SHA256(der, static_cast<std::size_t>(length), md);
  OPENSSL_free(der);
  unsigned char base64[64] = {};
  EVP_EncodeBlock(base64, md, sizeof md);
  return "sha256//" + std::string(reinterpret_cast<const char*>(base64));
}

std::string certificate_fingerprint(std::string_view cert_pem) {
  const auto cert = parse_certificate(cert_pem);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert.get(), EVP_sha256(), md, &n) != 1) fail("cannot hash the certificate");
  std::string out;
  for (unsigned int i = 0; i < n; ++i) out += fmt::format("{}{:02X}", i ? ":" : "", md[i]);
  return out;
}

}  // namespace message::app
