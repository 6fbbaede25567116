#pragma once
// The load generator's command line. Every default carries its reason.

#include <cstdint>
#include <optional>
#include <string>

namespace loadgen {

enum class proto_kind {
  message,  ///< our protocol: {"type":"send","id",...}; the server numbers messages (seq)
  plain,    ///< the original app's bare {"username","message"}; no seq, no welcome
};

struct options {
  std::string host = "127.0.0.1";  ///< benchmarks talk to this machine only
  std::uint16_t port = 8080;
  std::uint16_t port2 = 0;   ///< > 0: odd-numbered clients connect here (a second node)
  std::string path = "/ws";  ///< may carry a query, e.g. /ws?room=bench
  proto_kind proto = proto_kind::message;
  std::size_t clients = 2;
  std::size_t senders = 0;             ///< 0: every client sends (S1's two people chatting)
  std::size_t window = 1;              ///< messages in flight per sender (closed loop)
  double rate = 0;                     ///< > 0: open loop, messages/s in total over the senders
  std::size_t size = 100;              ///< message text length in bytes: the issue's 100-byte messages
  double duration = 5;                 ///< seconds measured
  double warmup = 1;                   ///< seconds sent but not measured: connections and caches settle
  bool idle = false;                   ///< open the clients, send nothing, hold for `duration`
  std::size_t threads = 1;             ///< one event loop per thread; the loadgen gets one core
  std::size_t bind_range = 0;          ///< source addresses 127.0.0.1..N; 0: enough for `clients`
  std::size_t connect_parallel = 256;  ///< handshakes in flight: more overflows the listen backlog
  double connect_timeout = 60;         ///< seconds for all clients to be open
  double drain = 10;                   ///< seconds to wait for in-flight messages after sending stops
  std::string scenario = "custom";     ///< a label copied into the result line
  std::string server = "";             ///< a label copied into the result line
  int server_pid = 0;                  ///< > 0: read that process's CPU time and RSS from /proc
  /// > 0: each sender reacts to every N-th of its own messages when it comes back (issue 30's
  /// "S2 with one reaction per five messages"). Reactions need an identity: senders then connect
  /// with one identity token each.
  std::uint64_t react_every = 0;
  bool check = false;  ///< exit 1 unless the run was lossless, ordered and delivered something
};

/// Parses argv; on --help prints usage and exits 0, on a bad flag prints why and exits 2.
options parse_options(int argc, char** argv);

}  // namespace loadgen
