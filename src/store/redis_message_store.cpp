#include "store/redis_message_store.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "common/identity.hpp"
#include "redis/redis_entry.hpp"
#include "redis/redis_keys.hpp"
#include "store/conversation_fold.hpp"
#include "store/room_epoch.hpp"

namespace message::store {

namespace {

using link = redis::redis_status::link;

/// A connect that takes longer is treated as "Redis unreachable" (the batch fails at once).
constexpr auto connect_timeout = std::chrono::milliseconds(1000);
/// A command that takes longer: the connection is dropped and the batch fails. A whole group
/// commit of max_commit_batch messages runs in milliseconds, so this only fires on a partition.
constexpr auto command_timeout = std::chrono::milliseconds(5000);
/// Reconnect attempts after a failure back off from the first to the last value.
constexpr auto first_backoff = std::chrono::milliseconds(100);
constexpr auto max_backoff = std::chrono::milliseconds(500);

// The append script (see the class comment). ARGV: key prefix, channel, then for each row
// room, id, ts, body, kind, target, the edit's scrubbed body, the reaction's field
// ("<identity>\t<emoji>"), username, reply_to (0: none) and the shared file's sha256 ('' for
// none). Returns seq, duplicate (0/1) for each row. Ids live in
// a hash per room (id -> seq) with a sorted set by ts beside it, so prune() forgets them by age.
//
// A change folds here, atomically with its seq (sequencing_store's contract): an edit or delete
// rewrites its target's entry (decoded and encoded with Redis's cjson), a delete also the
// entries of the target's edits (hash edits:<room>: target -> their seqs) and drops its
// reactions (hash reactions:<room>:<seq>: "<identity>\t<emoji>" -> "<react seq>\t<username>").
//
// A message sharing a file adds "<room>\t<seq>" to the set files:<sha256> (file_uses()); its
// delete removes it. Retention does not: file_uses() checks each member against the log and
// drops the ones whose entry is gone.
//
// A reply's *published* entry carries its target as it is at this commit (field "quote": seq,
// username, device, message, deleted), so every node's live frame quotes it
// (redis::decode_entry cuts it as a quote). The stored entry has no quote: a later delete of
// the target then has only the target's own entries to scrub, and reads quote afresh.
constexpr const char* append_script = R"lua(
local p, chan = ARGV[1], ARGV[2]
local out, pub = {}, {}
local function entry_at(log, seq)
  local e = redis.call('ZRANGEBYSCORE', log, seq, seq, 'LIMIT', 0, 1)[1]
  if not e then return nil end
  return cjson.decode(string.sub(e, string.find(e, ' ', 1, true) + 1))
end
local function rewrite(log, seq, obj)
  redis.call('ZREMRANGEBYSCORE', log, seq, seq)
  redis.call('ZADD', log, seq, seq .. ' ' .. cjson.encode(obj))
end
for i = 3, #ARGV, 11 do
  local room, id, ts, body = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local kind, target, reply_to = tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5]), tonumber(ARGV[i + 9])
  local seen = redis.call('HGET', p .. 'ids:' .. room, id)
  if seen then
    out[#out + 1] = tonumber(seen)
    out[#out + 1] = 1
  else
    local seq = redis.call('INCR', p .. 'seq:' .. room)
    redis.call('HSET', p .. 'ids:' .. room, id, seq)
    redis.call('ZADD', p .. 'idts:' .. room, ts, id)
    local log = p .. 'log:' .. room
    if kind ~= 0 then
      local t = entry_at(log, target)
      local message = t ~= nil and (t.kind == nil or t.kind == 0)
      local live = message and not t.deleted
      local reactions = p .. 'reactions:' .. room .. ':' .. target
      local edits = p .. 'edits:' .. room
      if kind == 1 and message and t.deleted then
        body = ARGV[i + 6]
      elseif kind == 1 and live then
        local e = cjson.decode(body)
        t.message, t.mentions, t.edited = e.message, e.mentions, tonumber(ts)
        rewrite(log, target, t)
        redis.call('HSET', edits, target, (redis.call('HGET', edits, target) or '') .. seq .. ' ')
      elseif kind == 2 and live then
        if t.file then
          local shared = cjson.decode(t.file).sha256
          if shared then redis.call('SREM', p .. 'files:' .. shared, room .. '\t' .. target) end
        end
        t.message, t.mentions, t.file, t.deleted = '', nil, nil, true
        rewrite(log, target, t)
        for s in string.gmatch(redis.call('HGET', edits, target) or '', '%d+') do
          local e = entry_at(log, tonumber(s))
          if e then
            e.message, e.mentions = '', nil
            rewrite(log, tonumber(s), e)
          end
        end
        redis.call('HDEL', edits, target)
        redis.call('DEL', reactions)
      elseif kind == 3 and live then
        redis.call('HSETNX', reactions, ARGV[i + 7], seq .. '\t' .. ARGV[i + 8])
      elseif kind == 4 and live then
        redis.call('HDEL', reactions, ARGV[i + 7])
      end
    end
    local entry = seq .. ' ' .. body
    local published = entry
    if kind == 0 and reply_to > 0 then
      local t = entry_at(log, reply_to)
      if t ~= nil and (t.kind == nil or t.kind == 0) then
        local e = cjson.decode(body)
        e.quote = {seq = reply_to, username = t.username, device = t.device, message = t.message,
                   deleted = t.deleted == true}
        published = seq .. ' ' .. cjson.encode(e)
      end
    end
    redis.call('ZADD', log, seq, entry)
    if kind == 0 and ARGV[i + 10] ~= '' then
      redis.call('SADD', p .. 'files:' .. ARGV[i + 10], room .. '\t' .. seq)
    end
    redis.call('HSET', p .. 'rooms', room, seq)
    pub[#pub + 1] = published
    out[#out + 1] = seq
    out[#out + 1] = 0
  end
end
if #pub > 0 then redis.call('PUBLISH', chan, table.concat(pub, '\n')) end
return out
)lua";

// The entries of `room` at the given seqs, one round trip: ARGV key prefix, room, seqs.
// Returns each entry, or false where there is none.
constexpr const char* entries_at_script = R"lua(
local log, out = ARGV[1] .. 'log:' .. ARGV[2], {}
for i = 3, #ARGV do
  out[#out + 1] = redis.call('ZRANGEBYSCORE', log, ARGV[i], ARGV[i], 'LIMIT', 0, 1)[1] or false
end
return out
)lua";

// The live messages sharing a blob, one round trip: ARGV key prefix, sha256. Returns room,
// entry pairs; members whose entry retention removed (or that a delete scrubbed) leave the set.
constexpr const char* file_uses_script = R"lua(
local p = ARGV[1]
local set = p .. 'files:' .. ARGV[2]
local out = {}
for _, member in ipairs(redis.call('SMEMBERS', set)) do
  local tab = string.find(member, '\t', 1, true)
  local room, seq = string.sub(member, 1, tab - 1), string.sub(member, tab + 1)
  local e = redis.call('ZRANGEBYSCORE', p .. 'log:' .. room, seq, seq, 'LIMIT', 0, 1)[1]
  if e and string.find(e, '"file"', 1, true) then
    out[#out + 1] = room
    out[#out + 1] = e
  else
    redis.call('SREM', set, member)
  end
end
return out
)lua";

// Marks every live message sharing a blob as having lost it (mark_file_gone), one round trip:
// ARGV key prefix, sha256. Each entry is rewritten under its seq with "gone": true in its file
// text (the other fields as they were, through cjson like an edit's rewrite).
constexpr const char* mark_file_gone_script = R"lua(
local p = ARGV[1]
for _, member in ipairs(redis.call('SMEMBERS', p .. 'files:' .. ARGV[2])) do
  local tab = string.find(member, '\t', 1, true)
  local log, seq = p .. 'log:' .. string.sub(member, 1, tab - 1), string.sub(member, tab + 1)
  local e = redis.call('ZRANGEBYSCORE', log, seq, seq, 'LIMIT', 0, 1)[1]
  if e then
    local obj = cjson.decode(string.sub(e, string.find(e, ' ', 1, true) + 1))
    if type(obj.file) == 'string' then
      local file = cjson.decode(obj.file)
      if file.sha256 == ARGV[2] and not file.gone then
        file.gone = true
        obj.file = cjson.encode(file)
        redis.call('ZREMRANGEBYSCORE', log, seq, seq)
        redis.call('ZADD', log, seq, seq .. ' ' .. cjson.encode(obj))
      end
    end
  end
end
return 0
)lua";

// The reactions of messages of `room`, one round trip: ARGV key prefix, room, seqs. Returns
// each message's hash as a flat array.
constexpr const char* reactions_script = R"lua(
local out = {}
for i = 3, #ARGV do
  out[#out + 1] = redis.call('HGETALL', ARGV[1] .. 'reactions:' .. ARGV[2] .. ':' .. ARGV[i])
end
return out
)lua";

// Names (identity_directory), atomically so that two nodes never give one name to two
// identities. ARGV: key prefix, identity, name, folded name. Hashes: name_owners (folded name ->
// identity), names (identity -> name as given), names_folded (identity -> its folded name).
// Returns granted (0/1), the owner when refused, the previous name when granted.
constexpr const char* claim_script = R"lua(
local p, id, name, folded = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local owner = redis.call('HGET', p .. 'name_owners', folded)
if owner and owner ~= id then return {0, owner, ''} end
local prev = redis.call('HGET', p .. 'names', id) or ''
local prev_folded = redis.call('HGET', p .. 'names_folded', id)
if prev_folded then redis.call('HDEL', p .. 'name_owners', prev_folded) end
redis.call('HSET', p .. 'name_owners', folded, id)
redis.call('HSET', p .. 'names', id, name)
redis.call('HSET', p .. 'names_folded', id, folded)
return {1, '', prev}
)lua";

// ARGV: key prefix, identity. Returns the released name ('' when none).
constexpr const char* release_script = R"lua(
local p, id = ARGV[1], ARGV[2]
local prev = redis.call('HGET', p .. 'names', id) or ''
local prev_folded = redis.call('HGET', p .. 'names_folded', id)
if prev_folded then redis.call('HDEL', p .. 'name_owners', prev_folded) end
redis.call('HDEL', p .. 'names', id)
redis.call('HDEL', p .. 'names_folded', id)
return prev
)lua";

// Raises a read position, atomically against other nodes. ARGV: key prefix, room, identity, seq.
// Hash message:reads:<room>: identity -> seq. Returns 1 when it raised it.
constexpr const char* raise_read_script = R"lua(
local k = ARGV[1] .. 'reads:' .. ARGV[2]
local cur = tonumber(redis.call('HGET', k, ARGV[3]) or '0')
if tonumber(ARGV[4]) <= cur then return 0 end
redis.call('HSET', k, ARGV[3], ARGV[4])
return 1
)lua";

std::string key(std::string_view kind, std::string_view room) {
  return fmt::format("{}{}:{}", redis::key_prefix, kind, room);
}

redisReply* as_reply(const void* r) { return static_cast<redisReply*>(const_cast<void*>(r)); }

std::uint64_t to_u64(const redisReply* r) {
  if (r->type == REDIS_REPLY_INTEGER) return r->integer < 0 ? 0 : static_cast<std::uint64_t>(r->integer);
  if (r->type == REDIS_REPLY_STRING) {
    std::uint64_t v = 0;
    std::from_chars(r->str, r->str + r->len, v);
    return v;
  }
  return 0;
}

}  // namespace

