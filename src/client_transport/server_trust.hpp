#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/types.h>

namespace message::client {

/// The SHA-256 of a certificate's public key (its DER SubjectPublicKeyInfo) as "AB:CD:...":
/// it survives a renewal that keeps the key, unlike the certificate's own fingerprint.
std::string spki_fingerprint(X509* cert);

/// "ab cd", "abcd", "AB:CD" and "sha256//qs0=" (base64, as the server's start lines print it)
/// are the same fingerprint: uppercase hex with colons.
std::string normalize_fingerprint(std::string_view text);

/// How a TLS server is trusted, like ssh: a fingerprint pinned with --fingerprint, else the
/// one recorded in known_servers the first time (trust on first use). Not thread-safe; one
/// per connection attempt.
class server_trust {
 public:
  /// `pinned` empty: use `known_servers` (a file of "host:port FINGERPRINT" lines).
  server_trust(const std::string& pinned, std::filesystem::path known_servers);

  /// Checks the fingerprint the server at `authority` showed. Returns the refusal to print,
  /// or nullopt when trusted (a first use is recorded and announced on stderr).
  std::optional<std::string> check(const std::string& authority, const std::string& fingerprint) const;

 private:
  std::string pinned_;
  std::filesystem::path known_servers_;
};

}  // namespace message::client
