#include "store/memory_identity_directory.hpp"

#include "core/identity.hpp"

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

}  // namespace message::store
