#pragma once

#include <string>
#include <string_view>

#include "transport/net.hpp"

namespace message::transport {

/// The prefix of the Sec-WebSocket-Protocol entry that carries a device's identity token
/// (docs/protocol.md, "The device identity token"): `id.<22 characters of base64url>`.
inline constexpr std::string_view identity_token_prefix = "id.";

/// What an upgrade presents as its identity.
struct presented_identity {
  enum class kind { none, valid, malformed };
  kind state = kind::none;
  std::string id;  ///< The public identity id when valid; the token itself is never kept.
};

/// Reads the `id.` entries of a Sec-WebSocket-Protocol value: none, one valid token (or the
/// same one repeated), or malformed (a bad token, or two different ones). Pure.
presented_identity identity_from_protocols(std::string_view value);

/// Reads an Authorization value for `Identity <token>` (alone, or first before `, Bearer <key>`):
/// none when it names no identity, malformed when the token is bad. Pure.
presented_identity identity_from_authorization(std::string_view value);

/// The identity a plain request (GET /auth) presents: `Authorization: Identity <token>` (in
/// any Authorization header), else the `id.` entry of Sec-WebSocket-Protocol.
template <class Fields>
presented_identity presented_identity_for_auth(const http::request_header<Fields>& req) {
  for (auto [it, end] = req.equal_range(http::field::authorization); it != end; ++it) {
    auto who = identity_from_authorization(it->value());
    if (who.state != presented_identity::kind::none) return who;
  }
  return identity_from_protocols(req[http::field::sec_websocket_protocol]);
}

template <class Fields>
presented_identity presented_identity_of(const http::request_header<Fields>& req) {
  return identity_from_protocols(req[http::field::sec_websocket_protocol]);
}

}  // namespace message::transport
