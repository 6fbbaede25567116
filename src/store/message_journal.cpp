#include "store/message_journal.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>
#include <string_view>
#include <utility>

#include "core/sequencing_store.hpp"

namespace message::store {

namespace {

constexpr std::string_view magic = "MSGJRNL1";
constexpr std::size_t header_bytes = 8;  // length + crc
/// A record is one message of at most a few KiB; anything claiming more is damage.
constexpr std::uint32_t max_payload = 1u << 24;

/// CRC-32 (IEEE, as zlib and Boost.CRC's crc_32_type compute it: the same file format). zlib's
/// is several bytes a step where Boost's goes one, and every append computes one.
std::uint32_t crc32(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      ::crc32_z(::crc32_z(0, nullptr, 0), reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
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

message_journal::message_journal(std::filesystem::path file, bool sync_each_append, bool salvage)
    : file_(std::move(file)), sync_each_append_(sync_each_append), salvage_(salvage) {
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
  unmap();
  // The space reserved ahead and never used goes back: a closed journal ends at its last record.
  if (fd_ >= 0 && allocated_ > end_) (void)::ftruncate(fd_, static_cast<off_t>(end_));
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

namespace {

/// The record that starts at `pos` of `content` if it is whole (its length fits, its crc
/// matches, its payload parses to exactly its length), with the position after it.
std::optional<std::pair<core::chat_message, std::size_t>> record_at(std::string_view content,
                                                                    std::size_t pos) {
  if (content.size() - pos < header_bytes) return std::nullopt;
  reader head(content.substr(pos, header_bytes));
  const auto length = static_cast<std::uint32_t>(head.fixed(4));
  const auto crc = static_cast<std::uint32_t>(head.fixed(4));
  if (length > max_payload || content.size() - pos - header_bytes < length) return std::nullopt;
  const auto payload = content.substr(pos + header_bytes, length);
  if (crc32(payload) != crc) return std::nullopt;
  reader r(payload);
  core::chat_message m;
  m.seq = r.fixed(8);
  m.ts = static_cast<std::int64_t>(r.fixed(8));
  m.room = r.text();
  m.id = r.text();
  m.username = r.text();
  m.text = r.text();
  m.device = r.text();
  if (r.ok() && !r.done()) {
    // The conversation's fields, present on a change or a reply or mentions (a record
    // without them, as every record written before them, is a plain message).
    m.kind = static_cast<core::event_kind>(r.fixed(1));
    m.target = r.fixed(8);
    m.reply_to = r.fixed(8);
    const auto mentions = r.fixed(4);
    for (std::uint64_t i = 0; i < mentions && r.ok(); ++i) m.mentions.push_back(r.text());
    if (m.kind > core::event_kind::unreact) return std::nullopt;
    // A shared file, after them (a record written before files ends here).
    if (r.ok() && !r.done()) {
      m.file = core::parse_file_ref(r.text());
      if (!m.file) return std::nullopt;
    }
  }
  if (!r.ok() || !r.done()) return std::nullopt;
  return std::make_pair(std::move(m), pos + header_bytes + length);
}

/// The whole records found at or after `from`, each at the first offset where one starts
/// after the one before. This finds what follows a damaged record, whose length cannot be
/// trusted; a false find would need a matching CRC-32 over a payload that parses exactly.
std::vector<core::chat_message> records_from(std::string_view content, std::size_t from,
                                             std::size_t* first_at = nullptr) {
  std::vector<core::chat_message> out;
  std::size_t pos = from;
  while (content.size() - pos >= header_bytes) {
    if (auto r = record_at(content, pos)) {
      if (out.empty() && first_at != nullptr) *first_at = pos;
      out.push_back(std::move(r->first));
      pos = r->second;
    } else {
      ++pos;
    }
  }
  return out;
}

}  // namespace

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
    end_ = allocated_ = magic.size();
    return;
  }
  if (content.size() < magic.size() || std::string_view(content).substr(0, magic.size()) != magic)
    throw store_error(fmt::format(
        "the journal {} is not a message journal (move it away or use another --data)", file_.string()));
  std::size_t pos = magic.size();
  while (auto r = record_at(content, pos)) {
    recovered_.push_back(std::move(r->first));
    pos = r->second;
  }
  end_ = pos;
  allocated_ = end_;
  const auto tail = std::string_view(content).substr(pos);
  if (std::all_of(tail.begin(), tail.end(), [](char c) { return c == 0; })) {
    // Space reserved ahead of a killed process's appends (or nothing at all): not damage.
    if (!tail.empty() && ::ftruncate(fd_, static_cast<off_t>(end_)) != 0)
      fail("cutting the unused tail of", errno);
    return;
  }
  std::size_t next_whole = 0;
  auto after = records_from(content, pos + 1, &next_whole);
  if (after.empty()) {
    // A torn tail: the last append, cut short by a crash, and nothing whole after it. What it
    // held was never acknowledged (the append had not returned).
    spdlog::warn("the journal {} ends in {} damaged byte(s) after {} whole message(s); they are cut off",
                 file_.string(), content.size() - pos, recovered_.size());
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) fail("cutting the damaged tail of", errno);
    return;
  }
  // Damage with whole records after it is no crash's doing (a bad disk, another program):
  // those records were acknowledged, so nothing is cut off and the start is refused.
  if (!salvage_)
    throw store_error(fmt::format(
        "the journal {} is damaged at offset {} ({} byte(s) up to the next whole record), and {} whole "
        "record(s) follow the damage; nothing was changed. Start once with --salvage-journal to keep "
        "every whole record (the file is kept beside it as {}.damaged-TIME), or restore the data "
        "directory from a backup",
        file_.string(), pos, next_whole - pos, after.size(), file_.filename().string()));
  salvage(pos, next_whole - pos, std::move(after));
}

void message_journal::salvage(std::uint64_t damaged_at, std::uint64_t damaged_bytes,
                              std::vector<core::chat_message> after) {
  const auto kept_before = recovered_.size();
  std::move(after.begin(), after.end(), std::back_inserter(recovered_));
  buffer_.assign(magic);
  encode(recovered_);
  // The whole records go into a new file first; the original is then linked aside and the new
  // one renamed over it, so that at every moment the journal's name holds every whole record,
  // and the original is never deleted.
  const auto fresh = std::filesystem::path(file_.string() + ".salvaging");
  const int out = ::open(fresh.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) fail("salvaging (creating " + fresh.string() + ") for", errno);
  std::size_t written = 0;
  int err = 0;
  while (written < buffer_.size() && err == 0) {
    const auto n =
        ::pwrite(out, buffer_.data() + written, buffer_.size() - written, static_cast<off_t>(written));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      err = n < 0 ? errno : EIO;
    else
      written += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fdatasync(out) != 0) err = errno;
  ::close(out);
  if (err != 0) {
    (void)::unlink(fresh.c_str());
    fail("salvaging (writing " + fresh.string() + ") for", err);
  }
  std::filesystem::path aside;
  for (int n = 0;; ++n) {
    aside =
        file_.string() + ".damaged-" + std::to_string(::time(nullptr)) + (n ? "-" + std::to_string(n) : "");
    if (::link(file_.c_str(), aside.c_str()) == 0) break;
    if (errno != EEXIST || n > 100) {
      const int link_err = errno;
      (void)::unlink(fresh.c_str());
      fail("salvaging (keeping the original as " + aside.string() + ") for", link_err);
    }
  }
  if (::rename(fresh.c_str(), file_.c_str()) != 0)
    fail("salvaging (renaming " + fresh.string() + ") for", errno);
  ::close(fd_);
  fd_ = ::open(file_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) fail("reopening the salvaged", errno);
  end_ = allocated_ = buffer_.size();
  spdlog::warn(
      "the journal {} was damaged at offset {} ({} byte(s)): salvaged {} whole record(s) before the damage "
      "and {} after it; the damaged file is kept as {}",
      file_.string(), damaged_at, damaged_bytes, kept_before, recovered_.size() - kept_before,
      aside.string());
  salvaged_ = true;
}

void message_journal::encode(const std::vector<core::chat_message>& messages) {
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
    if (m.kind != core::event_kind::message || m.reply_to != 0 || !m.mentions.empty() || m.file) {
      buffer_.push_back(static_cast<char>(m.kind));
      put_u64(buffer_, m.target);
      put_u64(buffer_, m.reply_to);
      put_u32(buffer_, static_cast<std::uint32_t>(m.mentions.size()));
      for (const auto& mention : m.mentions) put_text(buffer_, mention);
      if (m.file) put_text(buffer_, core::file_ref_text(*m.file));
    }
    const auto payload = std::string_view(buffer_).substr(at + header_bytes);
    set_u32(buffer_, at, static_cast<std::uint32_t>(payload.size()));
    set_u32(buffer_, at + 4, crc32(payload));
  }
}

void message_journal::append(const std::vector<core::chat_message>& messages) {
  buffer_.clear();
  encode(messages);
  if (!sync_each_append_ && mapping_works_) {
    if (const int err = reserve(buffer_.size()); err != 0) fail("appending to", err);
    if (mapping_works_) {
      // A store into the shared mapping is in the page cache at once, as a write() would be:
      // it survives a killed process. Without the syscall.
      std::memcpy(map_ + end_, buffer_.data(), buffer_.size());
      end_ += buffer_.size();
      return;
    }
  }
  write_buffer();
}

int message_journal::reserve(std::size_t bytes) {
  const std::uint64_t want = end_ + bytes;
  if (want <= allocated_) return 0;
  // Whole steps of reserve_step, or just what this append needs when a step does not fit
  // (the disk or the file size limit is nearly reached).
  const std::uint64_t step = ((want + reserve_step - 1) / reserve_step) * reserve_step;
  int err = 0;
  for (const std::uint64_t size : {step, want}) {
    // fallocate, not posix_fallocate: that one would write zeros where the file system
    // cannot reserve, where a write() per append is the better answer.
    do {
      err = ::fallocate(fd_, 0, static_cast<off_t>(allocated_), static_cast<off_t>(size - allocated_)) == 0
                ? 0
                : errno;
    } while (err == EINTR);
    bool cannot_map = false;
    if (err == 0) {
      err = map(size);
      if (err == 0) {
        allocated_ = size;
        return 0;
      }
      cannot_map = true;
    }
    // fallocate may have grown the file part of the way: back to where it was.
    (void)::ftruncate(fd_, static_cast<off_t>(allocated_));
    if (cannot_map || err == EOPNOTSUPP || err == ENOSYS || err == ENODEV) {
      // A file system that cannot reserve or map: a write() per append, as with --fsync.
      spdlog::info("the journal {} is written with write() from now on ({})", file_.string(),
                   std::strerror(err));
      unmap();
      mapping_works_ = false;
      return 0;
    }
  }
  return err;  // No space, or the file size limit: this append fails.
}

int message_journal::map(std::uint64_t size) {
  void* p = map_ == nullptr ? ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0)
                            : ::mremap(map_, mapped_, size, MREMAP_MAYMOVE);
  if (p == MAP_FAILED) return errno;
  map_ = static_cast<char*>(p);
  mapped_ = size;
#ifdef MADV_POPULATE_WRITE
  // Fault the new pages in now, in one call, rather than one fault per page in the appends to
  // come, which a lone message's round trip would otherwise pay. A page the file system
  // cannot take fails here, with an error, where a store would have been a SIGBUS. A kernel
  // before 5.14 does not know the advice (EINVAL): the appends fault the pages in.
  static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t from = allocated_ / page * page;
  if (::madvise(map_ + from, size - from, MADV_POPULATE_WRITE) != 0 && errno != EINVAL) return errno;
#endif
  return 0;
}

void message_journal::unmap() {
  if (map_ != nullptr) ::munmap(map_, mapped_);
  map_ = nullptr;
  mapped_ = 0;
}

void message_journal::write_buffer() {
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

void message_journal::scrub() {
  // Zeros over every record, on the disk, before the file is cut: truncating alone would free
  // the blocks with the old text still in them.
  const std::string zeros(64 * 1024, '\0');
  for (std::uint64_t at = magic.size(); at < end_;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), end_ - at));
    const auto wrote = ::pwrite(fd_, zeros.data(), n, static_cast<off_t>(at));
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) fail("scrubbing", wrote < 0 ? errno : EIO);
    at += static_cast<std::uint64_t>(wrote);
  }
  if (::fdatasync(fd_) != 0) fail("scrubbing", errno);
  reset();
}

void message_journal::reset() {
  recovered_.clear();
  recovered_.shrink_to_fit();
  unmap();  // Its pages past the new end would be gone (SIGBUS); the next append maps anew.
  if (::ftruncate(fd_, static_cast<off_t>(magic.size())) != 0) fail("emptying", errno);
  end_ = magic.size();
  allocated_ = end_;
}

}  // namespace message::store
