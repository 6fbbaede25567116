#include "transport/blob_sweep.hpp"

#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/hub.hpp"
#include "files/files_worker.hpp"
#include "files/thumbnailer.hpp"

namespace message::transport {

namespace {

/// A blob as the round sees it.
struct blob {
  std::string sha256;
  std::uint64_t bytes = 0;
  bool referenced = false;
  std::int64_t newest_ms = 0;  ///< When its newest live message was posted.
};

/// True when only its name links the blob: an upload's part file is a second link until the
/// upload's message exists (upload_store::seal), and such a blob is never removed.
bool only_its_name_links(const std::filesystem::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && st.st_nlink == 1;
}

void remove_blob(files::files_state& s, const std::string& sha256) {
  s.blobs.remove(sha256);
  std::error_code ec;
  std::filesystem::remove(files::thumb_path(s.blobs.root(), sha256), ec);
}

/// Third step, on the files worker: remove what no message needs, then the oldest past the cap.
std::vector<std::string> remove_blobs(files::files_state& s, std::vector<blob> blobs, std::uint64_t cap) {
  std::uint64_t total = 0;
  std::vector<blob> kept;
  for (auto& b : blobs) {
    if (!b.referenced && only_its_name_links(s.blobs.path_of(b.sha256))) {
      remove_blob(s, b.sha256);
      spdlog::debug("blob {} removed: no message references it", b.sha256);
      continue;
    }
    total += b.bytes;
    if (b.referenced) kept.push_back(std::move(b));
  }
  std::vector<std::string> gone;
  if (cap == 0 || total <= cap) return gone;
  std::sort(kept.begin(), kept.end(), [](const blob& a, const blob& b) { return a.newest_ms < b.newest_ms; });
  for (const auto& b : kept) {
    if (total <= cap) break;
    if (!only_its_name_links(s.blobs.path_of(b.sha256))) continue;
    remove_blob(s, b.sha256);
    total -= b.bytes;
    gone.push_back(b.sha256);
    spdlog::info("blob {} removed: the shared files passed --max-files-total-bytes", b.sha256);
  }
  return gone;
}

}  // namespace

void sweep_blobs(core::hub& hub, files::files_worker& files, const core::limits& limits) {
  const std::uint64_t cap = limits.max_files_total_bytes;
  // First step, on the files worker: every blob and its size.
  files.post([&hub, &files, cap](files::files_state& s) {
    std::vector<blob> blobs;
    try {
      for (auto& name : s.blobs.list()) {
        const auto bytes = s.blobs.size_of(name);
        if (bytes) blobs.push_back({std::move(name), *bytes});
      }
    } catch (const std::exception& e) {
      spdlog::warn("listing the shared files failed: {}", e.what());
      return;
    }
    if (blobs.empty()) return;
    // Second step, on the store worker: which blobs a live message references, and when.
    hub.store_job([&hub, &files, cap, blobs = std::move(blobs)](store::sequencing_store& store) mutable {
      try {
        for (auto& b : blobs) {
          for (const auto& use : store.file_uses(b.sha256)) {
            b.referenced = true;
            if (cap == 0) break;
            if (auto m = store.find(use.room, use.seq)) b.newest_ms = std::max(b.newest_ms, m->ts);
          }
        }
      } catch (const std::exception& e) {
        spdlog::warn("reading which files are shared failed: {}", e.what());
        return;
      }
      files.post([&hub, cap, blobs = std::move(blobs)](files::files_state& on_disk) mutable {
        std::vector<std::string> gone;
        try {
          gone = remove_blobs(on_disk, std::move(blobs), cap);
        } catch (const std::exception& e) {
          spdlog::warn("removing shared files failed: {}", e.what());
        }
        if (gone.empty()) return;
        // Last step, on the store worker: the messages that still name a removed blob say so.
        hub.store_job([gone = std::move(gone)](store::sequencing_store& messages) {
          for (const auto& sha256 : gone) {
            try {
              messages.mark_file_gone(sha256);
            } catch (const std::exception& e) {
              spdlog::warn("marking the messages of removed file {} failed: {}", sha256, e.what());
            }
          }
        });
      });
    });
  });
}

}  // namespace message::transport
