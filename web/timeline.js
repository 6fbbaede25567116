// The messages of one room that this page holds: de-duplicated by seq, kept in seq order.

export class Timeline {
  constructor(room, cached) {
    this.room = room;
    this.list = []; // oldest first
    this.bySeq = new Map();
    this.more = true; // older messages may exist on the server
    this.gaps = []; // {from, to}: seqs the server said it can no longer deliver (a `gap` frame)
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
      if (old && !old.provisional && !m.provisional && m.identity && old.username !== m.username) {
        old.username = m.username; // history shows a renamed identity under its current name
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

  findById(id) {
    return this.list.find((m) => m.id === id);
  }
}

function normalize(m) {
  if (!m || !Number.isInteger(m.seq) || m.seq < 1) return null;
  return {
    seq: m.seq,
    id: typeof m.id === 'string' ? m.id : `seq-${m.seq}`,
    username: typeof m.username === 'string' ? m.username : '',
    message: typeof m.message === 'string' ? m.message : '',
    ts: Number.isFinite(m.ts) ? m.ts : Date.now(),
    device: typeof m.device === 'string' ? m.device : '',
    identity: typeof m.identity === 'string' ? m.identity : '',
    provisional: m.provisional === true,
  };
}
