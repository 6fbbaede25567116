// What the page asks of the server: pages of history (older, around a message, after a hole),
// the room list, the pending outbox, and `read` for what is on screen.

import { Outbox } from './outbox.js';

const HISTORY_PAGE = 50;
const ROOMS_REFRESH_MS = 30_000;
const ROOMS_AT_MOST_EVERY_MS = 2_000;
const RETRY_REJECTED_MS = 3_000; // store_failed / rate_limited: resend after this (plus jitter)

/** @param {object} page  the page's parts (app.js) */
export function createSync(page) {
  let lastRoomsAsked = 0;
  let roomsTimer = 0;
  let retryTimer = 0;

  const sync = {
    /** Asks for a page of history: the newest, or `{before}`, `{around}` or `{after}` a seq. */
    askHistory(where) {
      const { state } = page;
      if (state.historyInFlight) return false;
      const ask = typeof where === 'number' ? { before: where } : where || {};
      const frame = { type: 'history', limit: HISTORY_PAGE, ...ask };
      if (page.conn.send(frame)) {
        state.historyInFlight = true;
        state.historyAsk = ask;
      }
      page.view.drawHistoryNote();
      return state.historyInFlight;
    },

    loadOlder() {
      const { timeline } = page.state;
      if (timeline.hasOlder && timeline.list.length > 0) sync.askHistory(timeline.minSeq);
    },

    /** After a page of history, keep asking while the messages do not fill the box. */
    fillScreen() {
      if (page.scroller.underfilled()) sync.loadOlder();
    },

    /** Shows message `seq` (a reply's original), loading the history around it when it is not here. */
    jumpTo(seq) {
      const { state } = page;
      if (state.timeline.has(seq)) {
        page.view.showMessage(seq);
        return;
      }
      state.pendingJump = seq;
      if (state.historyInFlight) return; // asked when the answer on its way comes
      if (!sync.askHistory({ around: seq })) {
        state.pendingJump = 0;
        page.view.showNotice('Not connected: the message can be shown once the connection is open.');
      }
    },

    askRooms() {
      lastRoomsAsked = Date.now();
      page.conn.send({ type: 'rooms' });
      clearTimeout(roomsTimer);
      roomsTimer = setTimeout(sync.askRooms, ROOMS_REFRESH_MS);
    },

    /** Messages are arriving: refresh the room list, at most every 2 s. */
    askRoomsSoon() {
      const wait = Math.max(0, lastRoomsAsked + ROOMS_AT_MOST_EVERY_MS - Date.now());
      clearTimeout(roomsTimer);
      roomsTimer = setTimeout(sync.askRooms, wait);
    },

    flushOutbox() {
      for (const entry of page.outbox.pending()) if (!page.conn.send(Outbox.frame(entry))) break;
    },

    scheduleRetry() {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(sync.flushOutbox, RETRY_REJECTED_MS + Math.random() * RETRY_REJECTED_MS);
    },

    /** The reader has seen everything up to the newest message when at the bottom of a visible page. */
    markRead() {
      const { state } = page;
      if (document.visibilityState !== 'visible' || !page.scroller.isAtBottom()) return;
      const seq = Math.max(state.timeline.maxSeq, state.roomSeqs[state.room] || 0);
      state.readUpTo(state.room, seq, { onlyUp: false });
      // The server's read position (every device's badges) moves only for what is on screen, in a
      // page that has the focus: a page left open in a background window reads nothing.
      const frame = document.hasFocus() ? page.activity.readFrame(state.room, state.timeline.maxSeq) : null;
      if (frame && page.conn.send(frame)) page.activity.sentRead(state.room, frame.seq);
      page.view.drawRooms();
    },
  };
  return sync;
}
