#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace message::core {

// Who is who (docs/protocol.md, "Who is who"): a device's secret token, the public identity id
// derived from it, and how names compare. Pure functions; safe from any thread.

/// Characters of a token: 128 random bits in base64url without padding.
inline constexpr std::size_t token_chars = 22;
/// Characters of a public identity id: the first 12 bytes of the token's SHA-256, base64url.
inline constexpr std::size_t identity_id_chars = 16;

/// The public identity id of `token`, or nullopt when the token is not 22 characters of
/// base64url that decode to 16 bytes. The token itself is never kept: only this digest.
std::optional<std::string> identity_of_token(std::string_view token);

/// True for a string shaped like a public identity id (16 characters of base64url). A sender
/// stored before identities existed has a device tag of at most 6 characters instead.
bool is_identity_id(std::string_view s) noexcept;

/// The private room of the direct conversation between two identities: "dm-" and 16
/// characters of base64url from a digest of both ids, the same whichever of the two asks.
std::string direct_room(std::string_view a, std::string_view b);

/// A new random invite link secret: 128 bits as 22 characters of base64url.
std::string new_room_secret();

/// The form under which names are owned: ASCII letters lowered, so "Kim" and "kim" are one
/// name; everything else (accents, other scripts) as given.
std::string fold_name(std::string_view name);

}  // namespace message::core
