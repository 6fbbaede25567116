#include "transport/upload_session.hpp"

#include <openssl/evp.h>

#include <fmt/format.h>

#include <boost/url/parse.hpp>

#include <limits>

#include "core/file_message.hpp"
#include "files/files_worker.hpp"
#include "files/picture_step.hpp"
#include "files/thumbnailer.hpp"
#include "protocol/validate.hpp"
#include "transport/blob_sweep.hpp"
#include "transport/http_session.hpp"
#include "transport/identity_token.hpp"
#include "transport/tus_headers.hpp"

namespace message::transport {

namespace {
constexpr std::string_view tus_version = "1.0.0";
/// An upload id as upload_store makes it: 22 characters of base64url.
bool is_upload_id(std::string_view s) {
  if (s.size() != 22) return false;
  for (const char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

std::string value_of(const std::vector<std::pair<std::string, std::string>>& metadata, std::string_view key,
                     std::string fallback = {}) {
  for (const auto& [k, v] : metadata)
    if (k == key) return v;
  return fallback;
}

bool has_key(const std::vector<std::pair<std::string, std::string>>& metadata, std::string_view key) {
  for (const auto& [k, v] : metadata)
    if (k == key) return true;
  return false;
}
}  // namespace

bool is_upload_path(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return false;
  const std::string path = url->path();
  return path == uploads_path || path.starts_with(std::string(uploads_path) + "/");
}

/// A PATCH's Upload-Checksum and the digest of its body so far. Touched by files jobs only
/// while the loop waits for them.
struct upload_session::checksum {
  std::string expected;
  EVP_MD_CTX* ctx = nullptr;
  checksum(const upload_checksum& c) : expected(c.digest), ctx(EVP_MD_CTX_new()) {
    if (!ctx || EVP_DigestInit_ex(ctx, c.algorithm == "sha1" ? EVP_sha1() : EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("OpenSSL cannot start a digest");
  }
  ~checksum() { EVP_MD_CTX_free(ctx); }
  checksum(const checksum&) = delete;
  checksum& operator=(const checksum&) = delete;
  void add(std::string_view bytes) { EVP_DigestUpdate(ctx, bytes.data(), bytes.size()); }
  bool matches() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx, out, &n);
    return std::string_view(reinterpret_cast<const char*>(out), n) == expected;
  }
};

upload_session::upload_session(beast::tcp_stream&& stream, beast::flat_buffer&& buffer,
                               http::request_parser<http::string_body>&& parser, transport_context& ctx,
                               std::size_t loop, connection_slot slot, bool over_tls)
    : stream_(std::move(stream)),
      buffer_(std::move(buffer)),
      req_(parser.get().base()),
      ctx_(ctx),
      loop_(loop),
      slot_(std::move(slot)),
      over_tls_(over_tls) {
  // The body is read into buffers of this session's own (a PATCH's pieces).
  body_.emplace(std::move(parser));
  body_->body_limit(std::numeric_limits<std::uint64_t>::max());
}

upload_session::~upload_session() = default;

template <class Job, class Then>
void upload_session::on_files(Job job, Then then) {
  if (ctx_.files == nullptr)
    return send(answer(http::status::service_unavailable, "this server keeps no files"));
  ctx_.files->post([self = shared_from_this(), job = std::move(job),
                    then = std::move(then)](files::files_state& state) mutable {
    auto result = job(state);
    net::post(
        self->stream_.get_executor(),
        [self, then = std::move(then), result = std::move(result)]() mutable { then(std::move(result)); });
  });
}

void upload_session::run() {
  if (req_.method() == http::verb::patch) return dispatch();
  read_small_body();
}

void upload_session::read_small_body() {
  // Every request but PATCH carries no body worth reading: it is read and dropped, up to the
  // usual small limit.
  if (body_->is_done()) return dispatch();
  piece_.resize(ctx_.limits.max_body_bytes + 1);
  body_->get().body().data = piece_.data();
  body_->get().body().size = piece_.size();
  body_->get().body().more = true;
  http::async_read(stream_, buffer_, *body_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec == http::error::need_buffer) {
      auto res = self->answer(http::status::payload_too_large, "request body too large");
      res.keep_alive(false);
      return self->send(std::move(res));
    }
    if (ec) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    self->dispatch();
  });
}

response upload_session::answer(http::status status, std::string_view text) {
  response res;
  if (status == http::status::no_content) {
    res = response{status, req_.version()};
    res.set(http::field::server, "message");
    res.set("X-Content-Type-Options", "nosniff");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(req_.keep_alive());
  } else {
    res = error_response(req_, status, text);
  }
  res.set("Tus-Resumable", tus_version);
  return res;
}

void upload_session::dispatch() {
  auto url = boost::urls::parse_origin_form(req_.target());
  const std::string path = url ? std::string(url->path()) : std::string();
  const bool collection = path == uploads_path;
  if (!collection) id_ = path.substr(uploads_path.size() + 1);
  if (!collection && !is_upload_id(id_)) return send(answer(http::status::not_found, "no such upload"));
  if (req_.method() == http::verb::options) {
    if (!collection) return send(answer(http::status::not_found, "not found"));
    return options();
  }
  // Who asks: an identity token in Authorization, else the /auth cookie's identity.
  auto who = presented_identity_for_auth(req_);
  if (who.state == presented_identity::kind::malformed)
    return send(answer(http::status::bad_request, "the identity token is not 22 characters of base64url"));
  if (who.state == presented_identity::kind::valid) {
    device_ = who.id;
  } else if (auto session = session_of(req_, ctx_.http)) {
    device_ = *session;
  }
  if (device_.empty()) {
    auto res =
        answer(http::status::unauthorized, "an upload needs an identity (Authorization: Identity <token>)");
    res.set(http::field::www_authenticate, "Bearer realm=\"message\"");
    return send(std::move(res));
  }
  if (req_["Tus-Resumable"] != tus_version) {
    auto res = answer(http::status::precondition_failed, "Tus-Resumable: 1.0.0 is required");
    res.set("Tus-Version", tus_version);
    return send(std::move(res));
  }
  const auto method = req_.method();
  if (collection && method == http::verb::post) return create();
  if (!collection && method == http::verb::head) return head();
  if (!collection && method == http::verb::patch) return patch();
  if (!collection && method == http::verb::delete_) return remove();
  auto res = answer(http::status::method_not_allowed, "not a tus request");
  res.set(http::field::allow, collection ? "OPTIONS, POST" : "HEAD, PATCH, DELETE");
  return send(std::move(res));
}

void upload_session::options() {
  auto res = answer(http::status::no_content);
  res.set("Tus-Version", tus_version);
  res.set("Tus-Extension", "creation,termination,checksum");
  res.set("Tus-Max-Size", std::to_string(ctx_.limits.max_file_bytes));
  res.set("Tus-Checksum-Algorithm", "sha1,sha256");
  send(std::move(res));
}

void upload_session::create() {
  if (!req_["Upload-Defer-Length"].empty())
    return send(answer(http::status::bad_request, "Upload-Defer-Length is not offered: send Upload-Length"));
  const auto length = parse_decimal(req_["Upload-Length"]);
  if (!length)
    return send(answer(http::status::bad_request, "Upload-Length: the file's size in bytes is required"));
  if (*length > ctx_.limits.max_file_bytes)
    return send(answer(http::status::payload_too_large,
                       fmt::format("the file is larger than this server takes ({} bytes at most)",
                                   ctx_.limits.max_file_bytes)));
  auto metadata = parse_upload_metadata(req_["Upload-Metadata"]);
  if (!metadata) return send(answer(http::status::bad_request, "Upload-Metadata is malformed"));
  if (!has_key(*metadata, "filename") || !is_valid_file_name(value_of(*metadata, "filename")))
    return send(answer(http::status::bad_request,
                       "filename: 1-255 bytes of UTF-8 without /, \\, NUL or control characters"));
  const auto room = value_of(*metadata, "room", "lobby");
  if (!protocol::is_valid_name(room, ctx_.limits.max_room_chars))
    return send(answer(http::status::bad_request, "room: not a room name"));
  if (has_key(*metadata, "id") && !protocol::is_valid_id(value_of(*metadata, "id"), ctx_.limits.max_id_chars))
    return send(answer(http::status::bad_request, "id: 1-64 printable ASCII characters"));
  const auto caption = value_of(*metadata, "caption");
  if (!protocol::is_valid_utf8(caption) ||
      protocol::count_code_points(caption) > ctx_.limits.max_message_chars)
    return send(answer(http::status::bad_request, "caption: too long, or not UTF-8"));
  if (has_key(*metadata, "reply_to")) {
    const auto r = parse_decimal(value_of(*metadata, "reply_to"));
    if (!r || *r == 0) return send(answer(http::status::bad_request, "reply_to: a positive seq"));
  }
  core::check_file_room(
      ctx_.hub, loop_, device_, room,
      [self = shared_from_this(), metadata = std::move(*metadata),
       length = *length](core::file_room_check check) mutable {
        if (check.failed)
          return self->send(self->answer(http::status::service_unavailable,
                                         "the room cannot be checked right now: try again"));
        if (!check.allowed)
          return self->send(self->answer(
              http::status::forbidden, "not_member: this room is private: only its members can post in it"));
        const auto sha256 = value_of(metadata, "sha256");
        if (!sha256.empty()) return self->claim(std::move(metadata), length, sha256);
        self->create_checked(std::move(metadata), length);
      });
}

void upload_session::create_checked(std::vector<std::pair<std::string, std::string>> metadata,
                                    std::uint64_t length) {
  struct created {
    http::status status = http::status::created;
    std::string text;
    std::string id;
  };
  on_files(
      [device = device_, metadata = std::move(metadata), length, max = ctx_.limits.max_file_bytes,
       floor = ctx_.limits.min_free_bytes, most = ctx_.limits.max_uploads](files::files_state& s) mutable {
        created c;
        try {
          if (s.uploads.count_of(device) >= most) {
            c.status = http::status::too_many_requests;
            c.text = "too many unfinished uploads: finish or delete one first";
            return c;
          }
          c.id =
              s.uploads.create(device, length, std::move(metadata), max, floor, files::files_worker::now_ms())
                  .id;
        } catch (const files::upload_refused& e) {
          c.status = e.why() == files::upload_refusal::too_big ? http::status::payload_too_large
                                                               : http::status::insufficient_storage;
          c.text = e.what();
        } catch (const std::exception& e) {
          c.status = http::status::service_unavailable;
          c.text = "the server cannot store files right now: try again";
        }
        return c;
      },
      [self = shared_from_this()](const created& c) {
        if (c.status != http::status::created) return self->send(self->answer(c.status, c.text));
        auto res = self->answer(http::status::created, "");
        res.set(http::field::location, std::string(uploads_path) + "/" + c.id);
        res.set("Upload-Offset", "0");
        self->send(std::move(res));
      });
}

void upload_session::head() {
  struct stored {
    std::optional<files::upload> upload;
    std::string sha256;  // Of the bytes stored so far: a client checks a file picked again.
    bool failed = false;
  };
  on_files(
      [id = id_, device = device_](files::files_state& s) {
        stored r;
        const auto* u = s.uploads.find(id);
        if (u == nullptr || u->identity != device) return r;
        r.upload = *u;
        try {
          r.sha256 = s.uploads.stored_sha256(id);
        } catch (const std::exception&) {
          r.failed = true;
        }
        return r;
      },
      [self = shared_from_this()](const stored& r) {
        const auto& u = r.upload;
        if (!u) return self->send(self->answer(http::status::not_found, "no such upload"));
        if (r.failed)
          return self->send(self->answer(http::status::service_unavailable,
                                         "the upload's stored bytes cannot be read right now: try again"));
        response res{http::status::ok, self->req_.version()};
        res.set(http::field::server, "message");
        res.set(http::field::cache_control, "no-store");
        res.set("Tus-Resumable", tus_version);
        res.set("Upload-Offset", std::to_string(u->offset));
        res.set("Upload-Length", std::to_string(u->length));
        res.set("Upload-Metadata", encode_upload_metadata(u->metadata));
        res.set("Upload-Stored-Sha256", r.sha256);
        res.keep_alive(self->req_.keep_alive());
        res.content_length(0);
        self->send(std::move(res));
      });
}

void upload_session::remove() {
  on_files(
      [id = id_, device = device_](files::files_state& s) {
        const auto* u = s.uploads.find(id);
        if (u == nullptr || u->identity != device) return false;
        return s.uploads.remove(id);
      },
      [self = shared_from_this()](bool removed) {
        self->send(removed ? self->answer(http::status::no_content)
                           : self->answer(http::status::not_found, "no such upload"));
      });
}

// --- PATCH ------------------------------------------------------------------------------

void upload_session::patch() {
  if (req_[http::field::content_type] != "application/offset+octet-stream")
    return send(
        answer(http::status::unsupported_media_type, "Content-Type: application/offset+octet-stream"));
  const auto offset = parse_decimal(req_["Upload-Offset"]);
  if (!offset) return send(answer(http::status::bad_request, "Upload-Offset: a number of bytes is required"));
  if (const auto c = req_["Upload-Checksum"]; !c.empty()) {
    const auto parsed = parse_upload_checksum(c);
    if (!parsed)
      return send(answer(http::status::bad_request, "Upload-Checksum: sha1 or sha256 and a base64 digest"));
    checksum_ = std::make_unique<checksum>(*parsed);
  }
  start_ = at_ = *offset;
  const auto declared = body_->content_length();
  struct found {
    http::status status = http::status::ok;
    std::string text;
    std::uint64_t stored = 0;
    std::uint64_t length = 0;
  };
  on_files(
      [id = id_, device = device_, at = *offset,
       declared = declared ? std::optional<std::uint64_t>(*declared) : std::nullopt](files::files_state& s) {
        found f;
        const auto* u = s.uploads.find(id);
        if (u == nullptr || u->identity != device) {
          f.status = http::status::not_found;
          f.text = "no such upload";
          return f;
        }
        f.stored = u->offset;
        f.length = u->length;
        if (at != u->offset) {
          f.status = http::status::conflict;
          f.text = fmt::format("this upload holds {} bytes: continue from there", u->offset);
        } else if (declared && *declared > u->length - u->offset) {
          f.status = http::status::payload_too_large;
          f.text = "more bytes than the upload's declared length";
        }
        return f;
      },
      [self = shared_from_this()](const found& f) {
        if (f.status != http::status::ok) {
          auto res = self->answer(f.status, f.text);
          if (f.status != http::status::not_found) res.set("Upload-Offset", std::to_string(f.stored));
          // The body was not read: the connection cannot carry another request.
          res.keep_alive(false);
          return self->send(std::move(res));
        }
        self->patch_ready(f.stored, f.length);
      });
}

void upload_session::patch_ready(std::uint64_t, std::uint64_t length) {
  length_ = length;
  piece_.resize(ctx_.limits.upload_piece_bytes);
  if (beast::iequals(req_[http::field::expect], "100-continue")) {
    // The client waits for this before the body (curl does for big bodies).
    auto line = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
    net::async_write(stream_, net::buffer(*line),
                     [self = shared_from_this(), line](beast::error_code ec, std::size_t) {
                       if (ec) return;
                       self->read_piece();
                     });
    return;
  }
  read_piece();
}

void upload_session::read_piece() {
  if (body_->is_done()) return end_of_body();
  body_->get().body().data = piece_.data();
  body_->get().body().size = piece_.size();
  body_->get().body().more = true;
  // A client that stops sending is cut after the idle time; what it sent stays.
  stream_.expires_after(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(ctx_.limits.http_idle_timeout));
  http::async_read(stream_, buffer_, *body_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_piece(ec); });
}

