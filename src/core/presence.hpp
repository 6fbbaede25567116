#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "protocol/codec.hpp"

namespace message::core {

/// Who is online in each room: one entry per (username, device id), however many connections
/// (tabs) it has, on this node or (with a broker across nodes) on any other node. The device id
/// of an identified connection is "@" and its public identity id (all its devices are one
/// person); an anonymous one's is the device id of its query.
///
/// Local entries count this node's connections. Remote entries are what other nodes announced
/// (by node id), each with an expiry that their heartbeats push forward: a node that dies
/// takes its people out of the list when its entries expire. The list is the union.
///
/// Thread-safety: every method is safe from any thread (one mutex; presence changes are rare
/// next to messages, so the lock is off the hot path).
class presence {
 public:
  using clock = std::chrono::steady_clock;
  struct change {
    bool changed = false;  ///< The person appeared in (join) or left (leave) the union.
    std::vector<protocol::presence_entry> users;  ///< The room's list after the change.
  };
  /// A change of the union caused by remote news, to announce to this node's clients.
  struct remote_change {
    std::string room;
    protocol::presence_entry person;  ///< As shown: the device is its 6-character tag.
    bool present = false;
  };
  struct entry {
    std::string room;
    std::string username;
    std::string device;
  };
  /// Called, under the lock, when this node's first connection of a person in a room comes
  /// or its last one goes. It must only hand the news on (post), never call back in.
  using local_listener = std::function<void(const std::string& room, const std::string& username,
                                            const std::string& device, bool present)>;

  change join(const std::string& room, const std::string& username, const std::string& device);
  change leave(const std::string& room, const std::string& username, const std::string& device);
  std::vector<protocol::presence_entry> list(const std::string& room);

  /// Set once at start-up, before any join.
  void set_local_listener(local_listener listener) { listener_ = std::move(listener); }
  /// This node's people, for a heartbeat.
  std::vector<entry> local_entries();
  /// `node` says `e`'s person is (`is_present`) or is no longer in `e.room`, valid until `expires`.
  std::vector<remote_change> remote_update(const std::string& node, const entry& e, bool is_present,
                                           clock::time_point expires);
  /// `node`'s full list (a heartbeat): replaces what was known of it, valid until `expires`.
  std::vector<remote_change> remote_snapshot(const std::string& node, const std::vector<entry>& people,
                                             clock::time_point expires);
  /// Forgets every remote entry that expired by `now`.
  std::vector<remote_change> expire(clock::time_point now);

 private:
  using person = std::pair<std::string, std::string>;  // username, device
  struct room_people {
    std::map<person, int> local;                                        // connections here
    std::map<person, std::map<std::string, clock::time_point>> remote;  // node -> expiry
  };
  bool present(const room_people& r, const person& who) const;
  std::vector<protocol::presence_entry> list(const room_people& r) const;
  /// Sets or removes one remote entry; records a change of the union.
  void set_remote(const std::string& room, const person& who, const std::string& node, bool on,
                  clock::time_point expires, std::vector<remote_change>& changes);
  std::mutex mutex_;
  std::map<std::string, room_people> rooms_;
  local_listener listener_;
};

}  // namespace message::core
