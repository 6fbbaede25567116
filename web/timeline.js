// The messages of one room that this page holds: de-duplicated by seq, kept in seq order, with
// the changes of the room's seq stream (edit, delete, react: conversation.js) applied to them.
// Held messages run without a break from the oldest to the newest, except across `holes`: a
// jump to an old message (a reply's original) loads the history around it, and what lies
// between that and the newer messages is loaded on request.

import { applyDelete, applyEdit, applyReact, applyReactionList, conversationFields } from './conversation.js';
import { fileOf } from './file_kind.js';

export class Timeline {
  constructor(room, cached) {
    this.room = room;
    this.list = []; // oldest first
    this.bySeq = new Map();
    this.more = true; // older messages may exist on the server
    this.gaps = []; // {from, to}: seqs the server said it can no longer deliver (a `gap` frame)
    this.holes = []; // {after, before}: messages between these seqs may exist and are not loaded
    this.lastEventSeq = 0; // the highest seq of a change event applied (events take seqs too)
    this.add(cached);
    this.loaded = this.list.length > 0; // something to show, from the cache or the server
  }

  get maxSeq() {
    return this.list.length ? this.list[this.list.length - 1].seq : 0;
  }

  get minSeq() {
    return this.list.length ? this.list[0].seq : 0;
  }

  /** Older messages can be asked for: seq starts at 1, so nothing is older than seq 1. */
  get hasOlder() {
    return this.more && this.minSeq > 1;
  }

  /** The highest seq this page has seen of the room's stream, messages and events: resume after it. */
  get lastSeq() {
    return Math.max(this.maxSeq, this.lastEventSeq);
  }

  get(seq) {
    return this.bySeq.get(seq);
  }

  has(seq) {
    return this.bySeq.has(seq);
  }

  /**
   * Adds messages (any order, duplicates allowed). A provisional entry (made from our own ack
   * before the server's copy arrived) is replaced by the real one. Returns the ones that are new.
   */
  add(messages) {
    const added = [];
    let unordered = false;
    for (const raw of messages) {
      const m = normalize(raw);
      if (!m) continue;
      const old = this.bySeq.get(m.seq);
      if (old && !old.provisional && !m.provisional) {
        // The server's copy is its current state (history is folded: a renamed identity's
        // current name, the latest text, reactions).
        if (m.identity && old.username !== m.username) old.username = m.username;
        for (const key of CONVERSATION_KEYS) if (key in m) old[key] = m[key];
        continue;
      }
      if (old && !(old.provisional && !m.provisional)) continue;
      if (old) {
        Object.assign(old, m, { provisional: false });
        continue;
      }
      if (this.list.length && m.seq < this.maxSeq) unordered = true;
      this.list.push(m);
      this.bySeq.set(m.seq, m);
      added.push(m);
    }
    if (unordered) this.list.sort((a, b) => a.seq - b.seq);
    return added;
  }

  /** An identity took a new name: its messages show under it. Returns true when any changed. */
  relabel(identity, username) {
    let changed = false;
    for (const m of this.list) {
      if (m.identity === identity && m.username !== username) {
        m.username = username;
        changed = true;
      }
    }
    return changed;
  }

  /** The server can no longer deliver seqs from..to. Returns true when the gap is new. */
  addGap(from, to) {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < from) return false;
    if (this.gaps.some((g) => g.from === from && g.to === to)) return false;
    this.gaps.push({ from, to });
    this.gaps.sort((a, b) => a.from - b.from);
    return true;
  }

  /** An `edit`, `delete` or `react` event (`me`: my identity). Returns the message it changed, or null. */
  applyEvent(f, me) {
    if (Number.isInteger(f.seq)) this.lastEventSeq = Math.max(this.lastEventSeq, f.seq);
    const m = this.bySeq.get(f.target);
    if (!m || m.provisional) return null; // a target this page does not hold: nothing to show
    const changed = f.type === 'edit' ? applyEdit(m, f)
      : f.type === 'delete' ? applyDelete(m)
        : f.type === 'react' ? applyReact(m, f, me) : false;
    return changed ? m : null;
  }

  /** A `reactions` answer (everyone who reacted). Returns the message, or null. */
  applyReactions(f, me) {
    const m = this.bySeq.get(f.target);
    return m && applyReactionList(m, f, me) ? m : null;
  }

  /**
   * Notes a `history` answer around or after a seq that held seqs `lo`..`hi` (a run without a
   * break; for `after: S`, `lo` is S), given `oldMin`, the oldest seq held before it came: the
   * holes it fills shrink or close, and a run below the held messages leaves a hole above it.
   */
  noteWindow(lo, hi, moreAfter, oldMin) {
    const next = [];
    for (const h of this.holes) {
      if (hi <= h.after || lo >= h.before) next.push(h); // apart
      else if (lo <= h.after && (hi >= h.before || !moreAfter)) continue; // filled
      else if (lo <= h.after) next.push({ after: hi, before: h.before });
      else if (hi >= h.before) next.push({ after: h.after, before: lo });
      else next.push({ after: h.after, before: lo }, { after: hi, before: h.before });
    }
    if (moreAfter && oldMin > 0 && hi < oldMin) next.push({ after: hi, before: oldMin });
    this.holes = next.filter((h) => h.after < h.before).sort((a, b) => a.after - b.after);
  }

  /** The messages worth caching: the newest run, without a hole in it. */
  savable() {
    const lastHole = this.holes[this.holes.length - 1];
    return this.list.filter((m) => !m.provisional && (!lastHole || m.seq >= lastHole.before));
  }

  findById(id) {
    return this.list.find((m) => m.id === id);
  }
}

const CONVERSATION_KEYS = ['message', 'file', 'reply_to', 'reply', 'mentions', 'edited', 'deleted', 'reactions'];

function normalize(m) {
  if (!m || !Number.isInteger(m.seq) || m.seq < 1) return null;
  const folded = conversationFields(m);
  const file = folded.deleted ? null : fileOf(m.file);
  return {
    seq: m.seq,
    id: typeof m.id === 'string' ? m.id : `seq-${m.seq}`,
    username: typeof m.username === 'string' ? m.username : '',
    message: typeof m.message === 'string' ? m.message : '',
    ts: Number.isFinite(m.ts) ? m.ts : Date.now(),
    device: typeof m.device === 'string' ? m.device : '',
    identity: typeof m.identity === 'string' ? m.identity : '',
    provisional: m.provisional === true,
    ...(file ? { file } : {}),
    ...folded,
  };
}