void upload_session::on_piece(beast::error_code ec) {
  if (ec == http::error::need_buffer) ec = {};
  const std::size_t n = piece_.size() - body_->get().body().size;
  if (ec) return write_piece(n, false, true);  // Cut off: keep what came.
  write_piece(n, body_->is_done(), false);
}

struct upload_session::piece_result {
  http::status status = http::status::ok;
  std::string text;
  std::uint64_t offset = 0;
};

void upload_session::write_piece(std::size_t n, bool then_done, bool cut) {
  const bool checked = checksum_ != nullptr;
  on_files(
      [self = shared_from_this(), n, cut, checked](files::files_state& s) {
        piece_result r;
        const std::string_view bytes(self->piece_.data(), n);
        try {
          if (n > 0) {
            s.uploads.write(self->id_, self->at_, bytes, files::files_worker::now_ms());
            if (checked) self->checksum_->add(bytes);
          }
          if (cut) {
            // A cut request's bytes stay, unless a checksum was promised: they cannot be
            // checked, so they are dropped like a mismatch.
            if (checked) s.uploads.truncate(self->id_, self->start_);
            s.uploads.sync(self->id_);
          }
        } catch (const files::upload_refused& e) {
          r.status = e.why() == files::upload_refusal::bad_offset ? http::status::conflict
                                                                  : http::status::payload_too_large;
          r.text = e.what();
        } catch (const std::exception& e) {
          // A full disk: what landed stays (HEAD tells), the request ends here.
          r.status = http::status::insufficient_storage;
          r.text = "the server's disk is full: the upload keeps what it stored";
        }
        const auto* u = s.uploads.find(self->id_);
        r.offset = u ? u->offset : 0;
        return r;
      },
      [self = shared_from_this(), then_done, cut](const piece_result& r) {
        if (cut) {
          beast::error_code ignored;
          self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
          return;
        }
        if (r.status != http::status::ok) {
          if (self->checksum_) {
            // The request is over before its checksum could be checked: drop its bytes.
            self->on_files(
                [self](files::files_state& s) {
                  try {
                    s.uploads.truncate(self->id_, self->start_);
                  } catch (const std::exception&) {
                  }
                  const auto* u = s.uploads.find(self->id_);
                  return u ? u->offset : 0;
                },
                [self, r](std::uint64_t offset) {
                  auto res = self->answer(r.status, r.text);
                  res.set("Upload-Offset", std::to_string(offset));
                  res.keep_alive(false);
                  self->send(std::move(res));
                });
            return;
          }
          auto res = self->answer(r.status, r.text);
          res.set("Upload-Offset", std::to_string(r.offset));
          res.keep_alive(false);
          return self->send(std::move(res));
        }
        self->at_ = r.offset;
        if (then_done) return self->end_of_body();
        self->read_piece();
      });
}

