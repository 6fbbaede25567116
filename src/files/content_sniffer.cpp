#include "files/content_sniffer.hpp"

#include <magic.h>

#include <fstream>
#include <stdexcept>

namespace message::files {

namespace {

/// libmagic still names some types by their pre-registration `x-` names; the file field and the
/// download's inline list use the registered ones, so a WAV plays in the page like an MP3.
std::string registered_name(std::string type) {
  if (type == "audio/x-wav") return "audio/wav";
  return type;
}

}  // namespace

content_sniffer::content_sniffer()
    : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS)) {
  if (cookie_ == nullptr) throw std::runtime_error("libmagic cannot start");
  if (magic_load(static_cast<magic_t>(cookie_), nullptr) != 0) {
    const std::string why = magic_error(static_cast<magic_t>(cookie_));
    magic_close(static_cast<magic_t>(cookie_));
    throw std::runtime_error("libmagic cannot load its database: " + why);
  }
}

content_sniffer::~content_sniffer() { magic_close(static_cast<magic_t>(cookie_)); }

std::string content_sniffer::type_of(std::string_view bytes) {
  if (bytes.empty()) return "application/x-empty";
  const char* type = magic_buffer(static_cast<magic_t>(cookie_), bytes.data(), bytes.size());
  if (type == nullptr || *type == '\0') return "application/octet-stream";
  return registered_name(type);
}

std::string content_sniffer::type_of_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(sniff_bytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return type_of(head);
}

}  // namespace message::files
