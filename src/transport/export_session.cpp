#include "transport/export_session.hpp"

#include <fmt/format.h>

#include <boost/url/parse.hpp>

#include <chrono>

#include "protocol/validate.hpp"
#include "transport/identity_token.hpp"

namespace message::transport {

export_session::export_session(beast::tcp_stream&& stream, transport_context& ctx, std::string room,
                               export_format format, std::string identity)
    : stream_(std::move(stream)),
      ctx_(ctx),
      room_(std::move(room)),
      format_(format),
      identity_(std::move(identity)) {}

void export_session::run() { read_page(); }

void export_session::read_page() {
  ctx_.hub.store_job([self = shared_from_this(), first = !started_](store::sequencing_store& s) {
    std::vector<core::chat_message> page;
    bool refused = false, failed = false;
    try {
      // The same check as `history`: a private room only for its members.
      if (first && !s.directory().access(self->room_, self->identity_).allowed()) {
        refused = true;
      } else {
        page =
            s.read_messages_after(self->room_, self->after_, self->ctx_.limits.export_page, self->identity_);
      }
    } catch (const std::exception&) {
      failed = true;
    }
    net::post(self->stream_.get_executor(), [self, page = std::move(page), refused, failed]() mutable {
      self->on_page(std::move(page), refused, failed);
    });
  });
}

void export_session::on_page(std::vector<core::chat_message>&& page, bool refused, bool failed) {
  if (!started_ && (refused || failed)) {
    // The same answer for a private room and one that does not exist.
    const auto status = refused ? "403 Forbidden" : "503 Service Unavailable";
    const std::string body = refused ? "this room is private: only its members can export it\n"
                                     : "the room cannot be read right now: try again\n";
    write(fmt::format("HTTP/1.1 {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                      "{}\r\nConnection: close\r\n\r\n{}",
                      status, body.size(), body),
          true);
    return;
  }
  if (failed) return finish();  // Mid-body: cut short; the missing last chunk says so.
  std::string body;
  if (!started_) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    body = export_head(format_, room_, now);
  }
  for (const auto& m : page) {
    body += export_item(format_, m, !started_ && after_ == 0 && &m == &page.front());
    after_ = m.seq;
  }
  const bool last = page.size() < ctx_.limits.export_page;
  if (last) body += export_tail(format_);
  std::string bytes;
  if (!started_) {
    started_ = true;
    bytes = fmt::format(
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Disposition: attachment; filename=\"{}.{}\"\r\n"
        "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nTransfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\n",
        export_content_type(format_), room_,
        format_ == export_format::json  ? "json"
        : format_ == export_format::txt ? "txt"
                                        : "html");
  }
  if (!body.empty()) bytes += fmt::format("{:x}\r\n{}\r\n", body.size(), body);
  if (last) bytes += "0\r\n\r\n";
  write(std::move(bytes), last);
}

void export_session::write(std::string bytes, bool last) {
  out_ = std::move(bytes);
  // A reader that stops taking the body is cut after the idle time, like any HTTP client.
  stream_.expires_after(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(ctx_.limits.http_idle_timeout));
  net::async_write(stream_, net::buffer(out_),
                   [self = shared_from_this(), last](beast::error_code ec, std::size_t) {
                     self->out_.clear();
                     if (ec) return;
                     if (last) return self->finish();
                     self->read_page();
                   });
}

void export_session::finish() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

bool serve_export(const request& req, beast::tcp_stream& stream, transport_context& ctx) {
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url || url->path() != "/export") return false;
  std::string room, format = "json";
  for (const auto& p : url->params()) {
    if (p.key == "room") room = p.value;
    if (p.key == "format") format = p.value;
  }
  const auto f = parse_export_format(format);
  const auto bad = [&](std::string_view text) {
    auto res = error_response(req, http::status::bad_request, text);
    res.keep_alive(false);
    auto shared = std::make_shared<response>(std::move(res));
    auto owned = std::make_shared<beast::tcp_stream>(std::move(stream));
    http::async_write(*owned, *shared, [shared, owned](beast::error_code, std::size_t) {
      beast::error_code ignored;
      owned->socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
    return true;
  };
  if (req.method() != http::verb::get) return bad("an export is a GET");
  if (!protocol::is_valid_name(room, ctx.limits.max_room_chars)) return bad("room: a room name is required");
  if (!f) return bad("format: json, txt or html");
  // Who asks: an identity token in Authorization (the terminal client), else the /auth cookie's.
  std::string identity;
  auto who = presented_identity_for_auth(req);
  if (who.state == presented_identity::kind::malformed) return bad("the identity token is malformed");
  if (who.state == presented_identity::kind::valid) {
    identity = who.id;
  } else if (auto session = session_of(req, ctx.http)) {
    identity = *session;
  }
  std::make_shared<export_session>(std::move(stream), ctx, std::move(room), *f, std::move(identity))->run();
  return true;
}

}  // namespace message::transport
