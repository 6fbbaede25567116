// The page's state and its changes, in one place: who this browser is, the room on screen and
// its timeline, what is known of the other rooms, and the history request in flight. Views read
// it and draw; the frame handlers and the controls change it only through these methods. The
// page is single-threaded: nothing here needs a lock.

import { isValidRoom } from './rooms.js';
import { Timeline } from './timeline.js';

const DEFAULT_LIMITS = { max_message_chars: 4000, max_username_chars: 32 };
const KNOWN_ROOMS_KEEP = 50; // rooms remembered for the list; older visits fall off

export class AppState {
  /**
   * @param {typeof import('./storage.js')} store  where state is kept between visits
   * @param {string} room  the room to show first
   */
  constructor(store, room) {
    this.store = store;
    this.device = store.deviceId();
    this.identityToken = store.identityToken();
    this.identity = store.loadIdentityId();
    // Keyed by room name, and "__proto__" or "constructor" are valid room names: no prototype.
    this.readMarks = Object.assign(Object.create(null), store.loadReadMarks());
    this.roomSeqs = Object.create(null); // room -> latest seq we know of
    this.knownRooms = store.loadKnownRooms();
    this.limits = { ...DEFAULT_LIMITS };
    this.enterRoom(room);
  }

  /** Frames tag a sender with the first 6 characters of its identity id (of its device id before
   * the server announced an identity). */
  get tag() {
    return this.identity ? this.identity.slice(0, 6) : this.device.slice(0, 6);
  }

  /** Takes the room on screen: its cached messages, and nothing of the last room's. */
  enterRoom(room) {
    this.room = room;
    this.timeline = new Timeline(room, this.store.loadHistory(room));
    this.historyInFlight = false;
    this.historyAsk = null; // the `history` request in flight: {before}, {around} or {after}
    this.pendingJump = 0; // the seq to show once the history around it has come
    // "New messages" goes before the first message after this seq (null: nowhere): the identity's
    // read position when it came to the room (welcome), or when it left the page and came back.
    this.dividerAt = null;
    this.seenReaders = new Map(); // identity -> the seq it has read this room up to (`seen`)
    this.rememberRoom(room);
  }

  /** A new connection: no request of the last one is answered any more. */
  connectionOpened() {
    this.historyInFlight = false;
    this.historyAsk = null;
    this.pendingJump = 0;
  }

  /** The server's history of the room is not the cached one: start over from the server. */
  dropTimeline() {
    this.store.dropHistory(this.room);
    this.timeline = new Timeline(this.room, []);
  }

  saveHistory() {
    this.store.saveHistory(this.room, this.timeline.savable());
  }

  /** Returns true when the identity changed. */
  setIdentity(id) {
    if (typeof id !== 'string' || id === this.identity) return false;
    this.identity = id;
    this.store.saveIdentityId(id);
    return true;
  }

  newIdentityToken() {
    this.identityToken = this.store.newIdentityToken();
  }

  takeLimits(limits) {
    if (limits && typeof limits === 'object') this.limits = { ...this.limits, ...limits };
  }

  noteSeq(room, seq) {
    if (!isValidRoom(room) || !Number.isInteger(seq)) return;
    if (!(room in this.roomSeqs) || seq > this.roomSeqs[room]) this.roomSeqs[room] = seq;
  }

  /** Moves this browser's read mark of `room` up to `seq`; returns true when it moved. */
  readUpTo(room, seq, { onlyUp = true } = {}) {
    const now = this.readMarks[room] || 0;
    if (onlyUp ? now >= seq : now === seq) return false;
    this.readMarks[room] = seq;
    this.store.saveReadMarks(this.readMarks);
    return true;
  }

  rememberRoom(room) {
    if (this.knownRooms.includes(room)) return;
    this.knownRooms = [...this.knownRooms, room].slice(-KNOWN_ROOMS_KEEP);
    this.store.saveKnownRooms(this.knownRooms);
  }

  forgetRoom(room) {
    this.knownRooms = this.knownRooms.filter((r) => r !== room);
    this.store.saveKnownRooms(this.knownRooms);
  }

  isOwn(m) {
    return m.identity ? m.identity === this.identity : Boolean(m.device) && m.device === this.tag;
  }

  /** Who read this room's message `m` (identities other than ours), for "seen by". */
  readersOf(m) {
    const out = [];
    if (!m.seq) return out;
    for (const [identity, seq] of this.seenReaders) if (identity !== this.identity && seq >= m.seq) out.push(identity);
    return out;
  }
}