void upload_session::end_of_body() {
  struct ended {
    bool mismatch = false;
    bool failed = false;
    std::uint64_t offset = 0;
  };
  on_files(
      [self = shared_from_this()](files::files_state& s) {
        ended e;
        try {
          if (self->checksum_ && !self->checksum_->matches()) {
            e.mismatch = true;
            s.uploads.truncate(self->id_, self->start_);
          }
          s.uploads.sync(self->id_);
        } catch (const std::exception&) {
          e.failed = true;
        }
        const auto* u = s.uploads.find(self->id_);
        e.offset = u ? u->offset : 0;
        return e;
      },
      [self = shared_from_this()](ended e) {
        if (e.failed || e.mismatch) {
          auto res = e.mismatch ? self->answer(static_cast<http::status>(460),
                                               "checksum mismatch: the request's bytes are dropped")
                                : self->answer(http::status::insufficient_storage,
                                               "the upload cannot be made durable");
          res.set("Upload-Offset", std::to_string(e.offset));
          return self->send(std::move(res));
        }
        self->at_ = e.offset;
        if (e.offset == self->length_) return self->last_byte();
        auto res = self->answer(http::status::no_content);
        res.set("Upload-Offset", std::to_string(e.offset));
        self->send(std::move(res));
      });
}

void upload_session::last_byte() {
  struct sealed {
    bool failed = false;
    files::upload info;
    core::file_ref file;
  };
  on_files(
      [id = id_, max_pixels = ctx_.limits.max_image_pixels,
       max_side = ctx_.limits.thumb_max_side](files::files_state& s) {
        sealed r;
        try {
          const auto* u = s.uploads.find(id);
          if (u == nullptr) throw files::files_error("the upload is gone");
          r.info = *u;
          r.file.sha256 = s.uploads.seal(id);
          r.file.name = value_of(u->metadata, "filename");
          r.file.size = u->length;
          const auto blob = s.blobs.path_of(r.file.sha256);
          r.file.type = s.sniffer.type_of_file(blob);
          files::add_picture_details(blob, files::thumb_path(s.blobs.root(), r.file.sha256), r.file,
                                     max_pixels, max_side);
        } catch (const std::exception&) {
          r.failed = true;
        }
        return r;
      },
      [self = shared_from_this()](sealed r) {
        if (r.failed)
          return self->send(
              self->answer(http::status::service_unavailable,
                           "the file cannot be stored right now: PATCH again at the last offset"));
        self->append_message(r.info, std::move(r.file));
      });
}

