#pragma once

#include <string>
#include <unordered_map>

#include "store/identity_directory.hpp"

namespace message::store {

/// Names in memory, for the memory store: lost when the process exits. Not thread-safe.
class memory_identity_directory final : public identity_directory {
 public:
  name_claim claim_name(const std::string& identity, const std::string& name) override;
  std::string release_name(const std::string& identity) override;
  std::string name_owner(const std::string& name) override;
  std::unordered_map<std::string, std::string> names_of(const std::vector<std::string>& identities) override;

 private:
  std::unordered_map<std::string, std::string> owners_;  // folded name -> identity
  std::unordered_map<std::string, std::string> names_;   // identity -> name as given
};

}  // namespace message::store
