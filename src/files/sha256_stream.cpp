#include "files/sha256_stream.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace message::files {

namespace {
EVP_MD_CTX* md(void* ctx) { return static_cast<EVP_MD_CTX*>(ctx); }
}  // namespace

void sha256_stream::context_deleter::operator()(void* ctx) const { EVP_MD_CTX_free(md(ctx)); }

sha256_stream::sha256_stream() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(md(ctx_.get()), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL could not start a SHA-256 digest");
}

sha256_stream::~sha256_stream() = default;
sha256_stream::sha256_stream(sha256_stream&&) noexcept = default;
sha256_stream& sha256_stream::operator=(sha256_stream&&) noexcept = default;

void sha256_stream::add(std::string_view bytes) {
  if (EVP_DigestUpdate(md(ctx_.get()), bytes.data(), bytes.size()) != 1)
    throw std::runtime_error("OpenSSL could not update a SHA-256 digest");
}

std::string sha256_stream::peek_hex() const {
  sha256_stream copy;
  if (EVP_MD_CTX_copy_ex(md(copy.ctx_.get()), md(ctx_.get())) != 1)
    throw std::runtime_error("OpenSSL could not copy a SHA-256 digest");
  return copy.finish_hex();
}

std::string sha256_stream::finish_hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(md(ctx_.get()), digest, &n) != 1)
    throw std::runtime_error("OpenSSL could not finish a SHA-256 digest");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (unsigned int i = 0; i < n; ++i) {
    out.push_back(hex[digest[i] >> 4U]);
    out.push_back(hex[digest[i] & 0x0fU]);
  }
  return out;
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace message::files