void redis_message_store::reply_deleter::operator()(void* r) const { freeReplyObject(r); }

redis_message_store::redis_message_store(redis::redis_endpoint where,
                                         std::shared_ptr<redis::redis_status> status)
    : where_(std::move(where)), status_(std::move(status)) {
  try {
    connect();
  } catch (const store_error& e) {
    spdlog::warn("redis at {} is not reachable yet ({}); sends fail until it is", where_.describe(),
                 e.what());
  }
}

redis_message_store::~redis_message_store() {
  if (ctx_) redisFree(ctx_);
}

void redis_message_store::lost(const std::string& why) {
  if (ctx_) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
  last_error_ = why;
  backoff_ = std::clamp(backoff_ * 2, first_backoff, max_backoff);
  retry_at_ = std::chrono::steady_clock::now() + backoff_;
  if (status_) status_->down(link::store, why);
  throw store_error("redis unreachable: " + why);
}

void redis_message_store::connect() {
  const auto tv = [](std::chrono::milliseconds d) {
    return timeval{static_cast<time_t>(d.count() / 1000),
                   static_cast<suseconds_t>((d.count() % 1000) * 1000)};
  };
  redisContext* c = redisConnectWithTimeout(where_.host.c_str(), where_.port, tv(connect_timeout));
  if (!c) lost("out of memory");
  if (c->err) {
    std::string why = c->errstr;
    redisFree(c);
    lost(fmt::format("{}: {}", where_.describe(), why));
  }
  redisSetTimeout(c, tv(command_timeout));
  redisEnableKeepAlive(c);
  ctx_ = c;
  // AUTH and SELECT: a refusal is a configuration error, not an outage.
  auto setup = [&](const std::vector<std::string>& argv) {
    auto r = command(argv, true);
    const auto* rr = as_reply(r.get());
    if (rr->type == REDIS_REPLY_ERROR) {
      const std::string what(rr->str, rr->len);
      redisFree(ctx_);
      ctx_ = nullptr;
      // Not a store_error: the constructor lets this one end the start-up.
      throw std::runtime_error(fmt::format("redis at {} refused {}: {}", where_.describe(), argv[0], what));
    }
  };
  if (!where_.password.empty()) setup({"AUTH", where_.password});
  if (where_.db != 0) setup({"SELECT", std::to_string(where_.db)});
  backoff_ = std::chrono::milliseconds(0);
  if (status_) status_->up(link::store);
}

