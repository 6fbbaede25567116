#include "core/identity_names.hpp"

#include <algorithm>

#include "core/identity.hpp"
#include "protocol/validate.hpp"

namespace message::core {

namespace {
/// Suggestions tried before giving up: a name with this many owned variants needs a new idea.
constexpr int suggestion_tries = 20;
}  // namespace

name_outcome want_name(store::message_store& store, const std::string& identity, const std::string& name,
                       std::size_t max_chars) {
  auto& directory = store.directory();
  name_outcome out;
  if (identity.empty()) {
    out.granted = directory.name_owner(name).empty();
  } else {
    auto claim = directory.claim_name(identity, name);
    out.granted = claim.granted;
    out.previous = std::move(claim.previous);
  }
  if (!out.granted) out.suggestion = suggest_name(directory, name, max_chars);
  return out;
}

std::string suggest_name(store::identity_directory& directory, const std::string& name,
                         std::size_t max_chars) {
  for (int i = 2; i < 2 + suggestion_tries; ++i) {
    const std::string suffix = "-" + std::to_string(i);
    std::string base = name;
    // Cut whole code points (never a UTF-8 sequence in two) until the suffix fits.
    while (!base.empty() && protocol::count_code_points(base) + suffix.size() > max_chars) {
      while (!base.empty() && (static_cast<unsigned char>(base.back()) & 0xC0) == 0x80) base.pop_back();
      if (!base.empty()) base.pop_back();  // The lead byte, or a one-byte character.
    }
    if (base.empty()) return {};
    const std::string candidate = base + suffix;
    if (directory.name_owner(candidate).empty()) return candidate;
  }
  return {};
}

void fold_current_names(store::message_store& store, std::vector<chat_message>& messages) {
  std::vector<std::string> identities;
  for (const auto& m : messages) {
    if (is_identity_id(m.device)) identities.push_back(m.device);
  }
  if (identities.empty()) return;
  std::sort(identities.begin(), identities.end());
  identities.erase(std::unique(identities.begin(), identities.end()), identities.end());
  const auto names = store.directory().names_of(identities);
  for (auto& m : messages) {
    if (auto it = names.find(m.device); it != names.end()) m.username = it->second;
  }
}

}  // namespace message::core
