#pragma once

#include <string_view>

namespace message::transport {

/// `s` without the optional white space (spaces, tabs) HTTP allows around header values and
/// their comma- or semicolon-separated parts (RFC 9110, 5.6.3). Pure.
inline std::string_view trim_header_space(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace message::transport
