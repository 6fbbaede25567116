#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "files/blob_store.hpp"
#include "files/content_sniffer.hpp"
#include "files/upload_store.hpp"

namespace message::files {

/// What a files job works with: the data directory's blobs, the uploads in progress and the
/// type sniffer. Only ever touched on the files worker's thread.
struct files_state {
  blob_store& blobs;
  upload_store& uploads;
  content_sniffer& sniffer;
};

/// The one thread that owns the shared files on disk (docs/architecture.md, "How an upload
/// travels"): every write, sync, rename and hash of an upload runs here, never on an I/O loop,
/// so a slow disk delays uploads, not the chat. Jobs run one at a time in the order queued;
/// an upload queues its next piece only when the last one is written (the backpressure).
/// Unfinished uploads untouched for `expiry` are removed while it waits for work.
///
/// Thread-safety: post() and stop() are safe from any thread; jobs run on the worker's thread
/// and must hand their results back by posting to the caller's loop.
class files_worker {
 public:
  using job = std::function<void(files_state&)>;

  /// Opens (or makes) `root` and the uploads a previous run left; throws files_error (or
  /// std::runtime_error from libmagic) when it cannot.
  files_worker(const std::filesystem::path& root, std::chrono::seconds expiry);
  /// The same with the uploads in progress in `uploads` (this node's own) and the blobs and
  /// thumbnails under `root` (shared by several nodes: docs/deployment.md).
  files_worker(const std::filesystem::path& root, const std::filesystem::path& uploads,
               std::chrono::seconds expiry);
  ~files_worker();
  files_worker(const files_worker&) = delete;
  files_worker& operator=(const files_worker&) = delete;

  void post(job j);
  /// Runs `fn` on the worker's thread now and then every `every` while it waits for jobs (the
  /// blob retention round). `fn` must only post work. Safe from any thread.
  void every(std::chrono::seconds every, std::function<void()> fn);
  /// Runs what is queued, then ends the thread. Idempotent.
  void stop();
  /// Milliseconds since the Unix epoch: the clock the uploads' ages are kept in.
  static std::int64_t now_ms();

 private:
  void run();

  blob_store blobs_;
  upload_store uploads_;
  content_sniffer sniffer_;
  files_state state_{blobs_, uploads_, sniffer_};
  std::chrono::seconds expiry_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> jobs_;
  bool stopping_ = false;
  std::function<void()> periodic_;  // Guarded by mutex_.
  std::chrono::seconds periodic_every_{0};
  bool periodic_due_ = false;
  std::thread thread_;  // Last: starts after every member above is ready.
};

}  // namespace message::files
