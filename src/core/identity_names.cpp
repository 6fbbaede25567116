#include "core/identity_names.hpp"

#include <algorithm>

#include "common/identity.hpp"
#include "protocol/validate.hpp"

namespace message::core {

namespace {
/// Suggestions tried before giving up: a name with this many owned variants needs a new idea.
constexpr int suggestion_tries = 20;
}  // namespace

name_outcome want_name(store::sequencing_store& store, const std::string& identity, const std::string& name,
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
    std::string candidate = base + suffix;
    if (directory.name_owner(candidate).empty()) return candidate;
  }
  return {};
}

namespace {
void add_identity(std::vector<std::string>& ids, const std::string& id) {
  if (is_identity_id(id)) ids.push_back(id);
}

void add_people(std::vector<std::string>& ids, const std::vector<reaction_summary>& reactions) {
  for (const auto& r : reactions) {
    for (const auto& p : r.users) add_identity(ids, p.identity);
  }
}

void rename_people(const std::unordered_map<std::string, std::string>& names,
                   std::vector<reaction_summary>& reactions) {
  for (auto& r : reactions) {
    for (auto& p : r.users) {
      if (auto it = names.find(p.identity); it != names.end()) p.username = it->second;
    }
  }
}

std::unordered_map<std::string, std::string> current_names(store::sequencing_store& store,
                                                           std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return store.directory().names_of(ids);
}
}  // namespace

void fold_current_names(store::sequencing_store& store, std::vector<chat_message>& messages) {
  std::vector<std::string> identities;
  for (const auto& m : messages) {
    add_identity(identities, m.device);
    if (m.reply) add_identity(identities, m.reply->identity);
    add_people(identities, m.reactions);
  }
  const auto names = current_names(store, identities);
  if (names.empty()) return;
  for (auto& m : messages) {
    if (auto it = names.find(m.device); it != names.end()) m.username = it->second;
    if (m.reply) {
      if (auto it = names.find(m.reply->identity); it != names.end()) m.reply->username = it->second;
    }
    rename_people(names, m.reactions);
  }
}

void fold_current_names(store::sequencing_store& store, std::vector<reaction_summary>& reactions) {
  std::vector<std::string> identities;
  add_people(identities, reactions);
  rename_people(current_names(store, identities), reactions);
}

}  // namespace message::core
