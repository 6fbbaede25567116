#include "core/change_checks.hpp"

namespace message::core {

std::optional<refusal> check_target(store::sequencing_store& s, const std::string& room, std::uint64_t target,
                                    const std::string& identity, target_need need) {
  if (!s.directory().access(room, identity).allowed())
    return refusal{"not_member", "this room is private: only its members can read it"};
  const auto found = s.find(room, target);
  // An event's seq is no message either: nothing can be changed or quoted through it.
  if (!found || found->kind != event_kind::message)
    return refusal{"unknown_target", "there is no message " + std::to_string(target) + " in this room"};
  if (found->deleted) return refusal{"deleted", "that message is deleted"};
  if (need == target_need::authored && (identity.empty() || found->device != identity))
    return refusal{"not_author", "only its author can change a message"};
  return std::nullopt;
}

std::vector<std::string> known_mentions(store::sequencing_store& s, const std::string& room,
                                        const std::vector<std::string>& wanted) {
  std::vector<std::string> kept;
  if (wanted.empty()) return kept;
  auto& directory = s.directory();
  const auto named = directory.names_of(wanted);
  const bool is_private = directory.access(room, {}).is_private;
  for (const auto& id : wanted) {
    if (!named.contains(id)) continue;
    if (is_private && !directory.access(room, id).member) continue;
    kept.push_back(id);
  }
  return kept;
}

}  // namespace message::core
