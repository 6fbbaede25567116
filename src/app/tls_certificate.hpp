#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace message::app {

/// The certificate and key files TLS serves with.
struct tls_files {
  std::filesystem::path cert;
  std::filesystem::path key;
  bool renewed = false;  ///< The certificate was made again for new names, with the same key.
};

/// A certificate (chain) and its private key as PEM text.
struct tls_pem {
  std::string cert;
  std::string key;
};

/// What the start lines say of the TLS certificate served; empty without TLS (--no-tls).
struct tls_identity {
  std::string fingerprint;  ///< certificate_fingerprint(): what a browser shows.
  std::string pin;          ///< public_key_pin(): what the terminal client pins.
  bool renewed = false;     ///< tls_files::renewed.
  /// The self-signed certificate's file in --data; empty for --tls-cert or one kept in memory.
  std::string kept_in;
  /// Why the self-signed certificate could not be kept in --data (this run's is in memory).
  std::string not_kept;
};

/// The data directory cannot hold the certificate or its key (read-only, full, a directory in
/// the way): the caller may serve one made in memory instead.
struct tls_storage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// True for a DNS label a certificate and mDNS accept: 1 to 63 of A-Z a-z 0-9 and '-', not
/// starting or ending with '-'. Pure.
bool is_dns_label(std::string_view name);

/// The subject alternative names of a self-signed certificate, in OpenSSL's text form
/// ("DNS:vm.local", "IP:192.168.1.20"): localhost and the loopback addresses; `host` and
/// `host`.local when `host` is a valid DNS label (browsers then accept http://HOST.local once
/// the certificate is trusted); every address of `addresses` (URL form: "[fd00::2]" is fine).
/// Sorted, without duplicates. Pure.
std::vector<std::string> self_signed_names(std::string_view host, const std::vector<std::string>& addresses);

/// The default TLS (no --tls-cert, no --no-tls): DIR/tls-cert.pem and DIR/tls-key.pem (EC P-256, SHA-256,
/// valid 10 years, subject alternative names `names` from self_signed_names()). Made on first start; kept
/// while its names are `names`; made again with the same key pair when they differ (the machine's addresses
/// changed), so the public key people pin survives. The key file is mode 0600. Throws tls_storage_error when
/// the files cannot be written, std::runtime_error when the existing ones cannot be read (a damaged key is
/// never replaced silently: people pin it).
tls_files ensure_self_signed(const std::filesystem::path& dir, const std::vector<std::string>& names);

/// A self-signed certificate and a new key pair, as ensure_self_signed() makes them, in memory
/// only: for a start whose data directory cannot keep them. Throws std::runtime_error.
tls_pem make_self_signed_pem(const std::vector<std::string>& names);

/// The whole text of a PEM file. Throws std::runtime_error if it cannot be read.
std::string read_pem_file(const std::filesystem::path& path);

/// The SHA-256 fingerprint ("AB:CD:...") of the first certificate of PEM text: what browsers
/// show in their certificate viewer. Throws std::runtime_error if the text holds none.
std::string certificate_fingerprint(std::string_view cert_pem);

/// The SHA-256 of the certificate's public key (SubjectPublicKeyInfo, DER), as curl's
/// --pinnedpubkey takes it: "sha256//<base64>". It changes only with the key pair, not on
/// renewal. Throws std::runtime_error if the text holds no certificate.
std::string public_key_pin(std::string_view cert_pem);

}  // namespace message::app
