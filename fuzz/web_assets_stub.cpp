// The fuzz build's stand-in for the generated table of web/ (cmake/embed_files.cmake): a few
// entries are enough for the router's paths; the real bytes do not matter to it.
#include "transport/web_assets.hpp"

namespace message::transport {

std::span<const web_asset> web_assets() {
  static constexpr web_asset assets[] = {
      {"/index.html", "text/html; charset=utf-8", "<!doctype html><title>message</title>"},
      {"/app.js", "text/javascript; charset=utf-8", "'use strict';"},
      {"/style.css", "text/css; charset=utf-8", "body{}"},
  };
  return assets;
}

}  // namespace message::transport
