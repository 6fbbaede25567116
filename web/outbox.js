// Messages typed here that the server has not acknowledged yet. Kept in localStorage so they
// survive a reload; resent with the same id (the server deduplicates) until an `ack` arrives.
//
// An entry: { id, room, username, message, ts, state: 'pending' | 'failed', error? }

import { loadOutbox, saveOutbox } from './storage.js';

// Errors after which the same message may succeed later: keep it pending and retry.
const RETRYABLE = new Set(['store_failed', 'rate_limited']);

export class Outbox {
  constructor() {
    this.entries = loadOutbox().map((e) => ({ ...e, state: e.state === 'failed' ? 'failed' : 'pending' }));
    this.removed = new Set(); // ids this tab took out, so a merge does not bring them back
  }

  // Another tab of this browser shares the stored outbox: keep the entries it added when saving,
  // so one tab's save does not drop the other's. Memory stays authoritative if storage fails.
  save() {
    const mine = new Set(this.entries.map((e) => e.id));
    const theirs = loadOutbox().filter((e) => !mine.has(e.id) && !this.removed.has(e.id));
    this.entries = [...this.entries, ...theirs].sort((a, b) => a.ts - b.ts);
    saveOutbox(this.entries);
  }

  get(id) {
    return this.entries.find((e) => e.id === id);
  }

  forRoom(room) {
    return this.entries.filter((e) => e.room === room);
  }

  pending() {
    return this.entries.filter((e) => e.state === 'pending');
  }

  add(entry) {
    this.entries.push({ ...entry, state: 'pending' });
    this.save();
  }

  /** The server stored it (ack or its own message came back): it leaves the outbox. */
  remove(id) {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.id !== id);
    this.removed.add(id);
    const found = this.entries.length !== before;
    if (found) this.save();
    return found;
  }

  /**
   * The server rejected it. Returns 'retry' when it stays pending for a later resend,
   * 'failed' when it will not be sent again unless the user asks, or null if unknown.
   */
  reject(id, code, text) {
    const entry = this.get(id);
    if (!entry) return null;
    if (RETRYABLE.has(code)) return 'retry';
    entry.state = 'failed';
    entry.error = text || code;
    this.save();
    return 'failed';
  }

  /** The user asked to try a failed one again. */
  retry(id) {
    const entry = this.get(id);
    if (!entry) return;
    entry.state = 'pending';
    delete entry.error;
    this.save();
  }

  /** The frame to send for an entry (same id every time). */
  static frame(entry) {
    const frame = { type: 'send', id: entry.id, room: entry.room, username: entry.username, message: entry.message };
    if (entry.reply_to) frame.reply_to = entry.reply_to;
    if (entry.mentions?.length) frame.mentions = entry.mentions;
    return frame;
  }
}
