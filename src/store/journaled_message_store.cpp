#include "store/journaled_message_store.hpp"
#include "store/conversation_fold.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace message::store {

journaled_message_store::journaled_message_store(const std::filesystem::path& database,
                                                 const std::filesystem::path& journal, durability mode,
                                                 bool salvage_journal, std::function<void()> before_id_scan)
    : mode_(mode),
      database_(database, mode),
      journal_(journal, mode == durability::power, salvage_journal),
      database_file_(database),
      before_id_scan_(std::move(before_id_scan)) {
  // What the journal holds beyond the database is what a killed process had not moved yet: in
  // each room, the seqs right after the database's last. What it holds below is what was moved
  // before, under the same ids. Anything else means the two files are not of one history (a
  // backup restored beside a newer journal, another data directory's journal): refused, not
  // mixed, and nothing is dropped.
  const auto foreign = [&](const std::string& why) {
    return store_error(fmt::format(
        "the journal {} does not follow the database {}: {} (a restored backup? then the "
        "journal belongs to the newer database; move it away only if its messages are in that one)",
        journal.string(), database.string(), why));
  };
  std::vector<core::chat_message> missing;
  std::unordered_map<std::string, std::uint64_t> next;  // Room -> the seq that must come next.
  for (const auto& m : journal_.recovered()) {
    auto [it, first] = next.try_emplace(m.room, 0);
    if (first) it->second = database_.last_seq(m.room) + 1;
    if (m.seq < it->second) {
      // Moved before, unless the database holds another message there.
      const auto stored = database_.id_at(m.room, m.seq);
      if (stored && *stored != m.id)
        throw foreign(
            fmt::format("room '{}' holds seq {} under id '{}' there and under id '{}' in the journal", m.room,
                        m.seq, *stored, m.id));
      continue;
    }
    if (m.seq != it->second) {
      // A salvaged journal lacks what the damage held: those seqs stay unused.
      if (!journal_.salvaged() || m.seq < it->second)
        throw foreign(fmt::format("room '{}' ends at seq {} there, and the journal goes on at {}", m.room,
                                  it->second - 1, m.seq));
      spdlog::warn("room '{}': seqs {} to {} were in the damaged part of the journal and are lost", m.room,
                   it->second, m.seq - 1);
      it->second = m.seq;
    }
    ++it->second;
    missing.push_back(m);
  }
  if (!missing.empty()) {
    try {
      database_.insert(missing);
    } catch (const store_error& e) {
      throw store_error(fmt::format("moving {} journaled message(s) into the database failed: {}",
                                    missing.size(), e.what()));
    }
    spdlog::info("moved {} message(s) from the journal into the database", missing.size());
  }
  journal_.reset();
  rebuild_ids(min_ids);
}

void journaled_message_store::rebuild_ids(std::size_t capacity) {
  // The waiting ids are not in the database the scan reads: recorded, like every id stored
  // from now until the new filter is adopted.
  added_while_building_.clear();
  for (const auto& m : waiting_) added_while_building_.emplace_back(m.room, m.id);
  building_.reset();
  building_ = std::make_unique<id_filter_builder>(database_file_, capacity, before_id_scan_);
}

void journaled_message_store::adopt_ids() {
  auto fresh = building_->take();
  for (const auto& [room, id] : added_while_building_) fresh->add(room, id);
  building_.reset();
  added_while_building_.clear();
  added_while_building_.shrink_to_fit();
  ids_ = std::move(*fresh);
}

void journaled_message_store::remember_id(const std::string& room, const std::string& id) {
  if (building_) {
    added_while_building_.emplace_back(room, id);
  } else {
    ids_.add(room, id);
  }
}

journaled_message_store::~journaled_message_store() {
  try {
    do_deferred_work();
    journal_.reset();  // Everything is in the database: a restored backup needs no journal removed.
  } catch (const std::exception& e) {
    spdlog::warn("{} message(s) stay in the journal for the next start: {}", waiting_.size(), e.what());
  }
}

bool journaled_message_store::commit_never_waits() const {
  return mode_ != durability::power && waiting_.size() < max_waiting;
}

std::optional<std::uint64_t> journaled_message_store::known_id(const std::string& room,
                                                               const std::string& id) {
  // The filter holds the waiting ids too, so a surely new id needs neither the waiting ids'
  // table (a hash of the id and a cache miss or two) nor a SQLite read. While it is being
  // built, every id takes the exact way.
  if (building_ && building_->succeeded()) adopt_ids();
  if (!building_ && !ids_.may_contain(room, id)) return std::nullopt;
  if (auto r = waiting_rooms_.find(room); r != waiting_rooms_.end()) {
    if (auto it = r->second.ids.find(id); it != r->second.ids.end()) return it->second;
  }
  return database_.find_id(room, id);
}

