// Drawing the page from its state (state.js): the message list, the history note, the room list
// and its badges, the connection status, notices and screen-reader announcements. Nothing here
// changes the state but what is drawn.

import { buildItems, renderItems } from './render.js';
import { DEFAULT_ROOM, renderRoomList } from './rooms.js';

const NOTICE_SHOWN_MS = 8_000;
const FLASH_MS = 2_500;
const STATUS_WORDS = {
  open: 'Connected', connecting: 'Connecting…', closed: 'Closed', offline: 'Offline', refused: 'Access key refused',
};

/** @param {object} page  the page's parts (app.js): ui, state, outbox, scroller, activity, ... */
export function createView(page) {
  const { ui } = page;
  let noticeTimer = 0;
  let saveTimer = 0;

  const view = {
    render({ unseen = 0, bottom = false } = {}) {
      const { state } = page;
      const snap = page.scroller.snapshot();
      const items = buildItems(state.timeline.list, page.outbox.forRoom(state.room), state.tag, state.timeline.gaps,
        { divider: state.dividerAt, holes: state.timeline.holes, isOwn: (m) => state.isOwn(m), tagged: page.presence.sharedNames() });
      renderItems(ui.list, items, page.actions);
      page.scroller.restore(snap, bottom);
      if (unseen > 0 && !snap.bottom && !bottom) page.scroller.addUnseen(unseen);
      view.drawHistoryNote();
      page.sync.markRead();
      view.saveSoon();
    },

    drawHistoryNote() {
      const { timeline, historyInFlight, room } = page.state;
      ui.loadOlder.hidden = !(timeline.hasOlder && timeline.list.length > 0) || historyInFlight;
      if (historyInFlight) ui.historyText.textContent = 'Loading messages…';
      else if (timeline.list.length > 0 && !timeline.hasOlder) ui.historyText.textContent = `This is the beginning of #${room}.`;
      else if (timeline.list.length === 0 && page.outbox.forRoom(room).length === 0 && timeline.loaded) ui.historyText.textContent = `No messages in #${room} yet.`;
      else ui.historyText.textContent = '';
    },

    drawRooms() {
      const { state } = page;
      const rooms = new Set([DEFAULT_ROOM, ...state.knownRooms, ...Object.keys(state.roomSeqs), state.room]);
      const sorted = [...rooms].sort((a, b) => (a === DEFAULT_ROOM ? -1 : b === DEFAULT_ROOM ? 1 : a.localeCompare(b)));
      const unread = renderRoomList(ui.roomList, { rooms: sorted, seqs: state.roomSeqs, read: state.readMarks, current: state.room, activity: page.activity, notify: page.roomNotify });
      ui.roomsBadge.hidden = unread === 0;
      ui.roomsBadge.textContent = unread > 99 ? '99+' : String(unread);
      page.notifier.setTotal(page.activity.total(state.readMarks));
    },

    showStatus(status, detail) {
      ui.status.textContent = status === 'connecting' && page.conn.outageSince ? 'Reconnecting…' : STATUS_WORDS[status] || status;
      ui.status.dataset.state = status;
      ui.statusDetail.textContent = status === 'refused' ? '' : detail; // the key form says why
      ui.toggle.textContent = page.conn.wanted ? 'Close' : 'Open';
      ui.app.dataset.connection = status;
      // While it waits to try again (or for the network), the person may ask for a try now.
      ui.reconnect.hidden = !(status === 'connecting' && detail) && status !== 'offline';
      if (status !== 'open') page.presence.clear(); // we no longer know who is there
    },

    showNotice(text) {
      ui.notice.textContent = text;
      ui.notice.hidden = false;
      clearTimeout(noticeTimer);
      noticeTimer = setTimeout(() => { ui.notice.hidden = true; }, NOTICE_SHOWN_MS);
    },

    announce(text) {
      ui.announce.textContent = '';
      // A new text node each time, so the same words are announced again.
      setTimeout(() => { ui.announce.textContent = text; }, 50);
    },

    /** Scrolls to message `seq`, focuses and highlights it. */
    showMessage(seq) {
      const li = ui.list.querySelector(`.msg[data-seq="${seq}"]`);
      if (!li) return;
      li.scrollIntoView({ block: 'center' });
      li.tabIndex = -1;
      li.focus({ preventScroll: true });
      li.classList.remove('flash');
      void li.offsetWidth; // restart the highlight's animation
      li.classList.add('flash');
      setTimeout(() => li.classList.remove('flash'), FLASH_MS);
      view.announce(`Showing the message of ${page.state.timeline.get(seq)?.username || 'anonymous'}`);
    },

    /** The room list's drawer (narrow screens) closes. */
    closeSidebar({ focusToggle = false } = {}) {
      ui.app.classList.remove('sidebar-open');
      ui.roomsToggle.setAttribute('aria-expanded', 'false');
      if (focusToggle) ui.roomsToggle.focus();
    },

    /** The room's messages are cached a moment after the last change (one write for a burst). */
    saveSoon() {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => page.state.saveHistory(), 300);
    },

    saveNow() {
      clearTimeout(saveTimer);
      page.state.saveHistory();
    },
  };
  return view;
}
