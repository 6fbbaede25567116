#include "client_transport/server_trust.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace message::client {

std::string spki_fingerprint(X509* cert) {
  if (!cert) return {};
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  if (len <= 0) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  const bool ok = EVP_Digest(der, static_cast<std::size_t>(len), md, &n, EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  if (!ok) return {};
  std::string out;
  char hex[4];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%02X", md[i]);
    if (i) out += ':';
    out += hex;
  }
  return out;
}

std::string normalize_fingerprint(std::string_view text) {
  // "sha256//BASE64" is the form the server's start lines print (curl's --pinnedpubkey form):
  // the same 32 bytes, in base64.
  if (text.size() > 8 && (text.substr(0, 8) == "sha256//" || text.substr(0, 8) == "SHA256//")) {
    const auto b64 = text.substr(8);
    std::string bytes(b64.size(), '\0');
    const int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                        reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
    if (n < 0) return {};
    // EVP_DecodeBlock counts the padding's zero bytes too.
    auto size = static_cast<std::size_t>(n);
    for (std::size_t i = b64.size(); i > 0 && b64[i - 1] == '=' && size > 0; --i) --size;
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
      const auto byte = static_cast<unsigned char>(bytes[i]);
      if (i) out += ':';
      out += digits[byte >> 4];
      out += digits[byte & 15];
    }
    return out;
  }
  // "SHA256:" in front is a label, not part of the digest.
  if (text.size() > 7 && (text.substr(0, 6) == "SHA256" || text.substr(0, 6) == "sha256"))
    text.remove_prefix(7);
  std::string hex;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c)))
      hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (i) out += ':';
    out += hex.substr(i, 2);
  }
  return out;
}

server_trust::server_trust(const std::string& pinned, std::filesystem::path known_servers)
    : pinned_(pinned.empty() ? std::string() : normalize_fingerprint(pinned)),
      known_servers_(std::move(known_servers)) {}

std::optional<std::string> server_trust::check(const std::string& authority,
                                               const std::string& fingerprint) const {
  if (fingerprint.empty()) return "the server showed no certificate";
  if (!pinned_.empty()) {
    if (fingerprint == pinned_) return std::nullopt;
    return "the server's public key fingerprint is\n    " + fingerprint +
           "\nnot the one given with --fingerprint\n    " + pinned_ +
           "\nsomeone may be impersonating it: refusing to connect";
  }
  std::ifstream in(known_servers_);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string who, known;
    if (!(fields >> who >> known) || who != authority) continue;
    if (known == fingerprint) return std::nullopt;
    std::string warning = "@@@ WARNING: THE SERVER'S KEY HAS CHANGED @@@\n";
    warning.append(authority).append(" now shows the public key fingerprint\n    ").append(fingerprint);
    warning.append("\nbut ").append(known_servers_.string()).append(" recorded\n    ").append(known);
    warning.append("\nsomeone may be impersonating it, or its key was replaced. Refusing to connect.\n");
    warning.append("If the change is expected, remove the line of ").append(authority);
    warning.append(" from that file, or pass --fingerprint.");
    return warning;
  }
  std::ofstream out(known_servers_, std::ios::app);
  out << authority << ' ' << fingerprint << '\n';
  out.flush();
  if (!out) return "cannot record the server's fingerprint in " + known_servers_.string();
  std::fprintf(
      stderr,
      "message: trusting %s on first use; its public key fingerprint is\n    %s\n  (recorded in %s)\n",
      authority.c_str(), fingerprint.c_str(), known_servers_.c_str());
  return std::nullopt;
}

}  // namespace message::client
