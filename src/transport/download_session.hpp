#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/file_ref.hpp"
#include "transport/address_table.hpp"
#include "transport/file_response.hpp"
#include "transport/http_routes.hpp"
#include "transport/net.hpp"
#include "transport/transport_context.hpp"

namespace message::transport {

/// One `GET`/`HEAD /files/<sha256>[/thumb]` (docs/protocol.md, "Files"), after the key check.
///
/// How it travels (docs/architecture.md, "A download"): the store worker answers which rooms
/// share the blob (sequencing_store::file_uses), checks the asker may read one (the same check as
/// `history`), and opens the blob there, off the I/O loop; the loop then writes the head and
/// moves the body with sendfile(2) from the file to the socket, at most
/// limits::download_chunk_bytes per turn of the loop and waiting for the socket to drain in
/// between, so the file is never held in memory and one download never holds the loop. (Over
/// TLS the session's socket is one end of tls_front's socket pair: sendfile works there too.)
/// A whole answer leaves the connection to a new http_session (keep-alive) unless the request
/// asked to close; a cut one closes it.
///
/// Thread-safety: runs on its loop; the store job holds it by shared_ptr and posts back.
class download_session final : public std::enable_shared_from_this<download_session> {
 public:
  /// `identity`: who asks ("" none), for private rooms. `range`, `if_none_match`: the request's
  /// headers. `head`: a HEAD (no body). `attachment`: `?download=1`.
  download_session(beast::tcp_stream&& stream, transport_context& ctx, connection_slot slot,
                   file_target target, std::string identity, bool head, bool attachment, std::string range,
                   std::string if_none_match);
  ~download_session();
  download_session(const download_session&) = delete;
  download_session& operator=(const download_session&) = delete;
  /// Keeps the connection for the next request after a whole answer (loop `loop`'s sessions).
  download_session& keep_alive(bool keep, std::size_t loop, bool over_tls) {
    keep_alive_ = keep;
    loop_ = loop;
    over_tls_ = over_tls;
    return *this;
  }
  void run();

 private:
  /// What the store worker found.
  enum class found { file, none, gone, failed };
  void on_found(found what, const core::file_ref& file, int fd, std::uint64_t size);
  void write_head(std::string head, bool body_follows);
  void send_body();
  void wait_writable();
  /// Ends the answer: `whole` when every byte of it went (then keep-alive may go on).
  void finish(bool whole);

  beast::tcp_stream stream_;
  transport_context& ctx_;
  connection_slot slot_;  // Counts as the address's open connection until the end.
  file_target target_;
  std::string identity_;
  bool head_;
  bool attachment_;
  std::string range_;
  std::string if_none_match_;
  int fd_ = -1;                   // The blob (or thumbnail), opened by the store worker.
  std::uint64_t offset_ = 0;      // The next byte of the file to send.
  std::uint64_t remaining_ = 0;   // Body bytes still to send.
  std::string out_;               // The head, while its write is in flight.
  net::steady_timer idle_timer_;  // A reader that stops taking the body is cut.
  bool keep_alive_ = false;
  std::size_t loop_ = 0;
  bool over_tls_ = false;
};

/// Answers `req` when it is a download (the key check passed already): true when it took the
/// stream (a download or its error answer), false when `req` is something else (an upload's
/// path, another method: route() answers those).
/// `pipelined`: bytes of a next request were read already (the connection then closes after
/// the answer, as those bytes are not handed on).
bool serve_download(const request& req, beast::tcp_stream& stream, transport_context& ctx,
                    connection_slot& slot, std::size_t loop, bool over_tls, bool pipelined);

}  // namespace message::transport
