#include "files/upload_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "common/identity.hpp"

namespace message::files {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string errno_words() { return std::strerror(errno); }

/// Writes `text` to `path` whole or not at all (a temporary file in the same folder, synced,
/// then renamed).
void write_whole(const fs::path& path, const std::string& text) {
  const auto temp = fs::path(path.string() + ".new");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw files_error(fmt::format("cannot write {}", temp.string()));
  }
  sync_path(temp, "an upload's description");
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) throw files_error(fmt::format("cannot write {}: {}", path.string(), ec.message()));
  sync_path(path.parent_path(), "the uploads folder");
}

std::optional<upload> read_description(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  const auto v = json::parse(text.str(), ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  upload u;
  try {
    u.id = json::value_to<std::string>(o.at("id"));
    u.identity = json::value_to<std::string>(o.at("identity"));
    u.length = json::value_to<std::uint64_t>(o.at("length"));
    u.touched_ms = json::value_to<std::int64_t>(o.at("created"));
    for (const auto& pair : o.at("metadata").as_array()) {
      const auto& kv = pair.as_array();
      u.metadata.emplace_back(json::value_to<std::string>(kv.at(0)), json::value_to<std::string>(kv.at(1)));
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return u;
}

std::string describe(const upload& u) {
  json::array metadata;
  for (const auto& [k, v] : u.metadata) metadata.push_back(json::array{json::value(k), json::value(v)});
  return json::serialize(json::object{{"id", u.id},
                                      {"identity", u.identity},
                                      {"length", u.length},
                                      {"created", u.touched_ms},
                                      {"metadata", std::move(metadata)}});
}

int open_part(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    throw files_error(fmt::format("cannot open an upload's bytes ({}): {}", p.string(), errno_words()));
  return fd;
}

}  // namespace

upload_store::upload_store(blob_store& blobs, std::int64_t now_ms)
    : upload_store(blobs, blobs.root() / "uploads", now_ms) {}

upload_store::upload_store(blob_store& blobs, fs::path dir, std::int64_t now_ms)
    : blobs_(blobs), dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw files_error(fmt::format("cannot make {}: {}", dir_.string(), ec.message()));
  std::vector<fs::path> orphans;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& p = it->path();
    if (p.extension() != ".json") {
      // A part whose description is missing, or a description never renamed into place.
      if (p.extension() == ".new" || !fs::exists(fs::path(p).replace_extension(".json")))
        orphans.push_back(p);
      continue;
    }
    auto u = read_description(p);
    if (!u || u->id != p.stem().string()) {
      orphans.push_back(p);
      orphans.push_back(fs::path(p).replace_extension(".part"));
      continue;
    }
    std::error_code size_ec;
    const auto stored = fs::file_size(part_of(u->id), size_ec);
    u->offset = size_ec ? 0 : std::min<std::uint64_t>(stored, u->length);
    if (!size_ec && stored > u->length) fs::resize_file(part_of(u->id), u->length, size_ec);
    u->touched_ms = std::max(u->touched_ms, now_ms);  // Expiry counts from this start.
    entry e;
    e.info = std::move(*u);
    uploads_.emplace(e.info.id, std::move(e));
  }
  for (const auto& p : orphans) fs::remove(p, ec);
}

upload_store::~upload_store() {
  for (auto& [id, e] : uploads_) close(e);
}

fs::path upload_store::part_of(std::string_view id) const { return dir_ / (std::string(id) + ".part"); }
fs::path upload_store::description_of(std::string_view id) const {
  return dir_ / (std::string(id) + ".json");
}

void upload_store::close(entry& e) {
  if (e.fd >= 0) ::close(e.fd);
  e.fd = -1;
}

upload_store::entry& upload_store::get(std::string_view id) {
  auto it = uploads_.find(id);
  if (it == uploads_.end()) throw files_error("no such upload");
  return it->second;
}

const upload& upload_store::create(std::string identity, std::uint64_t length,
                                   std::vector<std::pair<std::string, std::string>> metadata,
                                   std::uint64_t max_bytes, std::uint64_t min_free, std::int64_t now_ms) {
  if (length > max_bytes)
    throw upload_refused(
        upload_refusal::too_big,
        fmt::format("the file is larger than this server takes ({} bytes at most)", max_bytes));
  const auto free = blobs_.free_bytes();
  if (free < min_free || free - min_free < length)
    throw upload_refused(upload_refusal::disk_floor, "the server's disk is too full for this file");
  entry e;
  e.info.id = core::new_room_secret();
  e.info.identity = std::move(identity);
  e.info.length = length;
  e.info.metadata = std::move(metadata);
  e.info.touched_ms = now_ms;
  e.digest.emplace();
  e.fd = open_part(part_of(e.info.id));
  try {
    write_whole(description_of(e.info.id), describe(e.info));
  } catch (...) {
    close(e);
    std::error_code ec;
    fs::remove(part_of(e.info.id), ec);
    throw;
  }
  auto [it, fresh] = uploads_.emplace(e.info.id, std::move(e));
  return it->second.info;
}

const upload* upload_store::find(std::string_view id) const {
  auto it = uploads_.find(id);
  return it == uploads_.end() ? nullptr : &it->second.info;
}

