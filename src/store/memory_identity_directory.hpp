#pragma once

#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "core/identity_directory.hpp"

namespace message::store {

/// Names in memory, for the memory store: lost when the process exits. Not thread-safe.
class memory_identity_directory final : public identity_directory {
 public:
  name_claim claim_name(const std::string& identity, const std::string& name) override;
  std::string release_name(const std::string& identity) override;
  std::string name_owner(const std::string& name) override;
  std::unordered_map<std::string, std::string> names_of(const std::vector<std::string>& identities) override;
  void set_following(const std::string& identity, const std::string& room, bool following) override;
  std::vector<std::string> followed(const std::string& identity) override;
  bool create_private_room(const std::string& room, const std::string& creator,
                           const std::string& secret) override;
  void add_member(const std::string& room, const std::string& identity) override;
  room_access access(const std::string& room, const std::string& identity) override;
  std::string room_secret(const std::string& room) override;
  std::vector<std::string> hidden_rooms(const std::string& identity) override;
  bool raise_read(const std::string& identity, const std::string& room, std::uint64_t seq) override;
  std::uint64_t read_position(const std::string& identity, const std::string& room) override;
  std::vector<std::pair<std::string, std::uint64_t>> readers(const std::string& room) override;
  void put_link_code(const std::string& code, const std::string& identity, std::int64_t expires_ms) override;
  std::string take_link_code(const std::string& code, std::int64_t now_ms) override;
  void link_device(const std::string& device, const std::string& identity) override;
  std::string identity_of_device(const std::string& device) override;

 private:
  std::unordered_map<std::string, std::string> owners_;   // folded name -> identity
  std::unordered_map<std::string, std::string> names_;    // identity -> name as given
  std::map<std::string, std::set<std::string>> follows_;  // identity -> rooms
  struct private_room {
    std::string secret;
    std::set<std::string> members;
  };
  std::map<std::string, private_room> private_;                        // room -> its secret and members
  std::map<std::string, std::map<std::string, std::uint64_t>> reads_;  // room -> identity -> seq
  struct link_code {
    std::string identity;
    std::int64_t expires_ms = 0;
  };
  std::unordered_map<std::string, link_code> link_codes_;  // code -> for whom, until when
  std::unordered_map<std::string, std::string> devices_;   // linked device -> identity
};

}  // namespace message::store