redisContext* redis_message_store::context() {
  if (ctx_) return ctx_;
  // Back off between attempts, unless the broker's links show Redis is back.
  const bool back = status_ && status_->problem().empty();
  if (std::chrono::steady_clock::now() < retry_at_ && !back)
    throw store_error("redis unreachable: " + last_error_);
  connect();
  return ctx_;
}

redis_message_store::reply_ptr redis_message_store::command(const std::vector<std::string>& argv,
                                                            bool allow_error) {
  const bool reused = ctx_ != nullptr;
  redisContext* c = ctx_ ? ctx_ : context();
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  void* r = redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data());
  if (!r && reused && argv[0] != "AUTH" && argv[0] != "SELECT") {
    // The connection broke while it sat idle (Redis restarted): one attempt on a fresh one, so
    // the first send after a restart is not refused. Safe for the append script too: a batch
    // that did run before the break comes back as duplicates with its seqs.
    redisFree(ctx_);
    ctx_ = nullptr;
    c = context();
    r = redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data());
  }
  if (!r) lost(c->errstr[0] ? std::string(c->errstr) : std::string("connection lost"));
  reply_ptr reply(r);
  const auto* rr = as_reply(r);
  if (rr->type == REDIS_REPLY_ERROR) {
    const std::string what(rr->str, rr->len);
    // A Redis that is loading its AOF after a restart answers LOADING: an outage, not a bug.
    if (what.rfind("LOADING", 0) == 0) lost(what);
    if (!allow_error) throw store_error("redis: " + what);
  }
  return reply;
}

