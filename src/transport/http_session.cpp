#include "transport/http_session.hpp"

#include <fmt/format.h>

#include <boost/url/parse.hpp>

#include "transport/download_session.hpp"
#include "transport/export_session.hpp"
#include "transport/identity_token.hpp"
#include "transport/upload_session.hpp"
#include "transport/websocket_handshake.hpp"
#include "transport/websocket_session.hpp"

namespace message::transport {

http_session::http_session(tcp::socket&& socket, transport_context& ctx, std::size_t loop_index,
                           connection_slot slot, bool over_tls)
    : stream_(std::move(socket)), ctx_(ctx), loop_(loop_index), slot_(std::move(slot)), over_tls_(over_tls) {}

void http_session::run() {
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

void http_session::do_read() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(ctx_.limits.max_header_bytes));
  // No body limit while the header is read: an upload's body is streamed (upload_session);
  // every other request gets the small limit once its header is in (on_read_body).
  parser_->body_limit(boost::none);
  // The first request must arrive whole within the handshake time (slowloris); later ones on
  // a keep-alive connection may wait for the idle time.
  stream_.expires_after(
      first_request_
          ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(ctx_.limits.handshake_timeout)
          : std::chrono::duration_cast<std::chrono::steady_clock::duration>(ctx_.limits.http_idle_timeout));
  first_request_ = false;
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&http_session::on_header, shared_from_this()));
}

void http_session::on_header(beast::error_code ec, std::size_t bytes) {
  if (ec) return on_read(ec, bytes);
  if (!is_upload_path(parser_->get().target()) || websocket::is_upgrade(parser_->get()))
    return on_read_body();
  const request& head = parser_->get();
  if (auto refused = refuse_request(head)) {
    refused->keep_alive(false);  // The body, if any, is not read.
    return send(std::move(*refused));
  }
  // The upload session takes the connection: a PATCH body is streamed, never held whole.
  std::make_shared<upload_session>(std::move(stream_), std::move(buffer_), std::move(*parser_), ctx_, loop_,
                                   std::move(slot_), over_tls_)
      ->run();
}

void http_session::on_read_body() {
  if (const auto length = parser_->content_length(); length && *length > ctx_.limits.max_body_bytes)
    return on_read(http::error::body_limit, 0);
  parser_->body_limit(ctx_.limits.max_body_bytes);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return do_shutdown();
  if (ec == http::error::header_limit || ec == http::error::body_limit) {
    request fallback;
    fallback.version(11);
    fallback.keep_alive(false);
    auto res = error_response(
        fallback,
        ec == http::error::header_limit ? http::status::request_header_fields_too_large
                                        : http::status::payload_too_large,
        ec == http::error::header_limit ? "request headers too large" : "request body too large");
    res.keep_alive(false);
    return send(std::move(res));
  }
  if (ec) {
    if (ec != beast::error::timeout && ec != net::error::eof && ec != net::error::connection_reset &&
        ec != net::error::operation_aborted) {
      request fallback;
      fallback.version(11);
      auto res = error_response(fallback, http::status::bad_request, "malformed request");
      res.keep_alive(false);
      return send(std::move(res));
    }
    return do_shutdown();
  }
  request req = parser_->release();
  if (auto refused = refuse_request(req)) return send(std::move(*refused));
  if (websocket::is_upgrade(req)) {
    auto url = boost::urls::parse_origin_form(req.target());
    if (!url || url->path() != "/ws") return send(error_response(req, http::status::not_found, "not found"));
    if (!origin_allowed(req[http::field::origin], req[http::field::host], ctx_.http))
      return send(error_response(req, http::status::forbidden, "this page's origin may not connect here"));
    if (auto refused = refuse_upgrade(req)) return send(std::move(*refused));
    auto query = protocol::parse_ws_query(req.target(), ctx_.limits);
    if (auto* q = std::get_if<protocol::connect_request>(&query)) {
      auto who = presented_identity_of(req);
      if (who.state == presented_identity::kind::malformed) {
        query =
            protocol::decode_error{"bad_token", "the identity token is not 22 characters of base64url", {}};
      } else {
        q->identity = std::move(who.id);
      }
    }
    std::make_shared<websocket_session>(stream_.release_socket(), ctx_, loop_, std::move(slot_))
        ->run(req, std::move(query));
    return;
  }
  if (serve_export(req, stream_, ctx_)) return;  // The export session has the stream now.
  if (serve_download(req, stream_, ctx_, slot_, loop_, over_tls_, buffer_.size() != 0))
    return;  // So has a download.
  send(route(req, ctx_.http, over_tls_));
}

std::optional<response> http_session::refuse_request(const request& req) {
  // Requests draw on the address's frame bucket too: a GET flood from one machine must not
  // take the loop from everyone else. A page load is a handful of requests.
  if (slot_.table() &&
      !slot_.table()->allow_frame(slot_.key(), req.body().size() + 1, address_table::clock::now())) {
    auto res = error_response(req, http::status::too_many_requests,
                              "too many requests from this address: slow down");
    res.set(http::field::retry_after, "1");
    return res;
  }
  // Before the key: a page of another site (DNS rebinding) neither reaches the chat nor
  // spends the address's key guesses.
  if (!host_allowed(req, ctx_.http)) {
    auto res = error_response(
        req, http::status::misdirected_request,
        "this server does not answer to that name: open it by its address or name (see --allow-host)");
    res.keep_alive(false);
    return res;
  }
  return check_key(req);
}

std::optional<response> http_session::check_key(const request& req) {
  if (!needs_key(req, ctx_.http)) return std::nullopt;
  // A valid session cookie is no guess: the routes that take it need no key (and no wait).
  if (!presented_key(req)) {
    auto url = boost::urls::parse_origin_form(req.target());
    if (url && takes_session_cookie(url->path()) && session_of(req, ctx_.http)) return std::nullopt;
  }
  auto& table = ctx_.addresses;
  const auto now = address_table::clock::now();
  if (const auto wait = table.key_wait(slot_.key(), now); wait > address_table::clock::duration::zero()) {
    // Even the right key waits: a guesser must not learn it was right. The answer says when
    // to come back, for people (the body) and for programs (Retry-After).
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
    auto res = error_response(req, http::status::too_many_requests,
                              fmt::format("too many wrong keys from this address: try again in {} second{}",
                                          seconds, seconds == 1 ? "" : "s"));
    res.set(http::field::retry_after, std::to_string(seconds));
    return res;
  }
  const auto key = presented_key(req);
  if (!key) return unauthorized_response(req);  // Asking without a key is no guess.
  if (!ctx_.http.key.matches(*key)) {
    table.key_failed(slot_.key(), now);
    return unauthorized_response(req);
  }
  table.key_succeeded(slot_.key());
  return std::nullopt;
}

void http_session::send(response&& res) {
  const bool keep_alive = res.keep_alive();
  pending_ = std::make_shared<response>(std::move(res));
  stream_.expires_after(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(ctx_.limits.http_idle_timeout));
  http::async_write(stream_, *pending_,
                    beast::bind_front_handler(&http_session::on_write, shared_from_this(), keep_alive));
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  pending_.reset();
  if (ec) return;
  if (!keep_alive) return linger();
  do_read();
}

void http_session::linger() {
  do_shutdown();
  stream_.expires_after(std::chrono::seconds(1));
  do_drain();
}

void http_session::do_drain() {
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (!ec)
                              self->do_drain();  // Nothing is committed: the same space is read into again.
                          });
}

void http_session::do_shutdown() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace message::transport
