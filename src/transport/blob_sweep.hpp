#pragma once

#include "common/limits.hpp"

namespace message::core {
class hub;
}
namespace message::files {
class files_worker;
}

namespace message::transport {

/// One round of blob retention (docs/architecture.md, "Blob retention"): the files worker
/// lists the blobs, the store worker says which a live message still references (and when the
/// newest of them was posted), and the files worker removes the blobs no message references
/// and, past `limits.max_files_total_bytes`, the blobs whose newest message is oldest (writing
/// their gone mark). A blob an unfinished upload still links is never removed.
///
/// Thread-safety: safe from any thread; the round runs on the files worker and the store
/// worker, which must outlive it (the server stops the loops, then the files worker, then the
/// hub).
void sweep_blobs(core::hub& hub, files::files_worker& files, const core::limits& limits);

}  // namespace message::transport
