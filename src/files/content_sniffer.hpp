#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace message::files {

/// The MIME type of a file, sniffed from its bytes with libmagic (docs/protocol.md, "Files":
/// the type is never taken from the uploader). Reads at most the first sniff_bytes of a file:
/// libmagic decides from the start, and a 2 GiB upload costs no more to sniff than a picture.
///
/// Thread-safety: none (a libmagic cookie is not shared across threads); one owner, the files
/// worker.
class content_sniffer {
 public:
  static constexpr std::size_t sniff_bytes = 256 * 1024;

  /// Loads libmagic's database; throws std::runtime_error when it cannot.
  content_sniffer();
  ~content_sniffer();
  content_sniffer(const content_sniffer&) = delete;
  content_sniffer& operator=(const content_sniffer&) = delete;

  /// The type of `bytes` ("application/x-empty" for none); application/octet-stream when
  /// libmagic cannot tell.
  std::string type_of(std::string_view bytes);
  /// The type of the file at `path` from its first sniff_bytes.
  std::string type_of_file(const std::filesystem::path& path);

 private:
  void* cookie_ = nullptr;  // magic_t
};

}  // namespace message::files
