#pragma once

#include <string>

namespace message::store {

/// A new room epoch (docs/protocol.md, "Room epoch"): 16 random hex digits. Two histories of
/// one room name, on two servers or before and after a reset, get different ones. Safe from
/// any thread.
std::string make_room_epoch();

}  // namespace message::store
