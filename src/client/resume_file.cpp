#include "client/resume_file.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace message::client {

namespace {

constexpr std::string_view magic = "message-send-resume 1";

std::string hex(const unsigned char* p, std::size_t n) {
  std::string out;
  char two[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(two, sizeof two, "%02x", p[i]);
    out += two;
  }
  return out;
}

}  // namespace

std::string new_run_id() {
  std::array<unsigned char, 8> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("no random bytes");
  return hex(bytes.data(), bytes.size());
}

std::string line_id(const std::string& run, std::uint64_t number, const std::string& text) {
  // The content's digest ties the id to the line: an input edited between two runs sends the
  // changed lines as new messages instead of taking them for already sent.
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), md, &n, EVP_sha256(), nullptr);
  return "t" + run + "-" + std::to_string(number) + "-" + hex(md, 6);
}

resume_file::resume_file(std::filesystem::path path) : path_(std::move(path)) {
  std::ifstream in(path_);
  if (!in) {
    if (std::filesystem::exists(path_)) throw std::runtime_error("cannot read " + path_.string());
    run_id_ = new_run_id();
    write();
    return;
  }
  std::string first, word;
  std::getline(in, first);
  if (first != magic) throw std::runtime_error(path_.string() + " is not a resume file of message send");
  while (in >> word) {
    if (word == "run")
      in >> run_id_;
    else if (word == "acked")
      in >> acked_;
  }
  if (run_id_.size() != 16) throw std::runtime_error(path_.string() + " has no run id");
}

void resume_file::set_acked(std::uint64_t n) {
  if (n == acked_) return;
  acked_ = n;
  write();
}

void resume_file::finish() {
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

void resume_file::write() const {
  const auto tmp = path_.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << magic << "\nrun " << run_id_ << "\nacked " << acked_ << "\n";
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
  if (ec) throw std::runtime_error("cannot write " + path_.string() + ": " + ec.message());
}

}  // namespace message::client
