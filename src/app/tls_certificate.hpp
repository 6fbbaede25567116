#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace message::app {

/// The certificate and key files TLS serves with.
struct tls_files {
  std::filesystem::path cert;
  std::filesystem::path key;
};

/// --tls-self-signed: DIR/tls-cert.pem and DIR/tls-key.pem, made on first start (EC P-256,
/// SHA-256, valid 10 years, names: localhost and `host_names`) and kept after that, so people
/// check the fingerprint once. The key file is mode 0600. Throws std::runtime_error saying why.
tls_files ensure_self_signed(const std::filesystem::path& dir, const std::vector<std::string>& host_names);

/// The SHA-256 fingerprint ("AB:CD:...") of the first certificate of a PEM file: what browsers
/// show in their certificate viewer. Throws std::runtime_error if the file holds none.
std::string certificate_fingerprint(const std::filesystem::path& cert);

}  // namespace message::app
