#pragma once

#include <cstdint>
#include <string>

namespace message::core {

/// One accepted message as stored and as broadcast. Plain data; copy freely.
struct chat_message {
  std::string room;
  std::uint64_t seq = 0;  ///< 1, 2, 3... per room, assigned by the store when committed.
  std::string id;         ///< The client's unique id (idempotency key within the room).
  std::string username;
  std::string text;
  std::string device;   ///< Short tag of the sender's device ("" when unknown).
  std::int64_t ts = 0;  ///< Milliseconds since the Unix epoch, set when accepted.
};

/// A message on its way into the store: everything but seq.
struct new_message {
  std::string room;
  std::string id;
  std::string username;
  std::string text;
  std::string device;
  std::int64_t ts = 0;
};

}  // namespace message::core
