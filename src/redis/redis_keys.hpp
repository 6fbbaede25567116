#pragma once

#include <string>
#include <string_view>

namespace message::redis {

// Every key and channel `message` uses in Redis, in one place (docs/architecture.md,
// "Scale-out on Redis", lists them). All start with one prefix so a Redis can be shared.

inline constexpr std::string_view key_prefix = "message:";

/// The pub/sub channel the append script publishes committed messages on: one payload per
/// commit, "<seq> <json>" lines joined by '\n'.
inline std::string messages_channel() { return std::string(key_prefix) + "messages"; }
/// The pub/sub channel for typing notices and presence between nodes.
inline std::string events_channel() { return std::string(key_prefix) + "events"; }

}  // namespace message::redis
