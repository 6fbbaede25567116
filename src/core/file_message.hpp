#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/file_ref.hpp"

namespace message::core {

class hub;

/// The room check of a new upload (docs/protocol.md, "Files": `403` at creation).
struct file_room_check {
  bool failed = false;   ///< The store could not say.
  bool allowed = false;  ///< The identity may post to the room.
};

/// A file message to append for an identity, as an upload's last byte makes it.
struct file_message {
  std::string device;  ///< The identity the request presented (its token's, or its cookie's).
  std::string room;
  std::string id;       ///< The message's id (idempotency key within the room).
  std::string caption;  ///< The message's text ("" none), checked like a send's.
  std::uint64_t reply_to = 0;
  file_ref file;
};

/// What became of it.
struct file_message_outcome {
  bool failed = false;    ///< The store failed: nothing was appended (503; retry).
  std::string refused;    ///< A documented error code (not_member, unknown_target, deleted).
  std::string words;      ///< Why, for a person, when refused.
  std::uint64_t seq = 0;  ///< Appended (or appended before: `duplicate`).
  bool duplicate = false;
};

/// Whether `device` (resolved to the identity it acts as, "Device linking") may post to
/// `room`. `done` runs on loop `loop`. Safe from loop `loop`'s thread.
void check_file_room(hub& hub, std::size_t loop, std::string device, std::string room,
                     std::function<void(file_room_check)> done);

/// A blob the asker could download already ("Already there" in docs/protocol.md, "Files").
struct readable_file {
  bool failed = false;           ///< The store could not say.
  std::optional<file_ref> file;  ///< As the newest live message sharing it in a readable room carries it.
};

/// The file of a live message sharing blob `sha256` in a room `device` (resolved to the
/// identity it acts as) may read: the same rule as a download. `done` runs on loop `loop`.
/// Safe from loop `loop`'s thread.
void find_readable_file(hub& hub, std::size_t loop, std::string device, std::string sha256,
                        std::function<void(readable_file)> done);

/// The one way a file message enters a room. The checks a WebSocket `send` goes through run
/// first, on the store thread (the identity a linked device acts as, membership of a private
/// room, a `reply_to` that names a readable message); then the message is appended through
/// the loop's room_pipeline like any send, so it gets its seq, duplicate-id handling, broadcast,
/// Redis, resume and search on the one path messages take. `done` runs on loop `loop` with the
/// outcome. Safe from loop `loop`'s thread.
void append_file_message(hub& hub, std::size_t loop, file_message message,
                         std::function<void(file_message_outcome)> done);

}  // namespace message::core