std::vector<append_result> redis_message_store::commit_group(const std::vector<core::new_message>& batch) {
  // EVAL with the text each time: Redis caches the compiled script by its SHA1, and the text
  // (under 1 KB) is small next to a batch, so a Redis restart needs no NOSCRIPT dance.
  std::vector<std::string> argv;
  argv.reserve(5 + 11 * batch.size());
  argv.insert(argv.end(),
              {"EVAL", append_script, "0", std::string(redis::key_prefix), redis::messages_channel()});
  for (const auto& m : batch) {
    argv.push_back(m.room);
    argv.push_back(m.id);
    argv.push_back(std::to_string(m.ts));
    argv.push_back(redis::encode_entry_body(m));
    argv.push_back(std::to_string(static_cast<int>(m.kind)));
    argv.push_back(std::to_string(m.target));
    if (m.kind == core::event_kind::edit) {
      // Stored instead when the target is deleted: no text, no mentions.
      core::new_message scrubbed = m;
      scrubbed.text.clear();
      scrubbed.mentions.clear();
      argv.push_back(redis::encode_entry_body(scrubbed));
    } else {
      argv.emplace_back();
    }
    argv.push_back(m.device + '\t' + m.text);
    argv.push_back(m.username);
    argv.push_back(std::to_string(m.reply_to));
    argv.push_back(m.kind == core::event_kind::message && m.file ? m.file->sha256 : std::string());
  }
  auto reply = command(argv);
  const auto* rr = as_reply(reply.get());
  if (rr->type != REDIS_REPLY_ARRAY || rr->elements != 2 * batch.size())
    throw store_error("redis: unexpected answer to the append script");
  std::vector<append_result> results(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    results[i].seq = to_u64(rr->element[2 * i]);
    results[i].duplicate = to_u64(rr->element[2 * i + 1]) != 0;
  }
  return results;
}

std::vector<core::chat_message> redis_message_store::entries(const reply_ptr& reply) {
  std::vector<core::chat_message> out;
  const auto* rr = as_reply(reply.get());
  if (rr->type != REDIS_REPLY_ARRAY) return out;
  out.reserve(rr->elements);
  for (std::size_t i = 0; i < rr->elements; ++i) {
    const auto* e = rr->element[i];
    if (e->type != REDIS_REPLY_STRING) continue;
    if (auto m = redis::decode_entry({e->str, e->len})) {
      out.push_back(std::move(*m));
    } else {
      spdlog::warn("redis: skipping an entry that is not a message");
    }
  }
  return out;
}

std::vector<core::chat_message> redis_message_store::read_after(const std::string& room, std::uint64_t after,
                                                                std::size_t limit) {
  if (limit == 0) return {};
  auto reply = command({"ZRANGEBYSCORE", key("log", room), fmt::format("({}", after), "+inf", "LIMIT", "0",
                        std::to_string(limit)});
  auto out = entries(reply);
  add_quotes(room, out);
  return out;
}

