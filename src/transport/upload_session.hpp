#pragma once

#include <memory>
#include <optional>
#include <string>

#include "files/upload_store.hpp"
#include "transport/address_table.hpp"
#include "transport/http_routes.hpp"
#include "transport/net.hpp"
#include "transport/transport_context.hpp"

namespace message::transport {

/// The path of tus uploads (docs/protocol.md, "Files").
inline constexpr std::string_view uploads_path = "/files/uploads";

/// True for `/files/uploads` and `/files/uploads/<anything>`: the requests upload_session takes.
bool is_upload_path(std::string_view target);

/// One tus request on `/files/uploads[/<id>]` (docs/protocol.md, "Files"), handed over by
/// http_session once the header is read (and the address's rate, the Host and the key are
/// checked). A PATCH body is read a piece (limits::upload_piece_bytes) at a time into one
/// buffer; the files worker writes each piece (and feeds the request's checksum) before the
/// next is read, so an upload holds one piece of memory whatever its size and the disk is
/// never touched on the loop. The answer is written, then the connection goes back to a new
/// http_session (keep-alive) or is closed.
///
/// Lifetime: shared_from_this() in every handler and files job. Thread-safety: runs on its
/// loop; files jobs touch only what the loop leaves alone while they run (the piece, the
/// checksum digest) and post back.
class upload_session final : public std::enable_shared_from_this<upload_session> {
 public:
  upload_session(beast::tcp_stream&& stream, beast::flat_buffer&& buffer,
                 http::request_parser<http::string_body>&& parser, transport_context& ctx, std::size_t loop,
                 connection_slot slot, bool over_tls);
  ~upload_session();
  void run();

 private:
  struct piece_result;
  void read_small_body();
  void dispatch();
  void options();
  void create();
  void create_checked(std::vector<std::pair<std::string, std::string>> metadata, std::uint64_t length);
  // "Already there" (upload_claim.cpp): a creation whose `sha256` names a blob the identity
  // could download makes its message at once; any other claim falls back to create_checked.
  void claim(std::vector<std::pair<std::string, std::string>> metadata, std::uint64_t length,
             const std::string& sha256);
  void claim_held(const std::vector<std::pair<std::string, std::string>>& metadata, core::file_ref file);
  void head();
  void remove();
  void patch();
  void patch_ready(std::uint64_t offset, std::uint64_t length);
  void read_piece();
  void on_piece(beast::error_code ec);
  void write_piece(std::size_t n, bool then_done, bool cut);
  void end_of_body();
  void last_byte();
  void append_message(const files::upload& info, core::file_ref file);

  response answer(http::status status, std::string_view text = {});
  void send(response res);
  void linger();
  void drain();
  /// Runs `job` on the files worker; its result comes back on this loop through `then`.
  template <class Job, class Then>
  void on_files(Job job, Then then);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::buffer_body>> body_;
  request req_;  // The request's header (an empty body): what answers are built from.
  transport_context& ctx_;
  std::size_t loop_;
  connection_slot slot_;
  bool over_tls_;
  std::string device_;  // The identity the request presents.
  std::string id_;      // The upload's id (HEAD, PATCH, DELETE).
  // PATCH: where this request started, where it is, and its checksum.
  std::uint64_t start_ = 0;
  std::uint64_t at_ = 0;
  std::uint64_t length_ = 0;
  struct checksum;
  std::unique_ptr<checksum> checksum_;
  std::string piece_;
  std::shared_ptr<response> out_;
};

}  // namespace message::transport
