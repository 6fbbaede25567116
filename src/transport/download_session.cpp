#include "transport/download_session.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <boost/url/parse.hpp>

#include <cerrno>

#include "files/blob_store.hpp"
#include "files/thumbnailer.hpp"
#include "transport/http_session.hpp"
#include "transport/identity_token.hpp"

namespace message::transport {

namespace {

/// The headers every file answer carries (docs/protocol.md, "Files"): the browser never guesses
/// a type, and a file opened directly (HTML, SVG) runs in a sandbox without scripts or origin.
/// The connection header follows: keep-alive unless the request asked to close.
constexpr std::string_view file_headers =
    "Server: message\r\nX-Content-Type-Options: nosniff\r\nContent-Security-Policy: sandbox\r\n"
    "Referrer-Policy: no-referrer\r\n";

std::string connection_header(bool keep_alive) {
  return keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
}

std::string plain_answer(std::string_view status, std::string_view text, bool keep_alive) {
  return fmt::format(
      "HTTP/1.1 {}\r\n{}{}Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
      "Content-Length: {}\r\n\r\n{}\n",
      status, file_headers, connection_header(keep_alive), text.size() + 1, text);
}

/// True when an If-None-Match value names `etag` (or is `*`).
bool etag_matches(std::string_view value, std::string_view etag) {
  if (value.find('*') != std::string_view::npos) return true;
  return value.find(etag) != std::string_view::npos;
}

}  // namespace

download_session::download_session(beast::tcp_stream&& stream, transport_context& ctx, connection_slot slot,
                                   file_target target, std::string identity, bool head, bool attachment,
                                   std::string range, std::string if_none_match)
    : stream_(std::move(stream)),
      ctx_(ctx),
      slot_(std::move(slot)),
      target_(std::move(target)),
      identity_(std::move(identity)),
      head_(head),
      attachment_(attachment),
      range_(std::move(range)),
      if_none_match_(std::move(if_none_match)),
      idle_timer_(stream_.get_executor()) {}

download_session::~download_session() {
  if (fd_ >= 0) ::close(fd_);
}

void download_session::run() {
  stream_.expires_never();  // Our own timer watches the body; the head's write sets its own.
  ctx_.hub.store_job([self = shared_from_this()](store::sequencing_store& s) {
    found what = found::none;
    core::file_ref file;
    int fd = -1;
    std::uint64_t size = 0;
    try {
      // The same check as `history`: any room sharing the blob that the asker may read.
      for (auto& use : s.file_uses(self->target_.sha256)) {
        if (!s.directory().access(use.room, self->identity_).allowed()) continue;
        file = std::move(use.file);
        what = found::gone;
        break;
      }
      // Opened here, off the I/O loop: a cold disk's seek and the folder's look-up wait here.
      if (what == found::gone && (!self->target_.thumb || file.thumb)) {
        const auto root = self->ctx_.files_root;
        const auto path = self->target_.thumb ? files::thumb_path(root, self->target_.sha256)
                                              : root / "sha256" / self->target_.sha256.substr(0, 2) /
                                                    self->target_.sha256.substr(2);
        fd = root.empty() ? -1 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st {};
        if (fd >= 0 && ::fstat(fd, &st) == 0) {
          what = found::file;
          size = static_cast<std::uint64_t>(st.st_size);
        } else if (fd < 0 && errno != ENOENT && errno != ENOTDIR && !root.empty()) {
          what = found::failed;
        }
      } else if (what == found::gone) {
        what = found::none;  // A file without a thumbnail has no /thumb.
      }
    } catch (const std::exception&) {
      what = found::failed;
    }
    if (what != found::file && fd >= 0) {
      ::close(fd);
      fd = -1;
    }
    net::post(self->stream_.get_executor(), [self, what, file = std::move(file), fd, size]() mutable {
      self->on_found(what, file, fd, size);
    });
  });
}

void download_session::on_found(found what, const core::file_ref& file, int fd, std::uint64_t size) {
  fd_ = fd;
  // The same answer for a blob nobody shares and one only rooms the asker may not read share.
  if (what == found::none) return write_head(plain_answer("404 Not Found", "not found", keep_alive_), false);
  if (what == found::failed)
    return write_head(
        plain_answer("503 Service Unavailable", "the file cannot be read right now: try again", keep_alive_),
        false);
  if (what == found::gone)
    return write_head(
        plain_answer("410 Gone", "this file was removed from the server (retention)", keep_alive_), false);

  const std::string etag =
      target_.thumb ? fmt::format("\"{}.thumb\"", target_.sha256) : fmt::format("\"{}\"", target_.sha256);
  std::string type = target_.thumb ? "image/webp" : file.type;
  if (type.empty()) type = "application/octet-stream";
  const bool inline_ = !attachment_ && served_inline(type);
  std::string headers = fmt::format(
      "{}{}Cache-Control: private, max-age=31536000, immutable\r\nETag: {}\r\nAccept-Ranges: bytes\r\n",
      file_headers, connection_header(keep_alive_), etag);
  if (!if_none_match_.empty() && etag_matches(if_none_match_, etag))
    return write_head(fmt::format("HTTP/1.1 304 Not Modified\r\n{}\r\n", headers), false);

  const auto wanted = range_.empty() ? range_request{} : parse_range(range_, size);
  if (wanted.result == range_request::kind::unsatisfiable) {
    return write_head(fmt::format("HTTP/1.1 416 Range Not Satisfiable\r\n{}Content-Range: bytes */{}\r\n"
                                  "Content-Length: 0\r\n\r\n",
                                  headers, size),
                      false);
  }
  headers += fmt::format("Content-Type: {}\r\nContent-Disposition: {}\r\n", type,
                         content_disposition(target_.thumb ? file.name + ".webp" : file.name, inline_));
  std::string status = "200 OK";
  offset_ = 0;
  remaining_ = size;
  if (wanted.result == range_request::kind::partial) {
    status = "206 Partial Content";
    offset_ = wanted.range.first;
    remaining_ = wanted.range.last - wanted.range.first + 1;
    headers += fmt::format("Content-Range: bytes {}-{}/{}\r\n", wanted.range.first, wanted.range.last, size);
  }
  write_head(fmt::format("HTTP/1.1 {}\r\n{}Content-Length: {}\r\n\r\n", status, headers, remaining_),
             !head_ && remaining_ > 0);
}

void download_session::write_head(std::string head, bool body_follows) {
  out_ = std::move(head);
  stream_.expires_after(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(ctx_.limits.http_idle_timeout));
  net::async_write(stream_, net::buffer(out_),
                   [self = shared_from_this(), body_follows](beast::error_code ec, std::size_t) {
                     self->out_.clear();
                     self->out_.shrink_to_fit();
                     if (ec) return;
                     self->stream_.expires_never();
                     if (body_follows) return self->send_body();
                     self->finish(true);
                   });
}

void download_session::send_body() {
  auto& socket = stream_.socket();
  beast::error_code ec;
  socket.native_non_blocking(true, ec);
  if (ec) return finish(false);
  const auto chunk = std::min<std::uint64_t>(remaining_, ctx_.limits.download_chunk_bytes);
  auto at = static_cast<off_t>(offset_);
  const ssize_t sent = ::sendfile(socket.native_handle(), fd_, &at, static_cast<std::size_t>(chunk));
  if (sent < 0 && errno != EAGAIN && errno != EINTR) return finish(false);  // The reader left.
  if (sent == 0) return finish(false);  // The file is shorter than it was: cut, the length says so.
  if (sent > 0) {
    offset_ += static_cast<std::uint64_t>(sent);
    remaining_ -= static_cast<std::uint64_t>(sent);
  }
  if (remaining_ == 0) return finish(true);
  // Back to the loop in between, whether the socket is full or not: others' turn.
  wait_writable();
}

void download_session::wait_writable() {
  idle_timer_.expires_after(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(ctx_.limits.http_idle_timeout));
  idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec) return;  // Cancelled: the socket took more.
    beast::error_code ignored;
    self->stream_.socket().cancel(ignored);  // A reader that took nothing for that long is cut.
  });
  stream_.socket().async_wait(tcp::socket::wait_write, [self = shared_from_this()](beast::error_code ec) {
    self->idle_timer_.cancel();
    if (ec) return self->finish(false);
    self->send_body();
  });
}