std::vector<append_result> journaled_message_store::commit_group(
    const std::vector<core::new_message>& batch) {
  if (waiting_.size() + batch.size() > max_waiting)
    do_deferred_work();  // Throws if the database still refuses.
  if (batch.size() >= direct_group) {
    // A big group pays one SQLite transaction well, and skipping the journal saves writing
    // each message twice: it goes in with everything waiting, in one transaction.
    auto results = database_.append_after(waiting_, batch);  // Throws with nothing changed.
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (results[i].duplicate) continue;
      remember_id(batch[i].room, batch[i].id);
      if (batch[i].kind == core::event_kind::edit || batch[i].kind == core::event_kind::remove)
        rewrite_journal_ = true;  // The journal may hold the target's old text.
    }
    forget_stored();
    return results;
  }
  std::vector<append_result> results;
  results.reserve(batch.size());
  std::vector<core::chat_message> fresh;
  fresh.reserve(batch.size());
  // Seqs and ids given in this group are kept in `fresh` alone until it is journaled: a group
  // here is under direct_group messages, so a scan of it costs less than the maps it would
  // otherwise fill and drop (a lone message paid three allocations for them).
  for (const auto& m : batch) {
    std::optional<std::uint64_t> earlier;
    std::uint64_t last = 0;
    bool room_given = false;
    for (const auto& f : fresh) {
      if (f.room != m.room) continue;
      room_given = true;
      last = f.seq;
      if (f.id == m.id) earlier = f.seq;
    }
    if (!earlier) earlier = known_id(m.room, m.id);
    if (earlier) {
      results.push_back({*earlier, true});
      continue;
    }
    const auto seq = (room_given ? last : last_seq(m.room)) + 1;
    auto& row = fresh.emplace_back();
    row.room = m.room;
    row.seq = seq;
    row.id = m.id;
    row.username = m.username;
    row.text = m.text;
    row.device = m.device;
    row.ts = m.ts;
    fresh.back().kind = m.kind;
    fresh.back().target = m.target;
    fresh.back().reply_to = m.reply_to;
    fresh.back().mentions = m.mentions;
    fresh.back().file = m.file;
    results.push_back({seq, false});
  }
  if (fresh.empty()) return results;
  try {
    journal_.append(fresh);  // Throws with nothing journaled and nothing above kept.
  } catch (const store_error&) {
    // A full disk (or file size limit): what the journal holds may all be in the database
    // already, or can be put there; then emptying it makes room for this group.
    if (journal_.size() < reset_bytes / 64) throw;  // Nothing worth freeing.
    do_deferred_work();  // Throws if the database refuses too: the group is not taken.
    journal_.reset();
    journal_.append(fresh);
  }
  for (const auto& m : fresh) {
    auto& waiting = waiting_rooms_[m.room];
    waiting.last_seq = m.seq;  // A room's seqs rise through the group.
    waiting.ids.emplace(m.id, m.seq);
    remember_id(m.room, m.id);
    if (is_change(m.kind)) ++waiting_changes_;
    if (m.kind == core::event_kind::edit || m.kind == core::event_kind::remove) rewrite_journal_ = true;
  }
  std::move(fresh.begin(), fresh.end(), std::back_inserter(waiting_));
  return results;
}

void journaled_message_store::forget_stored() {
  waiting_.clear();
  waiting_rooms_.clear();
  waiting_changes_ = 0;
  // Everything journaled is in the database now. An edit or delete folded there: the journal
  // may hold the text it replaced or removed, so it is overwritten and emptied now (the bound
  // docs/security.md states). Otherwise emptying costs a truncate, so only when big.
  if (rewrite_journal_) {
    journal_.scrub();
    rewrite_journal_ = false;
  } else if (journal_.size() >= reset_bytes) {
    journal_.reset();
  }
}

void journaled_message_store::fold_waiting_changes() {
  if (waiting_changes_ > 0) do_deferred_work();
}

core::chat_message journaled_message_store::with_quote(const core::chat_message& m) {
  core::chat_message out = m;
  if (m.reply_to == 0) return out;
  if (auto target = find(m.room, m.reply_to); target && target->kind == core::event_kind::message)
    out.reply = quote_of(*target);
  return out;
}

void journaled_message_store::do_deferred_work() {
  if (!waiting_.empty()) {
    database_.insert(waiting_);
    forget_stored();
  }
  database_.do_deferred_work();  // After a delete: the WAL emptied of its old pages.
  if (building_ && building_->succeeded()) {
    adopt_ids();
  } else if (building_ && building_->done()) {
    // The scan failed (logged): scan again, keeping what was recorded; ids stay exact meanwhile.
    auto recorded = std::move(added_while_building_);
    rebuild_ids(std::max(ids_.capacity(), min_ids));
    added_while_building_.insert(added_while_building_.end(), recorded.begin(), recorded.end());
  } else if (!building_ && ids_.full()) {
    rebuild_ids(ids_.added() * 2);
  }
}

std::vector<core::chat_message> journaled_message_store::read_after(const std::string& room,
                                                                    std::uint64_t after, std::size_t limit) {
  fold_waiting_changes();
  auto out = database_.read_after(room, after, limit);
  for (const auto& m : waiting_) {
    if (out.size() >= limit) break;
    if (m.room == room && m.seq > after) out.push_back(with_quote(m));
  }
  return out;
}

