#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace message::files {

/// SHA-256 over bytes that arrive in pieces (OpenSSL's incremental EVP digest), so a file is
/// hashed while it streams to disk and never read twice. Thread-safety: none; one owner.
class sha256_stream {
 public:
  sha256_stream();
  ~sha256_stream();
  sha256_stream(sha256_stream&&) noexcept;
  sha256_stream& operator=(sha256_stream&&) noexcept;
  sha256_stream(const sha256_stream&) = delete;
  sha256_stream& operator=(const sha256_stream&) = delete;

  void add(std::string_view bytes);
  /// The digest of everything added, as 64 lowercase hex digits. Ends the stream: add() may
  /// not follow.
  std::string finish_hex();
  /// The digest of everything added so far, as finish_hex() says it, while the stream goes on
  /// (a copy of the context is finished).
  std::string peek_hex() const;

 private:
  struct context_deleter {
    void operator()(void* ctx) const;
  };
  std::unique_ptr<void, context_deleter> ctx_;
};

/// True for 64 lowercase hex digits: a blob's name.
bool is_sha256_hex(std::string_view s);

}  // namespace message::files
