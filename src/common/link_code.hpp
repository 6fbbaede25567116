#pragma once

#include <string>
#include <string_view>

namespace message::core {

// Device link codes (docs/protocol.md, "Device linking"): short, typed by people, so from an
// alphabet without look-alikes (no 0/O, 1/I/L, U/V). Pure functions; safe from any thread.

/// The 29 characters a code is made of: 8 of them carry 38.8 bits.
inline constexpr std::string_view link_code_alphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ";

/// A new code of `chars` characters, each drawn uniformly from link_code_alphabet by the
/// OS's CSPRNG (OpenSSL RAND_bytes, rejection sampling so no character is likelier).
std::string new_link_code(std::size_t chars);

/// The code as a person may have typed it, in canonical form: upper case, spaces and dashes
/// dropped. Empty when anything else is not of the alphabet or the length is not `chars`.
std::string normalize_link_code(std::string_view typed, std::size_t chars);

}  // namespace message::core