history_page journaled_message_store::read_before(const std::string& room,
                                                  std::optional<std::uint64_t> before, std::size_t limit,
                                                  const std::string& viewer) {
  fold_waiting_changes();  // What waits now is messages alone, with no reactions yet.
  // Every waiting message of the room is newer than every stored one.
  std::vector<const core::chat_message*> newest;
  for (const auto& m : waiting_)
    if (m.room == room && (!before || m.seq < *before)) newest.push_back(&m);
  history_page page;
  if (!newest.empty() && newest.size() >= limit) {
    const auto skip = newest.size() - limit;
    for (auto it = newest.begin() + static_cast<std::ptrdiff_t>(skip); it != newest.end(); ++it)
      page.messages.push_back(with_quote(**it));
    page.more = skip > 0 || !database_.read_before(room, newest.front()->seq, 1).messages.empty();
    return page;
  }
  const auto bound = newest.empty() ? before : std::optional<std::uint64_t>(newest.front()->seq);
  page = database_.read_before(room, bound, limit - newest.size(), viewer);
  for (const auto* m : newest) page.messages.push_back(with_quote(*m));
  return page;
}

std::vector<core::chat_message> journaled_message_store::read_messages_after(const std::string& room,
                                                                             std::uint64_t after,
                                                                             std::size_t limit,
                                                                             const std::string& viewer) {
  fold_waiting_changes();
  auto out = database_.read_messages_after(room, after, limit, viewer);
  for (const auto& m : waiting_) {
    if (out.size() >= limit) break;
    if (m.room == room && m.seq > after) out.push_back(with_quote(m));
  }
  return out;
}

std::optional<core::chat_message> journaled_message_store::find(const std::string& room, std::uint64_t seq) {
  fold_waiting_changes();
  if (auto r = waiting_rooms_.find(room); r != waiting_rooms_.end() && seq > database_.last_seq(room)) {
    for (const auto& m : waiting_)
      if (m.room == room && m.seq == seq) return with_quote(m);
    return std::nullopt;
  }
  return database_.find(room, seq);
}

std::vector<core::reaction_summary> journaled_message_store::reactions(const std::string& room,
                                                                       std::uint64_t seq) {
  fold_waiting_changes();
  return database_.reactions(room, seq);
}

std::optional<std::uint64_t> journaled_message_store::oldest_seq(const std::string& room) {
  if (auto stored = database_.oldest_seq(room)) return stored;
  // None in the database: the waiting ones follow its last seq without a gap.
  if (waiting_rooms_.contains(room)) return database_.last_seq(room) + 1;
  return std::nullopt;
}

std::uint64_t journaled_message_store::last_seq(const std::string& room) {
  if (auto it = waiting_rooms_.find(room); it != waiting_rooms_.end()) return it->second.last_seq;
  return database_.last_seq(room);
}

std::vector<room_info> journaled_message_store::rooms() {
  auto out = database_.rooms();
  for (const auto& entry : waiting_rooms_) {
    const auto& [name, waiting] = entry;
    // The lambda names the pair, not a structured binding: clang 14 cannot capture those.
    auto it =
        std::find_if(out.begin(), out.end(), [&entry](const room_info& r) { return r.room == entry.first; });
    if (it != out.end())
      it->last_seq = std::max(it->last_seq, waiting.last_seq);
    else
      out.push_back({name, waiting.last_seq});
  }
  std::sort(out.begin(), out.end(), [](const room_info& a, const room_info& b) { return a.room < b.room; });
  return out;
}

std::size_t journaled_message_store::prune(std::uint64_t keep_per_room, std::int64_t older_than_ms,
                                           std::int64_t id_cutoff_ms, std::size_t max_rows) {
  do_deferred_work();  // Retention counts every message, so all must be in the database.
  return database_.prune(keep_per_room, older_than_ms, id_cutoff_ms, max_rows);
}

std::vector<file_use> journaled_message_store::file_uses(const std::string& sha256) {
  fold_waiting_changes();  // A waiting delete is folded: what waits now are live messages.
  auto out = database_.file_uses(sha256);
  // Waiting messages are newer than every stored one of their room.
  for (const auto& m : waiting_) {
    if (!m.file || m.file->sha256 != sha256) continue;
    auto at = std::find_if(out.begin(), out.end(), [&](const file_use& u) { return u.room == m.room; });
    if (at == out.end()) {
      out.push_back({m.room, m.seq, *m.file});
    } else if (m.seq > at->seq) {
      *at = {m.room, m.seq, *m.file};
    }
  }
  std::sort(out.begin(), out.end(), [](const file_use& a, const file_use& b) { return a.room < b.room; });
  return out;
}

void journaled_message_store::mark_file_gone(const std::string& sha256) {
  do_deferred_work();  // Every message that names the blob is in the database then.
  database_.mark_file_gone(sha256);
}

}  // namespace message::store
