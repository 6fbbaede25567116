#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "protocol/codec.hpp"

namespace message::core {

/// Who is online in each room: one entry per (username, device id), however many connections
/// (tabs) it has. Thread-safety: every method is safe from any thread (one mutex; presence
/// changes are rare next to messages, so the lock is off the hot path).
class presence {
 public:
  struct change {
    bool changed = false;  ///< First connection of this person (join) or last one gone (leave).
    std::vector<protocol::presence_entry> users;  ///< The room's list after the change.
  };
  change join(const std::string& room, const std::string& username, const std::string& device);
  change leave(const std::string& room, const std::string& username, const std::string& device);
  std::vector<protocol::presence_entry> list(const std::string& room);

 private:
  using person = std::pair<std::string, std::string>;  // username, device
  std::vector<protocol::presence_entry> list(const std::map<person, int>& people) const;
  std::mutex mutex_;
  std::map<std::string, std::map<person, int>> rooms_;
};

}  // namespace message::core
