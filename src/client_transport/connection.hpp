#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "client_transport/client_limits.hpp"
#include "client_transport/net.hpp"
#include "client_transport/server_trust.hpp"
#include "client_transport/server_url.hpp"

namespace message::client {

/// What a connection needs besides the target: where, the key, the device identity, and how
/// a TLS server is trusted.
struct connection_settings {
  server_url url;
  std::string key;       ///< Sent as `Authorization: Bearer`; empty: none.
  std::string identity;  ///< Device identity token; empty: not presented.
  std::shared_ptr<const server_trust> trust;
  client_limits limits;
};

/// How a connection ended. Each kind maps to one exit code (client/exit_code.hpp).
enum class end_kind {
  closed_by_us,        ///< close() was called.
  lost,                ///< It was open and dropped (server gone, network, idle timeout).
  unreachable,         ///< No connection: resolve, connect or TLS failed.
  not_message_server,  ///< The upgrade was declined with a status other than 401/429/503.
  key_refused,         ///< 401: no key or a wrong one.
  busy,                ///< 429 (too many wrong keys) or 503 (too many connections).
  untrusted,           ///< The TLS server's fingerprint is not the trusted one.
  policy,              ///< Closed by the server with 1008 (a bad room or since).
};

/// True for ends worth a reconnect: the server may come back (lost, restarted, busy).
bool worth_retrying(end_kind kind);

struct connection_end {
  end_kind kind = end_kind::lost;
  std::string detail;  ///< For people: what happened.
};

/// One WebSocket connection to a `message` server (docs/protocol.md), plain or TLS, with
/// every step asynchronous on the caller's io_context: the owner's loop stays free for stdin,
/// timers and the terminal. Not thread-safe: use it and its io_context from one thread.
/// Handlers are called on that thread; on_end exactly once, after which nothing else is.
class connection {
 public:
  struct handlers {
    std::function<void()> on_open;                      ///< The upgrade succeeded.
    std::function<void(std::string_view)> on_line;      ///< One NDJSON line of a server frame.
    std::function<void(const connection_end&)> on_end;  ///< The end, for whatever reason.
  };

  virtual ~connection() = default;
  /// Queues one client frame; frames are written in order, one write at a time.
  virtual void send(std::string frame) = 0;
  /// Starts a normal close (or abandons the attempt); on_end follows with closed_by_us.
  virtual void close() = 0;

  /// Starts connecting to `target` (such as "/ws?room=x"). The connection keeps itself alive
  /// while it has an operation pending.
  static std::shared_ptr<connection> open(net::io_context& ioc, const connection_settings& settings,
                                          std::string target, handlers h);
};

/// The `/ws?...` target of a connection: room, name and since, URL-encoded; with `since`, the
/// room's `epoch` the client knew ("" none).
std::string ws_target(const server_url& url, const std::string& room, const std::string& name,
                      std::optional<std::uint64_t> since, const std::string& epoch = {});

}  // namespace message::client