void upload_session::append_message(const files::upload& info, core::file_ref file) {
  core::file_message m;
  m.device = device_;
  m.room = value_of(info.metadata, "room", "lobby");
  m.id = value_of(info.metadata, "id", info.id);
  m.caption = value_of(info.metadata, "caption");
  if (auto r = parse_decimal(value_of(info.metadata, "reply_to"))) m.reply_to = *r;
  m.file = std::move(file);
  const std::string message_id = m.id;
  core::append_file_message(
      ctx_.hub, loop_, std::move(m),
      [self = shared_from_this(), message_id](const core::file_message_outcome& out) {
        if (out.failed)
          return self->send(
              self->answer(http::status::service_unavailable,
                           "the message cannot be stored right now: PATCH again at the last offset"));
        if (!out.refused.empty()) {
          const auto status =
              out.refused == "not_member" ? http::status::forbidden : http::status::bad_request;
          auto res = self->answer(status, out.refused + ": " + out.words);
          res.set("Upload-Offset", std::to_string(self->at_));
          return self->send(std::move(res));
        }
        // The message exists: the upload is done (the blob stays under its hash).
        self->on_files(
            [id = self->id_](files::files_state& s) {
              try {
                s.uploads.remove(id);
              } catch (const std::exception&) {
              }
              return true;
            },
            [self, out, message_id](bool) {
              // A new blob may take the shared files past their cap: the oldest go now.
              if (self->ctx_.limits.max_files_total_bytes > 0 && self->ctx_.files != nullptr)
                sweep_blobs(self->ctx_.hub, *self->ctx_.files, self->ctx_.limits);
              auto res = self->answer(http::status::no_content);
              res.set("Upload-Offset", std::to_string(self->at_));
              res.set("Message-Seq", std::to_string(out.seq));
              res.set("Message-Id", message_id);
              self->send(std::move(res));
            });
      });
}

// --- answers ----------------------------------------------------------------------------

void upload_session::send(response res) {
  if (static_cast<unsigned>(res.result()) == 460) res.reason("Checksum Mismatch");
  if (req_.method() == http::verb::head && !res.body().empty()) {
    res.body().clear();  // An answer to HEAD has no body.
    res.prepare_payload();
  }
  out_ = std::make_shared<response>(std::move(res));
  stream_.expires_after(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(ctx_.limits.http_idle_timeout));
  http::async_write(stream_, *out_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    const bool keep_alive = self->out_->keep_alive();
    self->out_.reset();
    if (ec) return;
    if (!keep_alive || !self->body_->is_done() || self->buffer_.size() != 0) return self->linger();
    // The next request on this connection starts afresh.
    std::make_shared<http_session>(self->stream_.release_socket(), self->ctx_, self->loop_,
                                   std::move(self->slot_), self->over_tls_)
        ->run();
  });
}

void upload_session::linger() {
  // Shut our side, then read and drop what the client still sends for a second, so that
  // closing does not reset the answer away.
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(1));
  drain();
}

void upload_session::drain() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (!ec) self->drain();
                          });
}

}  // namespace message::transport
