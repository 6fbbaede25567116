#pragma once

#include <span>
#include <string_view>

namespace message::transport {

/// A file of web/, compiled into the binary (cmake/embed_files.cmake).
struct web_asset {
  std::string_view path;  ///< "/index.html", "/app.js", ...
  std::string_view content_type;
  std::string_view bytes;
};

/// Every embedded file. Immutable; safe from any thread.
std::span<const web_asset> web_assets();

/// The asset served at an exact request path ("/" is "/index.html"), or null.
const web_asset* find_web_asset(std::string_view path);

}  // namespace message::transport
