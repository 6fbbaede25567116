#include "store/memory_identity_directory.hpp"

#include "common/identity.hpp"

namespace message::store {

name_claim memory_identity_directory::claim_name(const std::string& identity, const std::string& name) {
  const std::string folded = core::fold_name(name);
  if (auto it = owners_.find(folded); it != owners_.end() && it->second != identity)
    return {false, it->second, {}};
  name_claim out{true, {}, {}};
  if (auto it = names_.find(identity); it != names_.end()) {
    out.previous = it->second;
    owners_.erase(core::fold_name(it->second));
  }
  owners_[folded] = identity;
  names_[identity] = name;
  return out;
}

std::string memory_identity_directory::release_name(const std::string& identity) {
  auto it = names_.find(identity);
  if (it == names_.end()) return {};
  std::string name = std::move(it->second);
  names_.erase(it);
  owners_.erase(core::fold_name(name));
  return name;
}

std::string memory_identity_directory::name_owner(const std::string& name) {
  auto it = owners_.find(core::fold_name(name));
  return it == owners_.end() ? std::string() : it->second;
}

std::unordered_map<std::string, std::string> memory_identity_directory::names_of(
    const std::vector<std::string>& identities) {
  std::unordered_map<std::string, std::string> out;
  for (const auto& id : identities) {
    if (auto it = names_.find(id); it != names_.end()) out.emplace(id, it->second);
  }
  return out;
}

void memory_identity_directory::set_following(const std::string& identity, const std::string& room,
                                              bool following) {
  if (following) {
    follows_[identity].insert(room);
  } else if (auto it = follows_.find(identity); it != follows_.end()) {
    it->second.erase(room);
  }
}

std::vector<std::string> memory_identity_directory::followed(const std::string& identity) {
  auto it = follows_.find(identity);
  return it == follows_.end() ? std::vector<std::string>{}
                              : std::vector<std::string>(it->second.begin(), it->second.end());
}

bool memory_identity_directory::create_private_room(const std::string& room, const std::string& creator,
                                                    const std::string& secret) {
  if (private_.contains(room)) return false;
  private_[room] = {secret, {creator}};
  return true;
}

void memory_identity_directory::add_member(const std::string& room, const std::string& identity) {
  if (auto it = private_.find(room); it != private_.end()) it->second.members.insert(identity);
}

room_access memory_identity_directory::access(const std::string& room, const std::string& identity) {
  auto it = private_.find(room);
  if (it == private_.end()) return {};
  return {true, it->second.members.contains(identity)};
}

std::string memory_identity_directory::room_secret(const std::string& room) {
  auto it = private_.find(room);
  return it == private_.end() ? std::string() : it->second.secret;
}

std::vector<std::string> memory_identity_directory::hidden_rooms(const std::string& identity) {
  std::vector<std::string> out;
  for (const auto& [room, r] : private_) {
    if (!r.members.contains(identity)) out.push_back(room);
  }
  return out;
}

bool memory_identity_directory::raise_read(const std::string& identity, const std::string& room,
                                           std::uint64_t seq) {
  auto& stored = reads_[room][identity];
  if (seq <= stored) return false;
  stored = seq;
  return true;
}

std::uint64_t memory_identity_directory::read_position(const std::string& identity, const std::string& room) {
  auto it = reads_.find(room);
  if (it == reads_.end()) return 0;
  auto r = it->second.find(identity);
  return r == it->second.end() ? 0 : r->second;
}

std::vector<std::pair<std::string, std::uint64_t>> memory_identity_directory::readers(
    const std::string& room) {
  auto it = reads_.find(room);
  if (it == reads_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void memory_identity_directory::put_link_code(const std::string& code, const std::string& identity,
                                              std::int64_t expires_ms) {
  // Expired codes go when a new one comes: at most as many live as were made in five minutes.
  std::erase_if(link_codes_,
                [now = expires_ms](const auto& e) { return e.second.expires_ms < now - 3600000; });
  link_codes_[code] = {identity, expires_ms};
}

std::string memory_identity_directory::take_link_code(const std::string& code, std::int64_t now_ms) {
  auto it = link_codes_.find(code);
  if (it == link_codes_.end()) return {};
  auto entry = std::move(it->second);
  link_codes_.erase(it);
  return entry.expires_ms > now_ms ? entry.identity : std::string();
}

void memory_identity_directory::link_device(const std::string& device, const std::string& identity) {
  devices_[device] = identity;
}

std::string memory_identity_directory::identity_of_device(const std::string& device) {
  auto it = devices_.find(device);
  return it == devices_.end() ? device : it->second;
}

}  // namespace message::store
