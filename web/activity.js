// Read state and room activity from the server (docs/protocol.md, "Read state", "Room
// activity"): per followed room its last seq, unread count and mentions, as the server counts
// them for this identity on every device; and the `read` frames this page sends for the room on
// screen, each higher than the last it sent.

export class RoomActivity {
  constructor() {
    // Keyed by room name, and "__proto__" is a valid room name: no prototype.
    this.rooms = Object.create(null);
    this.sent = Object.create(null); // room -> highest seq this page sent in a `read`
  }

  /** A room_activity frame. */
  update(f) {
    if (!Number.isInteger(f.seq) || !Number.isInteger(f.unread)) return false;
    this.rooms[f.room] = { seq: f.seq, unread: f.unread, mentions: Number.isInteger(f.mentions) ? f.mentions : 0 };
    return true;
  }

  has(room) {
    return room in this.rooms;
  }

  /**
   * Unread messages of `room`: the server's count, but never more than what lies after
   * `localRead`, the position this page knows (it may have read before the server answered).
   */
  unreadOf(room, localRead = 0) {
    const a = this.rooms[room];
    if (!a) return 0;
    return Math.max(0, Math.min(a.unread, a.seq - localRead));
  }

  mentionsOf(room) {
    return this.rooms[room]?.mentions || 0;
  }

  /** Total unread over every room the server told of (for the title); null when it told none. */
  total(readMarks) {
    const rooms = Object.keys(this.rooms);
    if (rooms.length === 0) return null;
    return rooms.reduce((sum, r) => sum + this.unreadOf(r, readMarks[r] || 0), 0);
  }

  /** The `read` frame to send for `room` at `seq`, or null when one as high went already. */
  readFrame(room, seq) {
    if (!Number.isInteger(seq) || seq <= 0 || (this.sent[room] || 0) >= seq) return null;
    return { type: 'read', room, seq };
  }

  sentRead(room, seq) {
    this.sent[room] = Math.max(this.sent[room] || 0, seq);
  }
}
