#pragma once
// Reads another process's CPU time and resident memory from /proc, and raises
// this process's open-file limit. Linux only; thread-safe.

#include <cstdint>
#include <optional>
#include <string_view>

namespace loadgen {

/// utime + stime of process `pid` (all its threads), in seconds.
std::optional<double> process_cpu_seconds(int pid);
/// VmRSS of process `pid`, in KiB.
std::optional<std::uint64_t> process_rss_kib(int pid);
/// The whole machine's processor time so far, in CPU-seconds summed over its cores.
struct machine_cpu {
  double busy = 0;   ///< user + nice + system + irq + softirq (guests count under user)
  double steal = 0;  ///< taken by the hypervisor from this machine's virtual cores
};
/// From /proc/stat: the benchmark subtracts the server's and its own time from `busy` to see
/// how much other work shared the machine while it measured.
std::optional<machine_cpu> machine_cpu_seconds();
/// Parses /proc/stat's "cpu" line (ticks of `hz`); empty when it is not one.
std::optional<machine_cpu> parse_machine_cpu(std::string_view line, long hz);
/// CPU seconds this process used so far (user + system).
double self_cpu_seconds();
/// Raises RLIMIT_NOFILE to at least `wanted` if it can; returns the soft limit in force.
std::uint64_t raise_open_files(std::uint64_t wanted);

}  // namespace loadgen