void upload_store::write(std::string_view id, std::uint64_t at, std::string_view bytes, std::int64_t now_ms) {
  auto& e = get(id);
  if (at != e.info.offset)
    throw upload_refused(upload_refusal::bad_offset,
                         fmt::format("this upload holds {} bytes: continue from there", e.info.offset));
  if (bytes.size() > e.info.length - e.info.offset)
    throw upload_refused(upload_refusal::past_length, "more bytes than the upload's declared length");
  if (e.fd < 0) e.fd = open_part(part_of(id));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(e.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const auto words = errno_words();
      // What did land stays (a later request continues after it); the digest cannot follow.
      e.info.offset += done;
      e.digest.reset();
      struct stat st {};
      if (::fstat(e.fd, &st) == 0) e.info.offset = static_cast<std::uint64_t>(st.st_size);
      throw files_error(fmt::format("cannot store the upload's bytes: {}", words));
    }
    done += static_cast<std::size_t>(n);
  }
  if (e.digest && e.hashed == e.info.offset) {
    e.digest->add(bytes);
    e.hashed += bytes.size();
  }
  e.info.offset += bytes.size();
  e.info.touched_ms = now_ms;
}

void upload_store::truncate(std::string_view id, std::uint64_t offset) {
  auto& e = get(id);
  // A sealed upload's bytes are a blob's too (one inode): they never change again.
  if (offset >= e.info.offset || !e.sealed.empty()) return;
  std::error_code ec;
  fs::resize_file(part_of(id), offset, ec);
  if (ec) throw files_error(fmt::format("cannot drop the upload's last bytes: {}", ec.message()));
  e.info.offset = offset;
  e.digest.reset();  // It has seen the dropped bytes: finish() hashes the file again.
}

void upload_store::sync(std::string_view id) {
  auto& e = get(id);
  if (e.fd >= 0 && ::fsync(e.fd) != 0)
    throw files_error(fmt::format("cannot sync an upload: {}", errno_words()));
}

std::string upload_store::seal(std::string_view id) {
  auto& e = get(id);
  if (e.info.offset != e.info.length)
    throw upload_refused(upload_refusal::incomplete,
                         fmt::format("the upload holds {} of {} bytes", e.info.offset, e.info.length));
  if (e.sealed.empty()) {
    sync(id);
    close(e);
    if (e.digest && e.hashed == e.info.length) {
      e.sealed = e.digest->finish_hex();
    } else {
      // After a restart or a dropped request: the stored bytes, read once more.
      sha256_stream again;
      std::ifstream in(part_of(id), std::ios::binary);
      std::string buffer(1 << 16, '\0');
      std::uint64_t read = 0;
      while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto n = static_cast<std::size_t>(in.gcount());
        again.add(std::string_view(buffer.data(), n));
        read += n;
      }
      if (read != e.info.length) throw files_error("the upload's stored bytes changed under the server");
      e.sealed = again.finish_hex();
    }
    e.digest.reset();
  }
  if (!blobs_.size_of(e.sealed)) {
    // A second name for the same bytes, moved under the hash: the part stays whole for a retry.
    const auto link = blobs_.temp_dir() / (std::string(id) + ".seal");
    std::error_code ec;
    fs::remove(link, ec);
    fs::create_hard_link(part_of(id), link, ec);
    // Shared blobs on another file system (docs/deployment.md): a copy, synced by adopt().
    if (ec == std::errc::cross_device_link) {
      ec.clear();
      fs::copy_file(part_of(id), link, fs::copy_options::overwrite_existing, ec);
      if (ec) {
        std::error_code ignored;
        fs::remove(link, ignored);  // Never a partial copy left in the temporary folder.
      }
    }
    if (ec) throw files_error(fmt::format("cannot link the upload's bytes: {}", ec.message()));
    blobs_.adopt(link, e.sealed);
  }
  return e.sealed;
}

std::string upload_store::stored_sha256(std::string_view id) {
  auto& e = get(id);
  if (!e.sealed.empty()) return e.sealed;
  if (!e.digest || e.hashed != e.info.offset) {
    sha256_stream again;
    std::ifstream in(part_of(id), std::ios::binary);
    std::string buffer(1 << 16, '\0');
    std::uint64_t read = 0;
    while (in && read < e.info.offset) {
      const auto want = std::min<std::uint64_t>(buffer.size(), e.info.offset - read);
      in.read(buffer.data(), static_cast<std::streamsize>(want));
      const auto n = static_cast<std::size_t>(in.gcount());
      again.add(std::string_view(buffer.data(), n));
      read += n;
    }
    if (read != e.info.offset) throw files_error("the upload's stored bytes changed under the server");
    e.digest.emplace(std::move(again));
    e.hashed = read;
  }
  return e.digest->peek_hex();
}

std::string upload_store::finish(std::string_view id) {
  auto sha = seal(id);
  remove(id);
  return sha;
}

bool upload_store::remove(std::string_view id) {
  auto it = uploads_.find(id);
  if (it == uploads_.end()) return false;
  close(it->second);
  std::error_code ec;
  fs::remove(part_of(id), ec);
  fs::remove(description_of(id), ec);
  uploads_.erase(it);
  return true;
}

std::size_t upload_store::expire(std::int64_t before_ms) {
  std::vector<std::string> old;
  for (const auto& [id, e] : uploads_)
    if (e.info.touched_ms < before_ms) old.push_back(id);
  for (const auto& id : old) remove(id);
  return old.size();
}

std::size_t upload_store::count_of(std::string_view identity) const {
  std::size_t n = 0;
  for (const auto& [id, e] : uploads_) n += e.info.identity == identity ? 1 : 0;
  return n;
}

}  // namespace message::files
