#pragma once

#include <memory>
#include <string>

#include "transport/export_format.hpp"
#include "transport/http_routes.hpp"
#include "transport/net.hpp"
#include "transport/transport_context.hpp"

namespace message::transport {

/// One `GET /export` (docs/protocol.md, "Export"): the room read a page at a time on the store
/// worker (core::hub::store_job), each page written as one chunk of a chunked body before the
/// next is read, so the export holds one page whatever the room's size. The connection closes
/// after it. Lives as long as a store job or a write of its own is pending.
///
/// Thread-safety: runs on its loop; store jobs hold it by shared_ptr and post back.
class export_session final : public std::enable_shared_from_this<export_session> {
 public:
  /// `identity`: who asks ("" none), for the private room check.
  export_session(beast::tcp_stream&& stream, transport_context& ctx, std::string room, export_format format,
                 std::string identity);
  void run();

 private:
  void read_page();
  void on_page(std::vector<core::chat_message>&& page, bool refused, bool failed);
  void write(std::string bytes, bool last);
  void finish();

  beast::tcp_stream stream_;
  transport_context& ctx_;
  std::string room_;
  export_format format_;
  std::string identity_;
  std::uint64_t after_ = 0;  // The last seq written.
  bool started_ = false;     // The head is written.
  std::string out_;          // The bytes of the write in flight.
};

/// Answers `req` when it is a `GET /export` (the key check passed already): true when it took
/// the stream (an export, or its error answer), false when `req` is something else.
bool serve_export(const request& req, beast::tcp_stream& stream, transport_context& ctx);

}  // namespace message::transport
