#pragma once

#include <cstddef>

#include "transport/address_table.hpp"
#include "transport/net.hpp"
#include "transport/transport_context.hpp"

namespace message::transport {

/// Serves one accepted connection on a TLS port: https and wss, and plain http on the same
/// port. The first byte (peeked within limits::handshake_timeout) tells a TLS ClientHello from
/// HTTP: plain HTTP goes straight to an ordinary http_session; TLS gets the handshake (within
/// the same limit), then its plaintext is piped through a socket pair to an ordinary
/// http_session, which sees the same bytes as on a plain connection.
///
/// Why a pipe and not a session template on the stream type: every session, limit and test
/// stays one code path; TLS costs one extra local copy per byte, which a chat does not notice
/// (the benchmark runs plain). `slot` (the real client's address) goes to the session.
/// Thread-safety: call on any thread; everything then runs on `loop`'s io_context.
void serve_tls(tcp::socket&& socket, transport_context& ctx, std::size_t loop_index, connection_slot slot);

}  // namespace message::transport
