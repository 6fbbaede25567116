#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace message::store {

/// The outcome of identity_directory::claim_name.
struct name_claim {
  bool granted = false;  ///< The identity owns the name now (or owned it already).
  std::string owner;     ///< Refused: the identity that owns it.
  std::string previous;  ///< Granted: the name the identity owned before ("" none), now released.
};

/// Who owns which name (docs/protocol.md, "Names people own"). Identities are public identity
/// ids (core/identity.hpp); names are owned under core::fold_name, so "Kim" and "kim" are one.
/// An identity owns at most one name: claiming another renames it.
///
/// Contract (the conformance suite in tests/unit/message_store_test.cpp checks every store's
/// directory): every change is durable when the call returns, like an append, and with Redis
/// it is one atomic step that every node sees, so two identities can never both own a name.
///
/// Thread-safety: none; it belongs to its message_store and has the same one caller.
class identity_directory {
 public:
  virtual ~identity_directory() = default;

  /// Gives `name` to `identity` unless another identity owns it. Granted: the identity's
  /// previous name, if any, is released (a rename). Refused: nothing changes.
  virtual name_claim claim_name(const std::string& identity, const std::string& name) = 0;
  /// Releases the identity's name; returns it ("" when it owned none).
  virtual std::string release_name(const std::string& identity) = 0;
  /// The identity that owns `name`, "" when nobody does.
  virtual std::string name_owner(const std::string& name) = 0;
  /// The current name of each of `identities` that owns one (others are absent).
  virtual std::unordered_map<std::string, std::string> names_of(
      const std::vector<std::string>& identities) = 0;
};

}  // namespace message::store
