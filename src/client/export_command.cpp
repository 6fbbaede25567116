// `message export --room ROOM`: the room's whole history from GET /export (docs/protocol.md,
// "Export"), written to stdout or a file as it arrives, never held in memory.
#include <openssl/ssl.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "client/common_options.hpp"
#include "client/subcommands.hpp"

namespace message::client {

namespace {

/// Sends the request on `stream` and copies the body to `out` piece by piece.
template <class Stream>
int fetch(Stream& stream, const connection_settings& settings, const std::string& target, std::ostream& out) {
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, settings.url.authority());
  req.set(http::field::connection, "close");
  if (!settings.key.empty()) req.set(http::field::authorization, "Bearer " + settings.key);
  // The device identity opens a private room this identity is a member of.
  if (!settings.identity.empty()) req.insert(http::field::authorization, "Identity " + settings.identity);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  http::read_header(stream, buffer, parser);
  const auto status = parser.get().result_int();
  if (status != 200) {
    complain(status == 401   ? "the server needs the key (--key or --key-file)"
             : status == 403 ? "this room is private: only its members can export it"
             : status == 400 ? "the server refused the request: a room name and json, txt or html"
                             : "the server answered " + std::to_string(status));
    return status == 401 || status == 403 ? exit_refused : exit_usage;
  }
  char chunk[64 * 1024];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    boost::system::error_code ec;
    http::read(stream, buffer, parser, ec);
    if (ec && ec != http::error::need_buffer) throw boost::system::system_error(ec);
    out.write(chunk, static_cast<std::streamsize>(sizeof chunk - parser.get().body().size));
    if (!out) {
      complain("cannot write the export");
      return exit_refused;
    }
  }
  return exit_ok;
}

}  // namespace

int run_export(int argc, char** argv) {
  CLI::App app{"Export a room's whole history (json, txt or html)", "message export"};
  common_options common;
  std::string format = "json", file;
  add_common_options(app, common);
  app.add_option("--format", format, "json, txt or html")->check(CLI::IsMember({"json", "txt", "html"}));
  app.add_option("-o,--output", file, "Write to this file (default: stdout)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  const std::string& room = common.room;
  auto settings = resolve_settings(common);
  if (!settings) return exit_usage;
  std::ofstream to_file;
  if (!file.empty()) {
    to_file.open(file, std::ios::binary | std::ios::trunc);
    if (!to_file) {
      complain("cannot write " + file);
      return exit_usage;
    }
  }
  std::ostream& out = file.empty() ? std::cout : to_file;
  const std::string target = settings->url.base_path + "/export?room=" + room + "&format=" + format;
  try {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(settings->url.host, std::to_string(settings->url.port));
    if (!settings->url.tls) {
      beast::tcp_stream stream(ioc);
      stream.connect(endpoints);
      return fetch(stream, *settings, target, out);
    }
    ssl::context tls(ssl::context::tls_client);
    tls.set_verify_mode(ssl::verify_none);  // Trusted by fingerprint below, as `send` does.
    beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
    beast::get_lowest_layer(stream).connect(endpoints);
    stream.handshake(ssl::stream_base::client);
    X509* cert = SSL_get1_peer_certificate(stream.native_handle());
    const auto fingerprint = spki_fingerprint(cert);
    X509_free(cert);
    if (!settings->trust) {
      complain("no way to trust a TLS server");
      return exit_refused;
    }
    if (auto refusal = settings->trust->check(settings->url.authority(), fingerprint)) {
      complain(*refusal);
      return exit_refused;
    }
    return fetch(stream, *settings, target, out);
  } catch (const std::exception& e) {
    complain(std::string("cannot export from the server: ") + e.what());
    return exit_unreachable;
  }
}

}  // namespace message::client
