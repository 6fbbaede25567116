#pragma once

#include <filesystem>
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

/// What the start lines say of the TLS certificate served; empty without TLS.
struct tls_identity {
  std::string fingerprint;  ///< certificate_fingerprint(): what a browser shows.
  std::string pin;          ///< public_key_pin(): what the terminal client pins.
  bool renewed = false;     ///< tls_files::renewed.
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

/// --tls-self-signed: DIR/tls-cert.pem and DIR/tls-key.pem (EC P-256, SHA-256, valid 10 years,
/// subject alternative names `names` from self_signed_names()). Made on first start; kept while
/// its names are `names`; made again with the same key pair when they differ (the machine's
/// addresses changed), so the public key people pin survives. The key file is mode 0600.
/// Throws std::runtime_error saying why.
tls_files ensure_self_signed(const std::filesystem::path& dir, const std::vector<std::string>& names);

/// The SHA-256 fingerprint ("AB:CD:...") of the first certificate of a PEM file: what browsers
/// show in their certificate viewer. Throws std::runtime_error if the file holds none.
std::string certificate_fingerprint(const std::filesystem::path& cert);

/// The SHA-256 of the certificate's public key (SubjectPublicKeyInfo, DER), as curl's
/// --pinnedpubkey takes it: "sha256//<base64>". It changes only with the key pair, not on
/// renewal. Throws std::runtime_error if the file holds no certificate.
std::string public_key_pin(const std::filesystem::path& cert);

}  // namespace message::app
