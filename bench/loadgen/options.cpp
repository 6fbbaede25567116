#include "options.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace loadgen {
namespace {

constexpr char const* usage = R"(message_loadgen: a WebSocket chat load generator (one JSON line of results)

  --host H            server address (default 127.0.0.1; use this machine only)
  --port P            server port (default 8080)
  --port2 P           a second node's port: odd-numbered clients connect there (scale-out)
  --path P            upgrade target (default /ws; may hold a query: /ws?room=bench)
  --proto message|plain  our protocol (default) or the original's bare {"username","message"}
  --clients N         connections (default 2)
  --senders N         how many of them send (default: all)
  --window W          closed loop: messages in flight per sender (default 1)
  --rate R            open loop: R messages/s in total instead of a window
  --size B            message text length (default 100)
  --warmup S          seconds before measuring (default 1)
  --duration S        seconds measured (default 5)
  --idle              open the clients and hold them for --duration; send nothing
  --threads T         event-loop threads (default 1)
  --bind-range N      spread source addresses over 127.0.0.1..127.0.0.N (default: by --clients)
  --connect-parallel N  handshakes in flight (default 256)
  --connect-timeout S seconds for all clients to open (default 60)
  --drain S           seconds to wait for in-flight messages after sending stops (default 10)
  --scenario NAME     label for the result line
  --server NAME       label for the result line
  --server-pid PID    read the server's CPU time and RSS from /proc/PID
  --react-every N     each sender reacts to every N-th of its own messages (identified senders)
  --check             exit 1 unless lossless, in order, nothing dropped and something delivered
)";

[[noreturn]] void bad(std::string_view what) {
  std::fprintf(stderr, "message_loadgen: %.*s (see --help)\n", static_cast<int>(what.size()), what.data());
  std::exit(2);
}

template <class T>
T number(std::string_view flag, std::string_view text) {
  T v{};
  auto const [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size())
    bad(std::string("bad value for ") + std::string(flag) + ": " + std::string(text));
  return v;
}

}  // namespace

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view const flag = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) bad(std::string("missing value for ") + std::string(flag));
      return argv[++i];
    };
    if (flag == "--help" || flag == "-h") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else if (flag == "--host") {
      o.host = value();
    } else if (flag == "--port") {
      o.port = number<std::uint16_t>(flag, value());
    } else if (flag == "--port2") {
      o.port2 = number<std::uint16_t>(flag, value());
    } else if (flag == "--path") {
      o.path = value();
    } else if (flag == "--proto") {
      auto const v = value();
      if (v == "message")
        o.proto = proto_kind::message;
      else if (v == "plain")
        o.proto = proto_kind::plain;
      else
        bad("--proto is message or plain");
    } else if (flag == "--clients") {
      o.clients = number<std::size_t>(flag, value());
    } else if (flag == "--senders") {
      o.senders = number<std::size_t>(flag, value());
    } else if (flag == "--window") {
      o.window = number<std::size_t>(flag, value());
    } else if (flag == "--rate") {
      o.rate = number<double>(flag, value());
    } else if (flag == "--size") {
      o.size = number<std::size_t>(flag, value());
    } else if (flag == "--warmup") {
      o.warmup = number<double>(flag, value());
    } else if (flag == "--duration") {
      o.duration = number<double>(flag, value());
    } else if (flag == "--idle") {
      o.idle = true;
    } else if (flag == "--threads") {
      o.threads = number<std::size_t>(flag, value());
    } else if (flag == "--bind-range") {
      o.bind_range = number<std::size_t>(flag, value());
    } else if (flag == "--connect-parallel") {
      o.connect_parallel = number<std::size_t>(flag, value());
    } else if (flag == "--connect-timeout") {
      o.connect_timeout = number<double>(flag, value());
    } else if (flag == "--drain") {
      o.drain = number<double>(flag, value());
    } else if (flag == "--scenario") {
      o.scenario = value();
    } else if (flag == "--server") {
      o.server = value();
    } else if (flag == "--server-pid") {
      o.server_pid = number<int>(flag, value());
    } else if (flag == "--react-every") {
      o.react_every = number<std::uint64_t>(flag, value());
    } else if (flag == "--check") {
      o.check = true;
    } else {
      bad(std::string("unknown flag ") + std::string(flag));
    }
  }
  if (o.clients == 0) bad("--clients must be at least 1");
  if (o.senders == 0 || o.senders > o.clients) o.senders = o.idle ? 0 : o.clients;
  if (o.idle) o.senders = 0;
  if (o.window == 0) bad("--window must be at least 1");
  if (o.threads == 0 || o.threads > 64) bad("--threads must be 1..64");
  if (o.duration <= 0 || o.duration > 3600 || o.warmup < 0 || o.warmup > 600)
    bad("--duration must be in (0, 3600] and --warmup in [0, 600]");
  if (o.drain < 0 || o.drain > 600 || o.connect_timeout <= 0 || o.connect_timeout > 3600)
    bad("--drain and --connect-timeout must be in [0, 600] / (0, 3600]");
  if (o.rate < 0 || o.rate > 1e8) bad("--rate must be in [0, 1e8]");
  if (o.size > 60000) bad("--size must be at most 60000");
  if (o.connect_parallel == 0) o.connect_parallel = 1;
  if (o.bind_range == 0)
    o.bind_range = o.clients / 20000 + 1;  // ~28k ephemeral ports per source address; keep a margin
  if (o.bind_range > 254) bad("--bind-range must be at most 254");
  return o;
}

}  // namespace loadgen
