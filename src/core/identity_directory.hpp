#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace message::store {

/// The outcome of identity_directory::claim_name.
struct name_claim {
  bool granted = false;  ///< The identity owns the name now (or owned it already).
  std::string owner;     ///< Refused: the identity that owns it.
  std::string previous;  ///< Granted: the name the identity owned before ("" none), now released.
};

/// Whether an identity may read a room.
struct room_access {
  bool is_private = false;  ///< The room is private (rooms are public unless created private).
  bool member = false;      ///< The identity is one of its members.
  bool allowed() const { return !is_private || member; }
};

/// Who owns which name (docs/protocol.md, "Names people own"), which rooms each identity
/// follows, and which rooms are private to whom ("Membership, private rooms, direct messages"). Identities
/// are public identity ids (common/identity.hpp); names are owned under core::fold_name, so "Kim" and "kim"
/// are one. An identity owns at most one name: claiming another renames it.
///
/// Contract (the conformance suite in tests/unit/message_store_test.cpp checks every store's
/// directory): every change is durable when the call returns, like an append, and with Redis
/// it is one atomic step that every node sees, so two identities can never both own a name.
///
/// Thread-safety: none; it belongs to its sequencing_store and has the same one caller.
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

  /// Remembers that `identity` follows `room` (or no longer does). Idempotent.
  virtual void set_following(const std::string& identity, const std::string& room, bool following) = 0;
  /// The rooms `identity` follows, by name.
  virtual std::vector<std::string> followed(const std::string& identity) = 0;

  /// Makes `room` private with `creator` as its only member and `secret` as its invite link's
  /// secret. False, changing nothing, when the room is private already.
  virtual bool create_private_room(const std::string& room, const std::string& creator,
                                   const std::string& secret) = 0;
  /// Adds a member to a private room (idempotent; nothing for a public room).
  virtual void add_member(const std::string& room, const std::string& identity) = 0;
  virtual room_access access(const std::string& room, const std::string& identity) = 0;
  /// The invite link secret of a private room ("" for a public one).
  virtual std::string room_secret(const std::string& room) = 0;
  /// Raises `identity`'s read position in `room` to `seq`; a `seq` not above the stored one
  /// changes nothing. True when it raised it. (Clamping to the room's last seq is the caller's.)
  virtual bool raise_read(const std::string& identity, const std::string& room, std::uint64_t seq) = 0;
  /// The identity's read position in `room` (0 when it never read it).
  virtual std::uint64_t read_position(const std::string& identity, const std::string& room) = 0;
  /// Every identity's read position in `room`, by identity.
  virtual std::vector<std::pair<std::string, std::uint64_t>> readers(const std::string& room) = 0;

  /// Every private room `identity` is not a member of (for an empty identity: every one):
  /// what `rooms` must not show it.
  virtual std::vector<std::string> hidden_rooms(const std::string& identity) = 0;

  // Device linking (docs/protocol.md, "Device linking"). A device is the id its own token
  // derives (core::identity_of_token); linked, it acts as another identity.

  /// Keeps a link code for `identity` until `expires_ms` (Unix ms). Codes are random and
  /// unique in practice; storing one that exists replaces it.
  virtual void put_link_code(const std::string& code, const std::string& identity,
                             std::int64_t expires_ms) = 0;
  /// Spends a link code: the identity it was made for, once; "" for an unknown, used or (at
  /// `now_ms`) expired code. With Redis one atomic step, so two nodes never both spend it.
  virtual std::string take_link_code(const std::string& code, std::int64_t now_ms) = 0;
  /// From now on `device` resolves to `identity` (replacing an earlier link).
  virtual void link_device(const std::string& device, const std::string& identity) = 0;
  /// The identity `device` acts as: the one it was linked to, else itself.
  virtual std::string identity_of_device(const std::string& device) = 0;
};

}  // namespace message::store
