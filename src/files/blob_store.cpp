#include "files/blob_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "files/sha256_stream.hpp"

namespace message::files {

namespace fs = std::filesystem;

void sync_path(const fs::path& p, const char* what) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw files_error(fmt::format("cannot open {} to sync it: {}", what, std::strerror(errno)));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw files_error(fmt::format("cannot sync {}: {}", what, std::strerror(err)));
}

blob_store::blob_store(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  fs::create_directories(root_ / "sha256", ec);
  if (!ec) fs::create_directories(temp_dir(), ec);
  if (ec) throw files_error(fmt::format("cannot make the files folder {}: {}", root_.string(), ec.message()));
}

fs::path blob_store::path_of(std::string_view sha256) const {
  return root_ / "sha256" / std::string(sha256.substr(0, 2)) / std::string(sha256.substr(2));
}

std::optional<std::uint64_t> blob_store::size_of(std::string_view sha256) const {
  if (!is_sha256_hex(sha256)) return std::nullopt;
  std::error_code ec;
  const auto n = fs::file_size(path_of(sha256), ec);
  if (ec) return std::nullopt;
  return n;
}

void blob_store::adopt(const fs::path& file, std::string_view sha256) {
  if (!is_sha256_hex(sha256)) throw files_error("a blob's name must be 64 lowercase hex digits");
  const auto target = path_of(sha256);
  std::error_code ec;
  if (fs::exists(target, ec)) {
    fs::remove(file, ec);  // The same bytes are here already.
    return;
  }
  fs::create_directories(target.parent_path(), ec);
  if (ec) throw files_error(fmt::format("cannot make {}: {}", target.parent_path().string(), ec.message()));
  sync_path(file, "the new file");
  fs::rename(file, target, ec);
  if (ec) throw files_error(fmt::format("cannot move the new file under its name: {}", ec.message()));
  sync_path(target.parent_path(), "the files folder");
}

bool blob_store::remove(std::string_view sha256) {
  if (!is_sha256_hex(sha256)) return false;
  std::error_code ec;
  return fs::remove(path_of(sha256), ec);
}

std::vector<std::string> blob_store::list() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator shard(root_ / "sha256", ec), end; !ec && shard != end; shard.increment(ec)) {
    const auto prefix = shard->path().filename().string();
    std::error_code ec2;
    for (fs::directory_iterator f(shard->path(), ec2); !ec2 && f != end; f.increment(ec2)) {
      auto name = prefix + f->path().filename().string();
      if (is_sha256_hex(name)) out.push_back(std::move(name));
    }
  }
  return out;
}

std::uint64_t blob_store::total_bytes() const {
  std::uint64_t total = 0;
  for (const auto& name : list()) total += size_of(name).value_or(0);
  return total;
}

std::uint64_t blob_store::free_bytes() const {
  std::error_code ec;
  const auto space = fs::space(root_, ec);
  if (ec)
    throw files_error(fmt::format("cannot read the free space of {}: {}", root_.string(), ec.message()));
  return space.available;
}

}  // namespace message::files
