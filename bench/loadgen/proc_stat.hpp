#pragma once
// Reads another process's CPU time and resident memory from /proc, and raises
// this process's open-file limit. Linux only; thread-safe.

#include <cstdint>
#include <optional>

namespace loadgen {

/// utime + stime of process `pid` (all its threads), in seconds.
std::optional<double> process_cpu_seconds(int pid);
/// VmRSS of process `pid`, in KiB.
std::optional<std::uint64_t> process_rss_kib(int pid);
/// CPU seconds this process used so far (user + system).
double self_cpu_seconds();
/// Raises RLIMIT_NOFILE to at least `wanted` if it can; returns the soft limit in force.
std::uint64_t raise_open_files(std::uint64_t wanted);

}  // namespace loadgen
