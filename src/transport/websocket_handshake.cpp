#include "transport/websocket_handshake.hpp"

#include <openssl/evp.h>

#include "transport/access_key.hpp"

namespace message::transport {

namespace {
/// RFC 6455 section 1.3.
constexpr std::string_view accept_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// A valid key is 16 random bytes in base64: 24 characters, the last two '='.
bool is_valid_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  unsigned char decoded[18];
  return EVP_DecodeBlock(decoded, reinterpret_cast<const unsigned char*>(key.data()), 24) == 18;
}
}  // namespace

std::optional<response> refuse_upgrade(const request& req) {
  if (req[http::field::sec_websocket_version] != "13") {
    auto res = error_response(req, http::status::upgrade_required, "this server speaks WebSocket version 13");
    res.set(http::field::sec_websocket_version, "13");
    return res;
  }
  if (!is_valid_key(req[http::field::sec_websocket_key]))
    return error_response(req, http::status::bad_request, "missing or malformed Sec-WebSocket-Key");
  return std::nullopt;
}

std::string websocket_accept_key(std::string_view key) {
  std::string input(key);
  input.append(accept_guid);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_Digest(input.data(), input.size(), digest, &digest_size, EVP_sha1(), nullptr);
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_size));
  return {reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n)};
}

std::string switching_protocols(const request& req, bool name_subprotocol) {
  std::string out =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Server: message\r\n"
      "Sec-WebSocket-Accept: ";
  out += websocket_accept_key(req[http::field::sec_websocket_key]);
  out += "\r\n";
  if (name_subprotocol) {
    out += "Sec-WebSocket-Protocol: ";
    out += subprotocol;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace message::transport