void download_session::finish(bool whole) {
  idle_timer_.cancel();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  beast::error_code ignored;
  if (whole && keep_alive_) {
    // The answer is whole: the connection takes the next request (a page's thumbnails share it).
    std::make_shared<http_session>(stream_.release_socket(), ctx_, loop_, std::move(slot_), over_tls_)->run();
    return;
  }
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

bool serve_download(const request& req, beast::tcp_stream& stream, transport_context& ctx,
                    connection_slot& slot, std::size_t loop, bool over_tls, bool pipelined) {
  if (req.method() != http::verb::get && req.method() != http::verb::head) return false;
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) return false;
  auto target = parse_file_target(url->path());
  if (!target) return false;
  bool attachment = false;
  if (auto it = url->params().find("download"); it != url->params().end()) attachment = (*it).value == "1";
  // Who asks: an identity token in Authorization (a terminal tool), else the /auth cookie's.
  std::string identity;
  auto who = presented_identity_for_auth(req);
  if (who.state == presented_identity::kind::malformed) {
    auto res = error_response(req, http::status::bad_request, "the identity token is malformed");
    res.keep_alive(false);
    auto shared = std::make_shared<response>(std::move(res));
    auto owned = std::make_shared<beast::tcp_stream>(std::move(stream));
    http::async_write(*owned, *shared, [shared, owned](beast::error_code, std::size_t) {
      beast::error_code ignored;
      owned->socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
    return true;
  }
  if (who.state == presented_identity::kind::valid) {
    identity = who.id;
  } else if (auto session = session_of(req, ctx.http)) {
    identity = *session;
  }
  std::make_shared<download_session>(std::move(stream), ctx, std::move(slot), std::move(*target),
                                     std::move(identity), req.method() == http::verb::head, attachment,
                                     std::string(req[http::field::range]),
                                     std::string(req[http::field::if_none_match]))
      ->keep_alive(req.keep_alive() && !pipelined, loop, over_tls)
      .run();
  return true;
}

}  // namespace message::transport
