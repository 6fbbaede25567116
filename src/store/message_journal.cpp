#include "store/message_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/crc.hpp>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "store/message_store.hpp"

namespace message::store {

namespace {

constexpr std::string_view magic = "MSGJRNL1";
constexpr std::size_t header_bytes = 8;  // length + crc
/// A record is one message of at most a few KiB; anything claiming more is damage.
constexpr std::uint32_t max_payload = 1u << 24;

std::uint32_t crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void set_u32(std::string& out, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_text(std::string& out, const std::string& s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out += s;
}

/// Reads little-endian fields from a byte range; any overrun makes ok() false.
class reader {
 public:
  explicit reader(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t fixed(int n) {
    if (!take(static_cast<std::size_t>(n))) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(
               bytes_[pos_ - static_cast<std::size_t>(n) + static_cast<std::size_t>(i)]))
           << (8 * i);
    return v;
  }
  std::string text() {
    const auto n = static_cast<std::size_t>(fixed(4));
    if (!take(n)) return {};
    return std::string(bytes_.substr(pos_ - n, n));
  }
  bool ok() const { return ok_; }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  bool take(std::size_t n) {
    if (!ok_ || bytes_.size() - pos_ < n) return ok_ = false;
    pos_ += n;
    return true;
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

message_journal::message_journal(std::filesystem::path file, bool sync_each_append)
    : file_(std::move(file)), sync_each_append_(sync_each_append) {
  fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("opening", errno);
  try {
    read_existing();
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

message_journal::~message_journal() {
  if (fd_ >= 0) ::close(fd_);
}

void message_journal::fail(const std::string& what, int err) const {
  std::string hint;
  if (err == ENOSPC) hint = " (the disk is full)";
  if (err == EFBIG) hint = " (the file size limit is reached)";
  if (err == EACCES || err == EPERM || err == EROFS) hint = " (check the file's permissions)";
  throw store_error(
      fmt::format("{} the journal {} failed: {}{}", what, file_.string(), std::strerror(err), hint));
}

void message_journal::read_existing() {
  std::string content;
  char chunk[65536];
  for (;;) {
    const auto n = ::pread(fd_, chunk, sizeof chunk, static_cast<off_t>(content.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("reading", errno);
    }
    if (n == 0) break;
    content.append(chunk, static_cast<std::size_t>(n));
  }
  if (content.empty()) {
    // A new journal (or one emptied by a crash between create and the magic): start it.
    buffer_.assign(magic);
    if (::pwrite(fd_, buffer_.data(), buffer_.size(), 0) != static_cast<ssize_t>(buffer_.size()))
      fail("starting", errno);
    end_ = magic.size();
    return;
  }
  if (content.size() < magic.size() || std::string_view(content).substr(0, magic.size()) != magic)
    throw store_error(fmt::format(
        "the journal {} is not a message journal (move it away or use another --data)", file_.string()));
  std::size_t pos = magic.size();
  while (content.size() - pos >= header_bytes) {
    reader head(std::string_view(content).substr(pos, header_bytes));
    const auto length = static_cast<std::uint32_t>(head.fixed(4));
    const auto crc = static_cast<std::uint32_t>(head.fixed(4));
    if (length > max_payload || content.size() - pos - header_bytes < length) break;
    const auto payload = std::string_view(content).substr(pos + header_bytes, length);
    if (crc32(payload) != crc) break;
    reader r(payload);
    core::chat_message m;
    m.seq = r.fixed(8);
    m.ts = static_cast<std::int64_t>(r.fixed(8));
    m.room = r.text();
    m.id = r.text();
    m.username = r.text();
    m.text = r.text();
    m.device = r.text();
    if (!r.ok() || !r.done()) break;
    recovered_.push_back(std::move(m));
    pos += header_bytes + length;
  }
  end_ = pos;
  if (pos < content.size()) {
    spdlog::warn("the journal {} ends in {} damaged byte(s) after {} whole message(s); they are cut off",
                 file_.string(), content.size() - pos, recovered_.size());
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) fail("cutting the damaged tail of", errno);
  }
}

void message_journal::append(const std::vector<core::chat_message>& messages) {
  buffer_.clear();
  for (const auto& m : messages) {
    const auto at = buffer_.size();
    put_u32(buffer_, 0);  // length and crc, filled in below
    put_u32(buffer_, 0);
    put_u64(buffer_, m.seq);
    put_u64(buffer_, static_cast<std::uint64_t>(m.ts));
    put_text(buffer_, m.room);
    put_text(buffer_, m.id);
    put_text(buffer_, m.username);
    put_text(buffer_, m.text);
    put_text(buffer_, m.device);
    const auto payload = std::string_view(buffer_).substr(at + header_bytes);
    set_u32(buffer_, at, static_cast<std::uint32_t>(payload.size()));
    set_u32(buffer_, at + 4, crc32(payload));
  }
  std::size_t written = 0;
  int err = 0;
  while (written < buffer_.size()) {
    const auto n =
        ::pwrite(fd_, buffer_.data() + written, buffer_.size() - written, static_cast<off_t>(end_ + written));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  if (err == 0 && sync_each_append_ && ::fdatasync(fd_) != 0) err = errno;
  if (err != 0) {
    // Cut back what part of the group did reach the file. Should even that fail, the next
    // append overwrites the same bytes (it writes at end_), and a reopen stops at them.
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0)
      spdlog::warn("cutting the journal {} back failed: {}", file_.string(), std::strerror(errno));
    fail("appending to", err);
  }
  end_ += buffer_.size();
}

void message_journal::reset() {
  recovered_.clear();
  recovered_.shrink_to_fit();
  if (::ftruncate(fd_, static_cast<off_t>(magic.size())) != 0) fail("emptying", errno);
  end_ = magic.size();
}

}  // namespace message::store
