// Changes to messages (docs/protocol.md, "Conversation"): the `edit`, `delete` and `react`
// events of the room's seq stream applied to the messages this page holds, and the state a
// message carries (latest text, edited, deleted, reply, mentions, reactions).
// Reactions are kept per emoji as {emoji, count, users, mine}: `users` are the identities this
// page knows reacted (history names the first 3, live events and a `reactions` answer add the
// rest), `count` the server's count. A reaction is a set per identity and emoji, so applying an
// event twice (a replay after a reload) changes nothing.

/** The conversation fields of a server `message` frame, checked; the rest is timeline.js's. */
export function conversationFields(m) {
  const out = {};
  if (Number.isInteger(m.reply_to) && m.reply_to > 0) out.reply_to = m.reply_to;
  if (m.reply && typeof m.reply === 'object' && Number.isInteger(m.reply.seq)) {
    out.reply = {
      seq: m.reply.seq,
      username: typeof m.reply.username === 'string' ? m.reply.username : '',
      identity: typeof m.reply.identity === 'string' ? m.reply.identity : '',
      message: typeof m.reply.message === 'string' ? m.reply.message : '',
      deleted: m.reply.deleted === true,
    };
  }
  if (Array.isArray(m.mentions)) out.mentions = m.mentions.filter((x) => typeof x === 'string');
  if (Number.isFinite(m.edited)) out.edited = m.edited;
  if (m.deleted === true) {
    out.deleted = true;
    out.message = '';
    delete out.mentions;
  }
  if (Array.isArray(m.reactions)) out.reactions = m.reactions.map(reactionOf).filter(Boolean);
  return out;
}

function userOf(u) {
  return u && typeof u.identity === 'string' ? { identity: u.identity, username: typeof u.username === 'string' ? u.username : '' } : null;
}

function reactionOf(r) {
  if (!r || typeof r.emoji !== 'string' || !r.emoji) return null;
  const users = Array.isArray(r.users) ? r.users.map(userOf).filter(Boolean) : [];
  const count = Number.isInteger(r.count) ? r.count : users.length;
  return count > 0 ? { emoji: r.emoji, count: Math.max(count, users.length), users, mine: r.mine === true } : null;
}

/** Applies an `edit` event to its target. Returns true when something changed. */
export function applyEdit(m, f) {
  if (m.deleted || typeof f.message !== 'string') return false;
  m.message = f.message;
  if (Number.isFinite(f.ts)) m.edited = f.ts;
  if (Array.isArray(f.mentions)) m.mentions = f.mentions.filter((x) => typeof x === 'string');
  else delete m.mentions; // matched by @name in the new text, as for older clients
  return true;
}

/** Applies a `delete` event: the message becomes a tombstone. */
export function applyDelete(m) {
  if (m.deleted) return false;
  m.deleted = true;
  m.message = '';
  delete m.mentions;
  delete m.file; // the blob goes when no message shares it
  m.reactions = [];
  return true;
}

/** Applies a `react` event (set semantics per identity and emoji). */
export function applyReact(m, f, myIdentity) {
  if (m.deleted || typeof f.emoji !== 'string' || typeof f.identity !== 'string') return false;
  const reactions = m.reactions || (m.reactions = []);
  let r = reactions.find((x) => x.emoji === f.emoji);
  const isMe = f.identity === myIdentity;
  if (f.remove === true) {
    if (!r) return false;
    const at = r.users.findIndex((u) => u.identity === f.identity);
    if (at >= 0) r.users.splice(at, 1);
    else if (!(isMe && r.mine) && r.count <= r.users.length) return false; // had none: nothing to take back
    r.count -= 1;
    if (isMe) r.mine = false;
    if (r.count <= 0) reactions.splice(reactions.indexOf(r), 1);
    return true;
  }
  if (!r) {
    r = { emoji: f.emoji, count: 0, users: [], mine: false };
    reactions.push(r);
  }
  if (r.users.some((u) => u.identity === f.identity) || (isMe && r.mine)) return false;
  r.users.push({ identity: f.identity, username: typeof f.username === 'string' ? f.username : '' });
  r.count += 1;
  if (isMe) r.mine = true;
  return true;
}

/** A `reactions` answer: everyone who reacted, per emoji. */
export function applyReactionList(m, f, myIdentity) {
  if (!Array.isArray(f.reactions)) return false;
  m.reactions = f.reactions.map((r) => {
    const full = reactionOf({ ...r, count: undefined });
    if (full) full.mine = full.users.some((u) => u.identity === myIdentity);
    return full;
  }).filter(Boolean);
  return true;
}

/**
 * True when message `m` mentions me: its `mentions` names my identity, or, for a message without
 * `mentions` (older clients, the terminal client), its text holds @myname as a whole word
 * (docs/protocol.md, "Room activity").
 */
export function mentionsMe(m, myIdentity, myName) {
  if (m.deleted) return false;
  if (Array.isArray(m.mentions)) return Boolean(myIdentity) && m.mentions.includes(myIdentity);
  return Boolean(myName) && textMentions(m.message, myName);
}

const NAME_CHAR = /[A-Za-z0-9_-]|[^\p{ASCII}]/u;

/** `@name` as a whole word in `text`, ignoring ASCII case. */
export function textMentions(text, name) {
  const asciiLower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase()); // same length, unlike toLowerCase
  const lower = asciiLower(text);
  const wanted = `@${asciiLower(name)}`;
  for (let i = lower.indexOf(wanted); i !== -1; i = lower.indexOf(wanted, i + 1)) {
    const before = i === 0 ? '' : text[i - 1];
    const after = text[i + wanted.length] || '';
    if ((!before || !NAME_CHAR.test(before)) && (!after || !NAME_CHAR.test(after))) return true;
  }
  return false;
}