void redis_message_store::add_quotes(const std::string& room, std::vector<core::chat_message>& rows) {
  std::vector<std::string> argv{"EVAL", entries_at_script, "0", std::string(redis::key_prefix), room};
  std::vector<core::chat_message*> asking;
  for (auto& m : rows) {
    if (m.kind != core::event_kind::message || m.reply_to == 0) continue;
    asking.push_back(&m);
    argv.push_back(std::to_string(m.reply_to));
  }
  if (asking.empty()) return;
  auto reply = command(argv);
  const auto* rr = as_reply(reply.get());
  if (rr->type != REDIS_REPLY_ARRAY || rr->elements != asking.size())
    throw store_error("redis: unexpected answer to the entries script");
  for (std::size_t i = 0; i < asking.size(); ++i) {
    const auto* e = rr->element[i];
    if (e->type != REDIS_REPLY_STRING) continue;
    if (auto target = redis::decode_entry({e->str, e->len});
        target && target->kind == core::event_kind::message)
      asking[i]->reply = quote_of(*target);
  }
}

void redis_message_store::add_reactions(const std::string& room, std::vector<core::chat_message>& messages,
                                        const std::string& viewer) {
  if (messages.empty()) return;
  std::vector<std::string> argv{"EVAL", reactions_script, "0", std::string(redis::key_prefix), room};
  for (const auto& m : messages) argv.push_back(std::to_string(m.seq));
  auto reply = command(argv);
  const auto* rr = as_reply(reply.get());
  if (rr->type != REDIS_REPLY_ARRAY || rr->elements != messages.size())
    throw store_error("redis: unexpected answer to the reactions script");
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto rows = reaction_rows(rr->element[i]);
    if (!rows.empty()) messages[i].reactions = summarize_reactions(rows, viewer);
  }
}

std::vector<core::chat_message> redis_message_store::scan_messages(const std::string& room,
                                                                   std::uint64_t from, bool backwards,
                                                                   std::size_t want) {
  // The log holds events between the messages: read it in chunks, keeping messages, until
  // `want` are found or the log ends.
  std::vector<core::chat_message> out;
  const std::size_t chunk = std::max<std::size_t>(want * 2, 16);
  std::uint64_t edge = from;  // Exclusive.
  while (out.size() < want) {
    auto reply = backwards ? command({"ZREVRANGEBYSCORE", key("log", room), fmt::format("({}", edge), "-inf",
                                      "LIMIT", "0", std::to_string(chunk)})
                           : command({"ZRANGEBYSCORE", key("log", room), fmt::format("({}", edge), "+inf",
                                      "LIMIT", "0", std::to_string(chunk)});
    auto rows = entries(reply);
    const bool full = rows.size() == chunk;
    if (!rows.empty()) edge = rows.back().seq;
    for (auto& m : rows) {
      if (out.size() == want) break;
      if (m.kind == core::event_kind::message) out.push_back(std::move(m));
    }
    if (!full) break;
  }
  return out;
}

history_page redis_message_store::read_before(const std::string& room, std::optional<std::uint64_t> before,
                                              std::size_t limit, const std::string& viewer) {
  history_page page;
  if (limit == 0) return page;
  // One message more than asked tells whether older messages exist.
  page.messages = scan_messages(room, before.value_or(UINT64_MAX), true, limit + 1);
  if (page.messages.size() > limit) {
    page.more = true;
    page.messages.resize(limit);
  }
  std::reverse(page.messages.begin(), page.messages.end());
  add_quotes(room, page.messages);
  add_reactions(room, page.messages, viewer);
  return page;
}

std::vector<core::chat_message> redis_message_store::read_messages_after(const std::string& room,
                                                                         std::uint64_t after,
                                                                         std::size_t limit,
                                                                         const std::string& viewer) {
  if (limit == 0) return {};
  auto out = scan_messages(room, after, false, limit);
  add_quotes(room, out);
  add_reactions(room, out, viewer);
  return out;
}

std::optional<core::chat_message> redis_message_store::find(const std::string& room, std::uint64_t seq) {
  auto rows = entries(command({"ZRANGEBYSCORE", key("log", room), std::to_string(seq), std::to_string(seq)}));
  if (rows.empty()) return std::nullopt;
  add_quotes(room, rows);
  return rows.front();
}

