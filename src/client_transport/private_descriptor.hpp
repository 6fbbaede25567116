#pragma once

namespace message::client {

/// A descriptor for the same pipe or terminal as `fd` but with an open file description of
/// its own, for the reactor to wait on. Asio makes every descriptor it waits on non-blocking,
/// and O_NONBLOCK belongs to the open file description, which a dup() shares: on stdin or
/// stdout that would hand the shell, or the next program of a pipeline, a non-blocking
/// terminal or pipe (and our own blocking writes would fail with EAGAIN). Reopening through
/// /proc/self/fd gives a description nobody else uses. `write` picks the access mode.
/// Returns -1 when it cannot (a socket): then the caller does without waiting on it.
int private_descriptor(int fd, bool write);

}  // namespace message::client
