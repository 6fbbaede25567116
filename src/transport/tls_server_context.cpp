#include "transport/tls_server_context.hpp"

#include <openssl/ssl.h>

namespace message::transport {

std::unique_ptr<boost::asio::ssl::context> make_tls_server_context(std::string_view certificate_chain_pem,
                                                                   std::string_view private_key_pem) {
  namespace ssl = boost::asio::ssl;
  auto tls = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
  tls->set_options(ssl::context::default_workarounds | ssl::context::single_dh_use);
  boost::system::error_code ec;
  tls->use_certificate_chain(boost::asio::buffer(certificate_chain_pem.data(), certificate_chain_pem.size()),
                             ec);
  if (ec) throw tls_context_error(tls_context_error::part::certificate, ec.message());
  tls->use_private_key(boost::asio::buffer(private_key_pem.data(), private_key_pem.size()), ssl::context::pem,
                       ec);
  if (ec) throw tls_context_error(tls_context_error::part::key, ec.message());
  return tls;
}

}  // namespace message::transport