std::vector<reaction_row> redis_message_store::reaction_rows(const void* hash) {
  // "<identity>\t<emoji>" -> "<react seq>\t<username>", in order of reacting.
  const auto* rr = static_cast<const redisReply*>(hash);
  std::vector<std::pair<std::uint64_t, reaction_row>> rows;
  for (std::size_t i = 0; rr->type == REDIS_REPLY_ARRAY && i + 1 < rr->elements; i += 2) {
    const std::string_view field(rr->element[i]->str, rr->element[i]->len);
    const std::string_view value(rr->element[i + 1]->str, rr->element[i + 1]->len);
    const auto f = field.find('\t');
    const auto v = value.find('\t');
    if (f == std::string_view::npos || v == std::string_view::npos) continue;
    std::uint64_t at = 0;
    std::from_chars(value.data(), value.data() + v, at);
    rows.emplace_back(at, reaction_row{std::string(field.substr(f + 1)), std::string(field.substr(0, f)),
                                       std::string(value.substr(v + 1))});
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<reaction_row> out;
  out.reserve(rows.size());
  for (auto& [at, row] : rows) out.push_back(std::move(row));
  return out;
}

std::vector<core::reaction_summary> redis_message_store::reactions(const std::string& room,
                                                                   std::uint64_t seq) {
  auto reply = command({"HGETALL", fmt::format("{}reactions:{}:{}", redis::key_prefix, room, seq)});
  return group_reactions(reaction_rows(reply.get()));
}

void redis_message_store::forget_conversation(const std::string& room,
                                              const std::vector<std::uint64_t>& seqs) {
  if (seqs.empty()) return;
  std::vector<std::string> del{"DEL"};
  std::vector<std::string> hdel{"HDEL", key("edits", room)};
  for (const auto seq : seqs) {
    del.push_back(fmt::format("{}reactions:{}:{}", redis::key_prefix, room, seq));
    hdel.push_back(std::to_string(seq));
  }
  command(del);
  command(hdel);
}

std::optional<std::uint64_t> redis_message_store::oldest_seq(const std::string& room) {
  auto reply = command({"ZRANGE", key("log", room), "0", "0", "WITHSCORES"});
  const auto* rr = as_reply(reply.get());
  if (rr->type != REDIS_REPLY_ARRAY || rr->elements < 2) return std::nullopt;
  return to_u64(rr->element[1]);
}

std::uint64_t redis_message_store::last_seq(const std::string& room) {
  auto reply = command({"GET", key("seq", room)});
  const auto* rr = as_reply(reply.get());
  return rr->type == REDIS_REPLY_NIL ? 0 : to_u64(rr);
}

std::string redis_message_store::room_epoch(const std::string& room) {
  const auto k = key("epoch", room);
  // NX: of two nodes asking first at once, one sets it and both read that one.
  command({"SET", k, make_room_epoch(), "NX"});
  auto reply = command({"GET", k});
  const auto* rr = as_reply(reply.get());
  if (rr->type != REDIS_REPLY_STRING) throw store_error("Redis gave no epoch for room " + room);
  return {rr->str, rr->len};
}

std::vector<room_info> redis_message_store::rooms() {
  auto reply = command({"HGETALL", std::string(redis::key_prefix) + "rooms"});
  const auto* rr = as_reply(reply.get());
  std::map<std::string, std::uint64_t> sorted;
  if (rr->type == REDIS_REPLY_ARRAY) {
    for (std::size_t i = 0; i + 1 < rr->elements; i += 2) {
      sorted[std::string(rr->element[i]->str, rr->element[i]->len)] = to_u64(rr->element[i + 1]);
    }
  }
  std::vector<room_info> out;
  out.reserve(sorted.size());
  for (auto& [room, seq] : sorted) out.push_back({room, seq});
  return out;
}

std::vector<file_use> redis_message_store::file_uses(const std::string& sha256) {
  auto reply = command({"EVAL", file_uses_script, "0", std::string(redis::key_prefix), sha256});
  const auto* rr = as_reply(reply.get());
  std::map<std::string, file_use> newest;
  if (rr->type == REDIS_REPLY_ARRAY) {
    for (std::size_t i = 0; i + 1 < rr->elements; i += 2) {
      std::string room(rr->element[i]->str, rr->element[i]->len);
      auto m = redis::decode_entry({rr->element[i + 1]->str, rr->element[i + 1]->len});
      if (!m || !m->file || m->file->sha256 != sha256) continue;
      auto& slot = newest[room];
      if (m->seq > slot.seq) slot = {room, m->seq, std::move(*m->file)};
    }
  }
  std::vector<file_use> out;
  out.reserve(newest.size());
  for (auto& [room, use] : newest) out.push_back(std::move(use));
  return out;
}

void redis_message_store::mark_file_gone(const std::string& sha256) {
  command({"EVAL", mark_file_gone_script, "0", std::string(redis::key_prefix), sha256});
}

std::size_t redis_message_store::prune(std::uint64_t keep_per_room, std::int64_t older_than_ms,
                                       std::int64_t id_cutoff_ms, std::size_t max_rows) {
  std::size_t removed = 0;
  for (const auto& r : rooms()) {
    if (removed >= max_rows) break;
    const auto log = key("log", r.room);
    if (keep_per_room > 0) {
      auto card = command({"ZCARD", log});
      const auto n = to_u64(as_reply(card.get()));
      if (n > keep_per_room) {
        const auto k = std::min<std::uint64_t>(n - keep_per_room, max_rows - removed);
        std::vector<std::uint64_t> gone;
        for (const auto& m : entries(command({"ZRANGE", log, "0", std::to_string(k - 1)})))
          gone.push_back(m.seq);
        forget_conversation(r.room, gone);
        command({"ZREMRANGEBYRANK", log, "0", std::to_string(k - 1)});
        removed += k;
      }
    }
    // Oldest first: remove the leading run of messages older than the cutoff.
    while (older_than_ms > 0 && removed < max_rows) {
      const auto want = std::min<std::size_t>(500, max_rows - removed);
      auto head = entries(command({"ZRANGE", log, "0", std::to_string(want - 1)}));
      std::size_t old = 0;
      std::vector<std::uint64_t> gone;
      while (old < head.size() && head[old].ts < older_than_ms) gone.push_back(head[old++].seq);
      forget_conversation(r.room, gone);
      if (old > 0) command({"ZREMRANGEBYRANK", log, "0", std::to_string(old - 1)});
      removed += old;
      if (old < want) break;
    }
    // Ids accepted before the cutoff are forgotten (the contract keeps them >= id_memory).
    while (removed < max_rows) {
      const auto want = std::min<std::size_t>(500, max_rows - removed);
      const auto idts = key("idts", r.room);
      auto old = command({"ZRANGEBYSCORE", idts, "-inf", fmt::format("({}", id_cutoff_ms), "LIMIT", "0",
                          std::to_string(want)});
      const auto* rr = as_reply(old.get());
      if (rr->type != REDIS_REPLY_ARRAY || rr->elements == 0) break;
      std::vector<std::string> hdel{"HDEL", key("ids", r.room)};
      std::vector<std::string> zrem{"ZREM", idts};
      for (std::size_t i = 0; i < rr->elements; ++i) {
        hdel.emplace_back(rr->element[i]->str, rr->element[i]->len);
        zrem.emplace_back(rr->element[i]->str, rr->element[i]->len);
      }
      command(hdel);
      command(zrem);
      removed += rr->elements;
      if (rr->elements < want) break;
    }
  }
  return removed;
}

// --- identity_directory ---------------------------------------------------------------------

namespace {
std::string reply_text(const redisReply* r) {
  return r && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : std::string();
}
}  // namespace

name_claim redis_message_store::claim_name(const std::string& identity, const std::string& name) {
  auto reply = command(
      {"EVAL", claim_script, "0", std::string(redis::key_prefix), identity, name, core::fold_name(name)});
  const auto* rr = as_reply(reply.get());
  if (rr->type != REDIS_REPLY_ARRAY || rr->elements != 3)
    throw store_error("redis: unexpected answer to the name script");
  name_claim out;
  out.granted = to_u64(rr->element[0]) != 0;
  out.owner = reply_text(rr->element[1]);
  out.previous = reply_text(rr->element[2]);
  return out;
}

std::string redis_message_store::release_name(const std::string& identity) {
  auto reply = command({"EVAL", release_script, "0", std::string(redis::key_prefix), identity});
  return reply_text(as_reply(reply.get()));
}

std::string redis_message_store::name_owner(const std::string& name) {
  auto reply = command({"HGET", std::string(redis::key_prefix) + "name_owners", core::fold_name(name)});
  return reply_text(as_reply(reply.get()));
}

std::unordered_map<std::string, std::string> redis_message_store::names_of(
    const std::vector<std::string>& identities) {
  std::unordered_map<std::string, std::string> out;
  if (identities.empty()) return out;
  std::vector<std::string> argv{"HMGET", std::string(redis::key_prefix) + "names"};
  argv.insert(argv.end(), identities.begin(), identities.end());
  auto reply = command(argv);
  const auto* rr = as_reply(reply.get());
  if (rr->type != REDIS_REPLY_ARRAY || rr->elements != identities.size())
    throw store_error("redis: unexpected answer to HMGET names");
  for (std::size_t i = 0; i < identities.size(); ++i) {
    if (rr->element[i]->type == REDIS_REPLY_STRING) out.emplace(identities[i], reply_text(rr->element[i]));
  }
  return out;
}

// --- identity_directory: follows (a set per identity), private rooms (a hash room -> secret)
// and their members (a set per room) ---------------------------------------------------------

namespace {
std::string prefixed(std::string_view kind) { return std::string(redis::key_prefix) + std::string(kind); }

std::vector<std::string> reply_strings(const redisReply* r) {
  std::vector<std::string> out;
  if (r->type != REDIS_REPLY_ARRAY) throw store_error("redis: expected a list");
  for (std::size_t i = 0; i < r->elements; ++i) out.push_back(reply_text(r->element[i]));
  return out;
}
}  // namespace

void redis_message_store::set_following(const std::string& identity, const std::string& room,
                                        bool following) {
  command({following ? "SADD" : "SREM", key("follows", identity), room});
}

std::vector<std::string> redis_message_store::followed(const std::string& identity) {
  auto reply = command({"SMEMBERS", key("follows", identity)});
  auto out = reply_strings(as_reply(reply.get()));
  std::sort(out.begin(), out.end());
  return out;
}

bool redis_message_store::create_private_room(const std::string& room, const std::string& creator,
                                              const std::string& secret) {
  // HSETNX decides between two nodes creating the same room at once: one wins, alone a member.
  auto made = command({"HSETNX", prefixed("private"), room, secret});
  if (to_u64(as_reply(made.get())) == 0) return false;
  command({"SADD", key("members", room), creator});
  return true;
}

void redis_message_store::add_member(const std::string& room, const std::string& identity) {
  if (room_secret(room).empty()) return;
  command({"SADD", key("members", room), identity});
}

room_access redis_message_store::access(const std::string& room, const std::string& identity) {
  if (room_secret(room).empty()) return {};
  auto member = command({"SISMEMBER", key("members", room), identity});
  return {true, to_u64(as_reply(member.get())) != 0};
}

std::string redis_message_store::room_secret(const std::string& room) {
  auto reply = command({"HGET", prefixed("private"), room});
  return reply_text(as_reply(reply.get()));
}

std::vector<std::string> redis_message_store::hidden_rooms(const std::string& identity) {
  auto reply = command({"HKEYS", prefixed("private")});
  std::vector<std::string> out;
  for (auto& room : reply_strings(as_reply(reply.get()))) {
    auto member = command({"SISMEMBER", key("members", room), identity});
    if (to_u64(as_reply(member.get())) == 0) out.push_back(std::move(room));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// --- identity_directory: read positions (a hash per room: identity -> seq) -------------------

bool redis_message_store::raise_read(const std::string& identity, const std::string& room,
                                     std::uint64_t seq) {
  auto reply = command(
      {"EVAL", raise_read_script, "0", std::string(redis::key_prefix), room, identity, std::to_string(seq)});
  return to_u64(as_reply(reply.get())) != 0;
}

std::uint64_t redis_message_store::read_position(const std::string& identity, const std::string& room) {
  auto reply = command({"HGET", key("reads", room), identity});
  return to_u64(as_reply(reply.get()));
}

std::vector<std::pair<std::string, std::uint64_t>> redis_message_store::readers(const std::string& room) {
  auto reply = command({"HGETALL", key("reads", room)});
  const auto* rr = as_reply(reply.get());
  if (rr->type != REDIS_REPLY_ARRAY) throw store_error("redis: unexpected answer to HGETALL reads");
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (std::size_t i = 0; i + 1 < rr->elements; i += 2)
    out.emplace_back(reply_text(rr->element[i]), to_u64(rr->element[i + 1]));
  std::sort(out.begin(), out.end());
  return out;
}

// --- identity_directory: link codes (a key each, expiring on its own) and linked devices (a
// hash device -> identity) -------------------------------------------------------------------

void redis_message_store::put_link_code(const std::string& code, const std::string& identity,
                                        std::int64_t expires_ms) {
  // The key carries the code's deadline too: Redis drops it at PXAT, and take_link_code checks
  // it against the caller's clock as the other stores do.
  command({"SET", key("link_code", code), identity + " " + std::to_string(expires_ms), "PXAT",
           std::to_string(expires_ms)});
}

std::string redis_message_store::take_link_code(const std::string& code, std::int64_t now_ms) {
  // GETDEL: one atomic step, so two nodes (or two devices) never both spend one code.
  auto reply = command({"GETDEL", key("link_code", code)});
  const auto value = reply_text(as_reply(reply.get()));
  const auto space = value.rfind(' ');
  if (space == std::string::npos) return {};
  std::int64_t expires = 0;
  try {
    expires = std::stoll(value.substr(space + 1));
  } catch (const std::exception&) {
    return {};
  }
  return expires > now_ms ? value.substr(0, space) : std::string();
}

void redis_message_store::link_device(const std::string& device, const std::string& identity) {
  command({"HSET", prefixed("device_links"), device, identity});
}

std::string redis_message_store::identity_of_device(const std::string& device) {
  auto reply = command({"HGET", prefixed("device_links"), device});
  auto linked = reply_text(as_reply(reply.get()));
  return linked.empty() ? device : linked;
}

}  // namespace message::store
