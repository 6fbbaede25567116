// "Already there" (docs/protocol.md, "Files"): a tus creation whose Upload-Metadata names the
// file's SHA-256 gets its message at once when the server holds that blob with that size and
// the identity could download it anyway (a room it may read holds a live message sharing it).
// Nothing is written twice; any other claim is ignored and the upload proceeds as usual.

#include <cctype>
#include <filesystem>

#include "common/identity.hpp"
#include "core/file_message.hpp"
#include "files/files_worker.hpp"
#include "files/thumbnailer.hpp"
#include "transport/tus_headers.hpp"
#include "transport/upload_session.hpp"

namespace message::transport {

namespace {
std::string metadata_value(const std::vector<std::pair<std::string, std::string>>& metadata,
                           std::string_view key, std::string fallback = {}) {
  for (const auto& [k, v] : metadata)
    if (k == key) return v;
  return fallback;
}

/// A claimed hash as a blob is named: 64 hex digits, taken in either case.
std::optional<std::string> blob_name(std::string_view claimed) {
  if (claimed.size() != 64) return std::nullopt;
  std::string name;
  for (const char c : claimed) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return name;
}
}  // namespace

void upload_session::claim(std::vector<std::pair<std::string, std::string>> metadata, std::uint64_t length,
                           const std::string& sha256) {
  const auto name = blob_name(sha256);
  if (!name || ctx_.files == nullptr) return create_checked(std::move(metadata), length);
  // First the store: which room shares it, and may this identity read one of them.
  core::find_readable_file(
      ctx_.hub, loop_, device_, *name,
      [self = shared_from_this(), metadata = std::move(metadata), length](core::readable_file found) mutable {
        if (found.failed || !found.file || found.file->size != length || found.file->gone)
          return self->create_checked(std::move(metadata), length);
        // Then the disk: the blob itself, whole under its name (a removed one is not reused).
        auto file = std::move(*found.file);
        self->ctx_.files->post([self, metadata = std::move(metadata), file = std::move(file),
                                length](files::files_state& s) mutable {
          bool held = false;
          try {
            held = s.blobs.size_of(file.sha256) == length;
            if (held && file.thumb)
              file.thumb = std::filesystem::exists(files::thumb_path(s.blobs.root(), file.sha256));
          } catch (const std::exception&) {
            held = false;
          }
          net::post(self->stream_.get_executor(),
                    [self, held, metadata = std::move(metadata), file = std::move(file), length]() mutable {
                      if (!held) return self->create_checked(std::move(metadata), length);
                      self->claim_held(metadata, std::move(file));
                    });
        });
      });
}

void upload_session::claim_held(const std::vector<std::pair<std::string, std::string>>& metadata,
                                core::file_ref file) {
  // No upload is kept: the Location names an upload that is already over (HEAD: 404, as for
  // any finished upload), and its id is the message's when the metadata names none.
  const auto upload_id = core::new_room_secret();
  core::file_message m;
  m.device = device_;
  m.room = metadata_value(metadata, "room", "lobby");
  m.id = metadata_value(metadata, "id", upload_id);
  m.caption = metadata_value(metadata, "caption");
  if (auto r = parse_decimal(metadata_value(metadata, "reply_to"))) m.reply_to = *r;
  file.name = metadata_value(metadata, "filename");  // The sniffed type, size and picture stay the blob's.
  m.file = std::move(file);
  const std::string message_id = m.id;
  const std::uint64_t length = m.file.size;
  core::append_file_message(
      ctx_.hub, loop_, std::move(m),
      [self = shared_from_this(), message_id, upload_id, length](const core::file_message_outcome& out) {
        if (out.failed)
          return self->send(self->answer(http::status::service_unavailable,
                                         "the message cannot be stored right now: try again"));
        if (!out.refused.empty()) {
          const auto status =
              out.refused == "not_member" ? http::status::forbidden : http::status::bad_request;
          return self->send(self->answer(status, out.refused + ": " + out.words));
        }
        auto res = self->answer(http::status::created, "");
        res.set(http::field::location, std::string(uploads_path) + "/" + upload_id);
        res.set("Upload-Offset", std::to_string(length));
        res.set("Message-Seq", std::to_string(out.seq));
        res.set("Message-Id", message_id);
        self->send(std::move(res));
      });
}

}  // namespace message::transport
