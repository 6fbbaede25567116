#include "transport/identity_token.hpp"

#include "common/identity.hpp"
#include "transport/access_key.hpp"

namespace message::transport {

presented_identity identity_from_protocols(std::string_view value) {
  presented_identity out;
  std::string_view token_seen;
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view entry = value.substr(0, comma);
    while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t')) entry.remove_prefix(1);
    while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.remove_suffix(1);
    if (entry.substr(0, identity_token_prefix.size()) == identity_token_prefix) {
      const auto token = entry.substr(identity_token_prefix.size());
      const bool repeated = out.state == presented_identity::kind::valid && token == token_seen;
      if (!repeated) {  // The same token twice is harmless; a second, different one is not.
        auto id = out.state == presented_identity::kind::none ? core::identity_of_token(token) : std::nullopt;
        if (!id) return {presented_identity::kind::malformed, {}};
        out = {presented_identity::kind::valid, std::move(*id)};
        token_seen = token;
      }
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

presented_identity identity_from_authorization(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  constexpr std::string_view scheme = "identity ";
  if (!starts_with_scheme(value, scheme)) return {};
  auto token = value.substr(scheme.size(), value.find(',') == std::string_view::npos
                                               ? std::string_view::npos
                                               : value.find(',') - scheme.size());
  while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  if (auto id = core::identity_of_token(token)) return {presented_identity::kind::valid, std::move(*id)};
  return {presented_identity::kind::malformed, {}};
}

}  // namespace message::transport
