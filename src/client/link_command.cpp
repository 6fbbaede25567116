// `message link CODE`: links this terminal's device identity (~/.config/message) to the
// identity that made CODE on another device (docs/protocol.md, "Device linking").
#include <boost/json.hpp>

#include <cstdio>
#include <memory>

#include "client/common_options.hpp"
#include "client/subcommands.hpp"

namespace message::client {

int run_link(int argc, char** argv) {
  CLI::App app{"Link this device to the identity that showed CODE (Link a device, on its page)",
               "message link"};
  common_options common;
  std::string code;
  add_common_options(app, common);
  app.add_option("code", code, "The 8-character code the other device shows")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  auto settings = resolve_settings(common);
  if (!settings) return exit_usage;
  if (settings->identity.empty()) {
    complain("this device has no identity to link");
    return exit_usage;
  }
  net::io_context ioc;
  int result = exit_ok;
  bool answered = false;
  std::shared_ptr<connection> conn;
  conn = connection::open(
      ioc, *settings, ws_target(settings->url, common.room, {}, std::nullopt),
      {[&] {
         boost::json::object frame{{"type", "link"}, {"code", code}};
         conn->send(boost::json::serialize(frame));
       },
       [&](std::string_view line) {
         boost::system::error_code ec;
         auto v = boost::json::parse(line, ec);
         if (ec || !v.is_object()) return;
         const auto& o = v.get_object();
         const auto* type = o.if_contains("type");
         if (!type || !type->is_string()) return;
         if (type->get_string() == "linked") {
           const auto* name = o.if_contains("username");
           const std::string who = name && name->is_string() ? std::string(name->get_string()) : "";
           std::printf("linked: this device is now %s\n",
                       who.empty() ? "the other device's identity" : who.c_str());
           answered = true;
           conn->close();
         } else if (type->get_string() == "error") {
           const auto* message = o.if_contains("message");
           complain(message && message->is_string() ? std::string(message->get_string()) : "refused");
           answered = true;
           result = exit_refused;
           conn->close();
         }
       },
       [&](const connection_end& e) {
         if (answered) return;
         // The server closes a linked connection itself: the answer came before the end.
         complain(e.detail);
         result = e.kind == end_kind::closed_by_us ? exit_ok : exit_for(e.kind);
       }});
  ioc.run();
  return result;
}

}  // namespace message::client
