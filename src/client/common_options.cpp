#include "client/common_options.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "client/config_dir.hpp"
#include "client/device_identity.hpp"
#include "common/limits.hpp"
#include "protocol/validate.hpp"

namespace message::client {

void add_common_options(CLI::App& app, common_options& o) {
  app.add_option("--server", o.server,
                 "Server URL: http://HOST:PORT or https://HOST:PORT (default http://127.0.0.1:8000)")
      ->envname("MESSAGE_SERVER");
  app.add_option("--key", o.key, "Access key (it shows in ps: prefer --key-file or MESSAGE_KEY)");
  app.add_option("--key-file", o.key_file, "File holding the access key (its first line)");
  app.add_option("--fingerprint", o.fingerprint,
                 "SHA-256 of the server's public key (https): pins it instead of trusting on first use");
  app.add_option("--room", o.room, "Room (default lobby)");
}

std::string default_name() {
  for (const char* var : {"MESSAGE_NAME", "USER", "LOGNAME"})
    if (const char* v = std::getenv(var); v && *v) return v;
  return "terminal";
}

bool is_room_name(const std::string& room) {
  return protocol::is_valid_name(room, core::limits{}.max_room_chars);
}

void complain(const std::string& text) { std::fprintf(stderr, "message: %s\n", text.c_str()); }

std::optional<connection_settings> resolve_settings(const common_options& o) {
  connection_settings s;
  std::string error;
  auto url = parse_server_url(o.server.empty() ? "http://127.0.0.1:8000" : o.server, error);
  if (!url) {
    complain(error);
    return std::nullopt;
  }
  s.url = *url;
  if (!is_room_name(o.room)) {
    complain("'" + o.room + "' is not a room name: 1 to 40 letters, digits, '-' or '_'");
    return std::nullopt;
  }
  if (!o.key.empty()) {
    s.key = o.key;
  } else if (!o.key_file.empty()) {
    std::ifstream in(o.key_file);
    if (!in || !std::getline(in, s.key)) {
      complain("cannot read the key from " + o.key_file);
      return std::nullopt;
    }
    if (!s.key.empty() && s.key.back() == '\r') s.key.pop_back();
  } else if (const char* env = std::getenv("MESSAGE_KEY")) {
    s.key = env;
  }
  try {
    const auto dir = config_dir(true);
    s.identity = load_or_create_identity(dir);
    s.trust = std::make_shared<server_trust>(o.fingerprint, dir / "known_servers");
  } catch (const std::exception& e) {
    complain(e.what());
    return std::nullopt;
  }
  return s;
}

exit_code exit_for(end_kind kind) {
  switch (kind) {
    case end_kind::closed_by_us:
      return exit_ok;
    case end_kind::key_refused:
    case end_kind::policy:
      return exit_refused;
    case end_kind::lost:
    case end_kind::unreachable:
    case end_kind::not_message_server:
    case end_kind::busy:
    case end_kind::untrusted:
      return exit_unreachable;
  }
  return exit_unreachable;
}

}  // namespace message::client
