#pragma once
// Reads just enough of one NDJSON line to account for it: its "type", its
// "seq", and the stamp the load generator put at the front of the message text
// ("t=<ns>;s=<sender>;n=<number>;"). No full JSON parse: the generator must
// read a million lines a second on one core. Pure functions, thread-safe.

#include <cstdint>
#include <string_view>

namespace loadgen {

struct line_fields {
  std::string_view type;  ///< empty when the line has no "type" (the original's bare form)
  std::string_view code;  ///< "code" of an error line
  bool has_seq = false;
  std::uint64_t seq = 0;
  bool has_stamp = false;     ///< the message text starts with our stamp
  std::uint64_t sent_ns = 0;  ///< t=: steady-clock nanoseconds at send
  std::uint32_t sender = 0;   ///< s=: the sender's index
  std::uint64_t number = 0;   ///< n=: the sender's message number, from 1
};

/// Scans one line (one JSON object, without its '\n').
line_fields scan_line(std::string_view line) noexcept;

/// Writes the stamp for (sent_ns, sender, number) to `out`; returns its length.
/// `out` must hold at least 64 characters.
std::size_t write_stamp(char* out, std::uint64_t sent_ns, std::uint32_t sender,
                        std::uint64_t number) noexcept;

}  // namespace loadgen
