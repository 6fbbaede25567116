#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>

namespace message::transport {

/// Why a TLS server context could not be made: which PEM was refused, and OpenSSL's reason.
struct tls_context_error : std::runtime_error {
  enum class part { certificate, key };
  tls_context_error(part refused, const std::string& reason) : std::runtime_error(reason), which(refused) {}
  part which;
};

/// A TLS server context (TLS 1.2 at least) that serves `certificate_chain_pem` with
/// `private_key_pem`. The app builds it once at start-up and owns it; sessions only read it.
/// Lives here so that the app never includes Asio (docs/architecture.md, "Layers").
/// Throws tls_context_error when OpenSSL refuses either PEM.
std::unique_ptr<boost::asio::ssl::context> make_tls_server_context(std::string_view certificate_chain_pem,
                                                                   std::string_view private_key_pem);

}  // namespace message::transport
