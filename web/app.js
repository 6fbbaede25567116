// Wiring: page state, server frames, and the controls. The pieces live in their own modules:
//   connection.js  the WebSocket: NDJSON frames, ping/pong liveness, reconnect with backoff
//   outbox.js      messages not yet acknowledged, kept in localStorage and resent by id
//   timeline.js    the current room's messages, de-duplicated and ordered by seq
//   composer.js    the message and username inputs
//   render.js      the message list (grouping, day separators), linkify.js for safe links
//   scroll.js      stick-to-bottom, "N new messages", asking for older messages at the top
//   rooms.js       room names in the hash, the room list with unread counts
//   activity.js    the server's read state and room activity (badges, mentions, title)
//   conversation.js edits, deletes, reactions applied to messages; message_view.js draws them,
//                  message_actions.js (editing, replying, the reaction picker), mentions.js (@name),
//                  format.js (bold, italic, code, links)
//   presence.js    who is online, who is typing;  notify.js  title count, desktop notifications
//   storage.js     everything kept in localStorage
// One WebSocket per page, for the room on screen; changing room reconnects with the new `room`.

import { ensureAccess, protocolsFor, savedKey, takeKeyFromFragment } from './access.js';
import { setupInvite } from './invite.js';
import { setupLinking, takeLinkFromFragment } from './link.js';
import { offerHttps } from './secure.js';
import { Connection } from './connection.js';
import { setupComposer } from './composer.js';
import { Outbox } from './outbox.js';
import { Timeline } from './timeline.js';
import { buildItems, renderItems } from './render.js';
import { Scroller } from './scroll.js';
import { Presence } from './presence.js';
import { Notifier } from './notify.js';
import { RoomActivity } from './activity.js';
import { mentionsMe } from './conversation.js';
import { ComposeMode, ReactPicker, copyText } from './message_actions.js';
import { Mentions } from './mentions.js';
import { DEFAULT_ROOM, ROOM_RULE, hashFor, isValidRoom, renderRoomList, roomFromHash } from './rooms.js';
import * as store from './storage.js';
import { installSearch } from './search.js';

const $ = (id) => document.getElementById(id);
const ui = {
  app: $('app'), list: $('messages'), box: $('message-box'), jump: $('jump'), typing: $('typing'),
  notice: $('notice'), form: $('chat-form'), username: $('username'), message: $('message'),
  status: $('status'), statusDetail: $('status-detail'), toggle: $('toggle'), roomTitle: $('room-title'),
  roomList: $('room-list'), joinForm: $('join-form'), roomInput: $('room-input'), roomError: $('room-error'),
  people: $('people'), onlineCount: $('online-count'), notify: $('notify'), roomsToggle: $('rooms-toggle'),
  roomsBadge: $('rooms-toggle-badge'), loadOlder: $('load-older'), historyText: $('history-text'),
  announce: $('announce'),
};

// An invite link's key (#k=...) is taken before the hash is read as a room.
takeKeyFromFragment();
setupInvite();
// A link address (#link=CODE) is taken too: the code is sent once connected.
let pendingLink = takeLinkFromFragment();

const HISTORY_PAGE = 50;
const ROOMS_REFRESH_MS = 30_000;
const RETRY_REJECTED_MS = 3_000; // store_failed / rate_limited: resend after this (plus jitter)

const device = store.deviceId();
let identityToken = store.identityToken();
let myIdentity = store.loadIdentityId();
// Frames tag a sender with the first 6 characters of its identity id (of its device id before
// the server announced an identity).
let myTag = myIdentity ? myIdentity.slice(0, 6) : device.slice(0, 6);
const outbox = new Outbox();
// Keyed by room name, and "__proto__" or "constructor" are valid room names: no prototype.
const readMarks = Object.assign(Object.create(null), store.loadReadMarks());
const roomSeqs = Object.create(null); // room -> latest seq we know of
const activity = new RoomActivity();
let knownRooms = store.loadKnownRooms();
let limits = { max_message_chars: 4000, max_username_chars: 32 };
let room = initialRoom();
let timeline = new Timeline(room, store.loadHistory(room));
let historyInFlight = false;
let historyAsk = null; // the `history` request in flight: {before}, {around} or {after}
let pendingJump = 0; // the seq to show once the history around it has come
// "New messages" goes before the first message after this seq (null: nowhere): the identity's
// read position when it came to the room (welcome), or when it left the page and came back.
let dividerAt = null;
let seenReaders = new Map(); // identity -> the seq it has read this room up to (`seen`)
let lastRoomsAsked = 0;
let roomsTimer = 0;
let retryTimer = 0;
let saveTimer = 0;

const me = () => ({ username: ui.username.value.trim(), device: myTag, identity: myIdentity });
const presence = new Presence(ui.people, ui.onlineCount, ui.typing, me,
  (identity) => conn.send({ type: 'direct', identity }));
const notifier = new Notifier();
const scroller = new Scroller(ui.box, ui.jump, { nearTop: loadOlder, atBottom: markRead });
const actions = {
  retry(id) {
    outbox.retry(id);
    const entry = outbox.get(id);
    // Refused for its name (name_taken): resend under the name the person has now.
    if (entry && me().username) {
      entry.username = me().username;
      outbox.save();
    }
    if (entry) conn.send(Outbox.frame(entry));
    render();
  },
  discard(id) {
    outbox.remove(id);
    render();
  },
};

const conn = new Connection({
  protocols: () => protocolsFor(savedKey(), identityToken),
  url: () => {
    const url = new URL('ws', window.location.href);
    url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    url.searchParams.set('room', room);
    if (me().username) url.searchParams.set('name', me().username);
    if (timeline.maxSeq > 0) {
      url.searchParams.set('since', String(timeline.lastSeq));
      // The history the cached seqs belong to: another one is answered with `reset`.
      const epoch = store.loadEpoch(room);
      if (epoch) url.searchParams.set('epoch', epoch);
    }
    return url;
  },
  onOpen: () => {
    historyInFlight = false;
    historyAsk = null;
    pendingJump = 0;
  },
  onFrame: handleFrame,
  onStatus: showStatus,
});

const onLinkCode = setupLinking((frame) => conn.send(frame));
installSearch({ conn, currentRoom: () => room, hashFor, jumpTo });

// ---- server frames ----

function handleFrame(f) {
  switch (f.type) {
    case 'welcome': return onWelcome(f);
    case 'message': return onMessage(f);
    case 'ack': return onAck(f);
    case 'error': return onError(f);
    case 'history': return onHistory(f);
    case 'rooms': return onRooms(f);
    case 'presence': if (f.room === room) presence.setAll(f.users); return undefined;
    case 'join': if (f.room === room) presence.join(f); return undefined;
    case 'leave': if (f.room === room) presence.leave(f); return undefined;
    case 'typing': if (f.room === room && typeof f.username === 'string') presence.startTyping(f); return undefined;
    case 'name': return onName(f);
    case 'room': return onPrivateRoom(f);
    case 'rename': return onRename(f);
    case 'room_activity': return onRoomActivity(f);
    case 'read': return onRead(f);
    case 'gap': return onGap(f);
    case 'reset': return onReset(f);
    case 'link_code': return onLinkCode(f);
    case 'edit': case 'delete': case 'react': return onChange(f);
    case 'reactions': return onReactionList(f);
    case 'seen': return onSeen(f);
    case 'linked': return onLinked(f);
    default: return undefined; // pong, subscribed, and types added later
  }
}

function onWelcome(f) {
  if (pendingLink) {
    conn.send({ type: 'link', code: pendingLink });
    pendingLink = '';
  }
  if (f.limits && typeof f.limits === 'object') limits = { ...limits, ...f.limits };
  if (typeof f.identity === 'string' && f.identity !== myIdentity) {
    myIdentity = f.identity;
    myTag = myIdentity.slice(0, 6);
    store.saveIdentityId(myIdentity);
  }
  if (typeof f.username === 'string' && f.username) useName(f.username);
  ui.message.maxLength = limits.max_message_chars * 2; // code units; the exact count is checked on send
  if (f.room !== room) return;
  noteSeq(room, f.seq);
  if (dividerAt === null && Number.isInteger(f.read) && f.read > 0 && f.read < f.seq) dividerAt = f.read;
  // With cached messages and an epoch of theirs, a different epoch here is followed by `reset`,
  // which saves it once the cache is dropped: saved here, a lost `reset` would let the next
  // resume pass the old seqs off as the new history's.
  if (typeof f.epoch === 'string' && (!store.loadEpoch(room) || timeline.maxSeq === 0)) store.saveEpoch(room, f.epoch);
  if (Number.isInteger(f.seq) && f.seq < timeline.maxSeq) {
    // The server has fewer messages than we cached (its data was reset): start over from it.
    store.dropHistory(room);
    timeline = new Timeline(room, []);
    render();
  }
  if (timeline.list.length === 0) askHistory(undefined);
  askRooms();
  flushOutbox();
}

function onMessage(f) {
  noteSeq(f.room, f.seq);
  if (f.room !== room) return;
  const added = timeline.add([f]);
  const wasMine = outbox.remove(f.id);
  presence.stopTyping(f);
  const fromOthers = added.filter((m) => !isOwn(m));
  for (const m of fromOthers) notifier.arrived(m, room, isMentioned(m));
  render({ unseen: fromOthers.length, bottom: wasMine });
  if (added.length) askRoomsSoon();
}

// The server says which name this browser's identity owns now.
// This device acts as another identity now: take its name (so the next connection's name= is
// not claimed for it) and reconnect, which brings that identity's rooms and state.
function onLinked(f) {
  if (typeof f.identity !== 'string') return;
  myIdentity = f.identity;
  myTag = myIdentity.slice(0, 6);
  store.saveIdentityId(myIdentity);
  const name = typeof f.username === 'string' ? f.username : '';
  ui.username.value = name;
  store.saveUsername(name);
  document.getElementById('link').close();
  showNotice(name ? `This device is linked: you are ${name}.` : 'This device is linked.');
  conn.restart();
}

function onName(f) {
  if (f.identity !== myIdentity || typeof f.username !== 'string') return;
  if (f.username) useName(f.username);
}

function useName(name) {
  if (ui.username.value.trim() === name) return;
  ui.username.value = name;
  store.saveUsername(name);
  presence.draw();
}

// A private room we made, were invited to, or a direct conversation we opened: go there.
function onPrivateRoom(f) {
  if (!isValidRoom(f.room)) return;
  rememberRoom(f.room);
  if (typeof f.by === 'string') {
    // Someone invited us or wrote to us privately: it joins the room list, we stay here.
    if (!(f.room in roomSeqs)) roomSeqs[f.room] = 0;
    drawRooms();
    showNotice(f.direct ? 'Someone opened a private conversation with you: see your rooms.' : `You were invited to #${f.room}.`);
    askRoomsSoon();
    return;
  }
  window.location.hash = hashFor(f.room);
}

function onRename(f) {
  if (typeof f.identity !== 'string' || typeof f.username !== 'string') return;
  if (f.room === room && timeline.relabel(f.identity, f.username)) {
    render();
    saveSoon();
  }
}

// The server's count of a followed room: badges, the mention marker and the title follow it.
function onRoomActivity(f) {
  const before = activity.has(f.room) ? activity.mentionsOf(f.room) : null;
  if (!isValidRoom(f.room) || !activity.update(f)) return;
  // A new mention in a room that is not on screen: its messages do not come to this page.
  if (f.room !== room && before !== null && activity.mentionsOf(f.room) > before) notifier.mentionedIn(f.room);
  noteSeq(f.room, f.seq);
  drawRooms();
}

// Another tab or device of this identity read a room up to seq.
function onRead(f) {
  if (!isValidRoom(f.room) || !Number.isInteger(f.seq)) return;
  if ((readMarks[f.room] || 0) < f.seq) {
    readMarks[f.room] = f.seq;
    store.saveReadMarks(readMarks);
  }
  activity.sentRead(f.room, f.seq); // Nothing to tell the server below that.
  drawRooms();
}

// Messages the server can no longer deliver (retention removed them, or its history was reset).
function onGap(f) {
  if (f.room !== room) return;
  if (timeline.addGap(f.from, f.to)) render();
}

// The server's history of this room is not the one our cached messages came from (a restored
// backup, lost data, another server): they are dropped and the room is read anew.
function onReset(f) {
  if (f.room !== room) return;
  if (typeof f.epoch === 'string') store.saveEpoch(room, f.epoch);
  store.dropHistory(room);
  timeline = new Timeline(room, []);
  render();
  showNotice('The server’s history of this room was replaced (a restored backup or lost data): it is shown as the server has it now.');
  askHistory(undefined);
}

function onAck(f) {
  noteSeq(f.room, f.seq);
  const entry = outbox.get(f.id);
  if (!entry) return;
  outbox.remove(f.id);
  if (f.room === room && Number.isInteger(f.seq) && !timeline.has(f.seq)) {
    // Our copy of the message may come after the ack: show it as sent already.
    timeline.add([{ ...entry, seq: f.seq, device: myTag, provisional: true }]);
  }
  render();
}

function onError(f) {
  if (f.code === 'bad_token') {
    // The stored token is damaged: this browser starts over as a new identity.
    identityToken = store.newIdentityToken();
    return;
  }
  if (f.code === 'not_member' && f.room === room && !f.id) {
    // A private room this identity is not a member of: nothing of it is shown here.
    showNotice(f.message || 'This room is private.');
    knownRooms = knownRooms.filter((r) => r !== room);
    store.saveKnownRooms(knownRooms);
    window.location.hash = hashFor(DEFAULT_ROOM);
    return;
  }
  if (typeof f.id === 'string' && outbox.get(f.id)) {
    if (outbox.reject(f.id, f.code, f.message) === 'retry') scheduleRetry();
    render();
    return;
  }
  showNotice(f.message || f.code || 'The server refused a request.');
}

function onHistory(f) {
  if (f.room !== room) return;
  historyInFlight = false;
  const ask = historyAsk || {};
  historyAsk = null;
  const messages = Array.isArray(f.messages) ? f.messages : [];
  const oldMin = timeline.minSeq;
  timeline.add(messages);
  if (ask.around !== undefined || ask.after !== undefined) {
    const seqs = messages.map((m) => m.seq).filter(Number.isInteger);
    const lo = ask.after !== undefined ? ask.after : Math.min(...seqs, ask.around);
    const hi = seqs.length ? Math.max(...seqs) : Number.MAX_SAFE_INTEGER;
    timeline.noteWindow(lo, hi, f.more_after === true && seqs.length > 0, oldMin);
    if (ask.around !== undefined && (oldMin === 0 || lo <= oldMin)) timeline.more = f.more === true;
  } else {
    timeline.more = f.more === true;
  }
  timeline.loaded = true;
  render();
  if (pendingJump) {
    const seq = pendingJump;
    if (timeline.has(seq)) {
      pendingJump = 0;
      showMessage(seq);
    } else if (ask.around === seq) {
      pendingJump = 0;
      showNotice('That message is no longer available.');
    } else {
      askHistory({ around: seq }); // another page was on its way when the jump was asked
    }
    return;
  }
  fillScreen();
}

// An edit, delete or reaction: an event of the room's seq stream, applied to its target.
function onChange(f) {
  noteSeq(f.room, f.seq);
  if (f.room !== room || !Number.isInteger(f.target)) return;
  const m = timeline.applyEvent(f, myIdentity);
  if (!m) return;
  if (f.type === 'delete' && composeMode.mode?.m.seq === m.seq) composeMode.cancel();
  render();
}

function onReactionList(f) {
  if (f.room !== room || !Number.isInteger(f.target)) return;
  if (timeline.applyReactions(f, myIdentity)) render();
}

// Who has read this room up to where: "seen by N" under our own messages.
function onSeen(f) {
  if (f.room !== room || !Array.isArray(f.readers)) return;
  if (f.full === true) seenReaders = new Map();
  for (const r of f.readers) {
    if (r && typeof r.identity === 'string' && Number.isInteger(r.seq)) {
      seenReaders.set(r.identity, Math.max(r.seq, seenReaders.get(r.identity) || 0));
    }
  }
  render();
}

function onRooms(f) {
  if (!Array.isArray(f.rooms)) return;
  for (const r of f.rooms) if (r && isValidRoom(r.room)) noteSeq(r.room, r.seq);
  drawRooms();
}

function noteSeq(r, seq) {
  if (!isValidRoom(r) || !Number.isInteger(seq)) return;
  if (!(r in roomSeqs) || seq > roomSeqs[r]) roomSeqs[r] = seq;
}

// ---- requests ----

/** Asks for a page of history: the newest, or `{before}`, `{around}` or `{after}` a seq. */
function askHistory(where) {
  if (historyInFlight) return false;
  const ask = typeof where === 'number' ? { before: where } : where || {};
  const frame = { type: 'history', limit: HISTORY_PAGE, ...ask };
  if (conn.send(frame)) {
    historyInFlight = true;
    historyAsk = ask;
  }
  drawHistoryNote();
  return historyInFlight;
}

function loadOlder() {
  if (timeline.hasOlder && timeline.list.length > 0) askHistory(timeline.minSeq);
}

// Shows message `seq` (a reply's original), loading the history around it when it is not here.
function jumpTo(seq) {
  if (timeline.has(seq)) {
    showMessage(seq);
    return;
  }
  pendingJump = seq;
  if (historyInFlight) return; // asked when the answer on its way comes
  if (!askHistory({ around: seq })) {
    pendingJump = 0;
    showNotice('Not connected: the message can be shown once the connection is open.');
  }
}

function showMessage(seq) {
  const li = ui.list.querySelector(`.msg[data-seq="${seq}"]`);
  if (!li) return;
  li.scrollIntoView({ block: 'center' });
  li.tabIndex = -1;
  li.focus({ preventScroll: true });
  li.classList.remove('flash');
  void li.offsetWidth; // restart the highlight's animation
  li.classList.add('flash');
  setTimeout(() => li.classList.remove('flash'), 2_500);
  announce(`Showing the message of ${timeline.get(seq)?.username || 'anonymous'}`);
}

// After a page of history, keep asking while the messages do not fill the box.
function fillScreen() {
  if (scroller.underfilled()) loadOlder();
}

function askRooms() {
  lastRoomsAsked = Date.now();
  conn.send({ type: 'rooms' });
  clearTimeout(roomsTimer);
  roomsTimer = setTimeout(askRooms, ROOMS_REFRESH_MS);
}

// Messages are arriving: refresh the room list, at most every 2 s.
function askRoomsSoon() {
  const wait = Math.max(0, lastRoomsAsked + 2_000 - Date.now());
  clearTimeout(roomsTimer);
  roomsTimer = setTimeout(askRooms, wait);
}

function flushOutbox() {
  for (const entry of outbox.pending()) if (!conn.send(Outbox.frame(entry))) break;
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flushOutbox, RETRY_REJECTED_MS + Math.random() * RETRY_REJECTED_MS);
}

// ---- drawing ----

function render({ unseen = 0, bottom = false } = {}) {
  const snap = scroller.snapshot();
  const items = buildItems(timeline.list, outbox.forRoom(room), myTag, timeline.gaps,
    { divider: dividerAt, holes: timeline.holes, isOwn });
  renderItems(ui.list, items, actions);
  scroller.restore(snap, bottom);
  if (unseen > 0 && !snap.bottom && !bottom) scroller.addUnseen(unseen);
  drawHistoryNote();
  markRead();
  saveSoon();
}

function drawHistoryNote() {
  ui.loadOlder.hidden = !(timeline.hasOlder && timeline.list.length > 0) || historyInFlight;
  if (historyInFlight) ui.historyText.textContent = 'Loading messages…';
  else if (timeline.list.length > 0 && !timeline.hasOlder) ui.historyText.textContent = `This is the beginning of #${room}.`;
  else if (timeline.list.length === 0 && outbox.forRoom(room).length === 0 && timeline.loaded) ui.historyText.textContent = `No messages in #${room} yet.`;
  else ui.historyText.textContent = '';
}

function drawRooms() {
  const rooms = new Set([DEFAULT_ROOM, ...knownRooms, ...Object.keys(roomSeqs), room]);
  const sorted = [...rooms].sort((a, b) => (a === DEFAULT_ROOM ? -1 : b === DEFAULT_ROOM ? 1 : a.localeCompare(b)));
  const unread = renderRoomList(ui.roomList, { rooms: sorted, seqs: roomSeqs, read: readMarks, current: room, activity });
  ui.roomsBadge.hidden = unread === 0;
  ui.roomsBadge.textContent = unread > 99 ? '99+' : String(unread);
  notifier.setTotal(activity.total(readMarks));
}

function showStatus(status, detail) {
  ui.status.textContent = status;
  ui.status.dataset.state = status;
  ui.statusDetail.textContent = detail;
  ui.toggle.textContent = conn.wanted ? 'Close' : 'Open';
  ui.app.dataset.connection = status;
  if (status !== 'open') presence.clear(); // we no longer know who is there
}

let noticeTimer = 0;
function showNotice(text) {
  ui.notice.textContent = text;
  ui.notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { ui.notice.hidden = true; }, 8_000);
}

// The reader has seen everything up to the newest message when they are at the bottom of a visible page.
function markRead() {
  if (document.visibilityState !== 'visible' || !scroller.isAtBottom()) return;
  const seq = Math.max(timeline.maxSeq, roomSeqs[room] || 0);
  if ((readMarks[room] || 0) !== seq) {
    readMarks[room] = seq;
    store.saveReadMarks(readMarks);
  }
  // The server's read position (every device's badges) moves only for what is on screen, in a
  // page that has the focus: a page left open in a background window reads nothing.
  const frame = document.hasFocus() ? activity.readFrame(room, timeline.maxSeq) : null;
  if (frame && conn.send(frame)) activity.sentRead(room, frame.seq);
  drawRooms();
}

function saveSoon() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => store.saveHistory(room, timeline.savable()), 300);
}

// ---- rooms ----

function initialRoom() {
  const wanted = roomFromHash(window.location.hash);
  if (typeof wanted === 'string') return wanted;
  if (wanted && wanted.invalid !== undefined) {
    setTimeout(() => showNotice(`“${wanted.invalid}” is not a room name. ${ROOM_RULE}`));
  }
  window.history.replaceState(null, '', hashFor(DEFAULT_ROOM));
  return DEFAULT_ROOM;
}

function switchRoom(next) {
  if (next === room) return;
  clearTimeout(saveTimer);
  store.saveHistory(room, timeline.savable());
  room = next;
  timeline = new Timeline(room, store.loadHistory(room));
  historyInFlight = false;
  historyAsk = null;
  pendingJump = 0;
  dividerAt = null;
  seenReaders = new Map();
  composeMode.done();
  picker.close();
  rememberRoom(room);
  presence.clear();
  ui.roomTitle.textContent = room;
  ui.list.replaceChildren();
  scroller.clearUnseen();
  render({ bottom: true });
  ui.app.classList.remove('sidebar-open');
  ui.roomsToggle.setAttribute('aria-expanded', 'false');
  conn.restart();
}

function rememberRoom(r) {
  if (knownRooms.includes(r)) return;
  knownRooms = [...knownRooms, r].slice(-50);
  store.saveKnownRooms(knownRooms);
}

window.addEventListener('hashchange', () => {
  const wanted = roomFromHash(window.location.hash);
  if (typeof wanted === 'string') {
    switchRoom(wanted);
  } else if (wanted === null) {
    switchRoom(DEFAULT_ROOM);
  } else {
    showNotice(`“${wanted.invalid}” is not a room name. ${ROOM_RULE}`);
    window.history.replaceState(null, '', hashFor(room));
  }
});

ui.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = ui.roomInput.value.trim().replace(/^#/, '');
  if (!isValidRoom(name)) {
    ui.roomError.textContent = ROOM_RULE;
    ui.roomInput.setAttribute('aria-invalid', 'true');
    return;
  }
  ui.roomError.textContent = '';
  ui.roomInput.removeAttribute('aria-invalid');
  ui.roomInput.value = '';
  window.location.hash = hashFor(name);
});

ui.roomList.addEventListener('click', (event) => {
  if (event.target.closest('a')) {
    ui.app.classList.remove('sidebar-open');
    ui.roomsToggle.setAttribute('aria-expanded', 'false');
  }
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && ui.app.classList.contains('sidebar-open')) {
    ui.app.classList.remove('sidebar-open');
    ui.roomsToggle.setAttribute('aria-expanded', 'false');
    ui.roomsToggle.focus();
  }
});

ui.roomsToggle.addEventListener('click', () => {
  const open = ui.app.classList.toggle('sidebar-open');
  ui.roomsToggle.setAttribute('aria-expanded', String(open));
});

// ---- conversation: actions on messages ----

function isOwn(m) {
  return m.identity ? m.identity === myIdentity : Boolean(m.device) && m.device === myTag;
}

function isMentioned(m) {
  return mentionsMe(m, myIdentity, me().username);
}

function announce(text) {
  ui.announce.textContent = '';
  // A new text node each time, so the same words are announced again.
  setTimeout(() => { ui.announce.textContent = text; }, 50);
}

/** The name to show for an identity: who is online, else who wrote here. */
function nameOf(identity) {
  for (const u of presence.users.values()) if (u.identity === identity && u.username) return u.username;
  for (let i = timeline.list.length - 1; i >= 0; i -= 1) {
    const m = timeline.list[i];
    if (m.identity === identity && m.username) return m.username;
  }
  return identity.slice(0, 6);
}

/** Sends a change of a message (edit, delete, react, reactions), or says why it cannot. */
function sendChange(frame) {
  if (conn.send({ ...frame, room })) return true;
  showNotice('Not connected: try again once the connection is open.');
  return false;
}

const askedReactions = new Set(); // targets whose full list was asked for since the last change

const composeMode = new ComposeMode({
  box: $('compose-mode'), text: $('compose-mode-text'), cancel: $('compose-mode-cancel'), input: ui.message, announce,
});

const picker = new ReactPicker({
  root: $('react-picker'), quick: $('react-quick'), form: $('react-form'), input: $('react-input'),
  onPick(m, emoji) {
    const mine = m.reactions?.find((r) => r.emoji === emoji)?.mine === true;
    react(m, emoji, mine);
  },
});

function react(m, emoji, remove) {
  const frame = { type: 'react', id: store.newMessageId(device), target: m.seq, emoji };
  if (remove) frame.remove = true;
  askedReactions.delete(m.seq);
  if (sendChange(frame)) announce(remove ? `Reaction ${emoji} taken back` : `Reacted with ${emoji}`);
}

const mentions = new Mentions(ui.message, $('mention-list'), () => {
  const people = [...presence.users.values()].map((u) => ({ username: u.username, identity: u.identity }));
  for (let i = timeline.list.length - 1, n = 0; i >= 0 && n < 200; i -= 1, n += 1) {
    const m = timeline.list[i];
    people.push({ username: m.username, identity: m.identity });
  }
  return people.filter((p) => p.identity !== myIdentity);
});

actions.loadHole = (hole) => askHistory({ after: hole.after });
actions.view = {
  mentionsMe: isMentioned,
  quoted(m) {
    const held = timeline.get(m.reply_to);
    if (held) return { username: held.username, message: held.message, deleted: held.deleted === true };
    if (m.reply) return { username: m.reply.username, message: m.reply.message, deleted: m.reply.deleted };
    return { username: '', message: '', deleted: false };
  },
  seenBy(m) {
    if (!m.seq) return [];
    const names = [];
    for (const [identity, seq] of seenReaders) if (identity !== myIdentity && seq >= m.seq) names.push(nameOf(identity));
    return names.sort((a, b) => a.localeCompare(b));
  },
  jumpTo,
  announce,
  async copy(text, done) {
    announce((await copyText(text)) ? done : 'Could not copy');
  },
  react,
  whoReacted(m) {
    if (askedReactions.has(m.seq)) return;
    askedReactions.add(m.seq);
    conn.send({ type: 'reactions', target: m.seq, room });
  },
  openPicker: (m, button) => picker.open(m, button),
  reply: (m) => composeMode.reply(m),
  edit: (m) => composeMode.edit(m),
  remove(m) {
    if (!window.confirm('Delete this message for everyone?')) return;
    if (sendChange({ type: 'delete', id: store.newMessageId(device), target: m.seq })) announce('Message deleted');
  },
};

// ---- composing ----

ui.username.value = store.loadUsername();
setupComposer({
  form: ui.form,
  message: ui.message,
  username: ui.username,
  limits: () => limits,
  onSend(text, username) {
    const mode = composeMode.mode;
    const mentioned = mentions.resolve(text);
    if (mode?.kind === 'edit') {
      if (text !== mode.m.message) {
        const frame = { type: 'edit', id: store.newMessageId(device), room, target: mode.m.seq, message: text };
        if (mentioned.length) frame.mentions = mentioned;
        if (!conn.send(frame)) {
          showNotice('Not connected: the edit can be saved once the connection is open.');
          return false;
        }
        announce('Message edited');
      }
      composeMode.done();
      return true;
    }
    const entry = { id: store.newMessageId(device), room, username, message: text, ts: Date.now() };
    if (mode?.kind === 'reply') entry.reply_to = mode.m.seq;
    if (mentioned.length) entry.mentions = mentioned;
    composeMode.done();
    dividerAt = null; // writing: everything above has been read
    outbox.add(entry);
    conn.send(Outbox.frame(entry)); // if not open, it goes out from the outbox on reconnect
    render({ bottom: true });
    return true;
  },
  onKeyDown(event) {
    if (mentions.onKeyDown(event)) return true;
    if (event.key === 'Escape' && (composeMode.mode || !picker.root.hidden)) {
      event.preventDefault();
      picker.close();
      composeMode.cancel();
      return true;
    }
    if (event.key === 'ArrowUp' && ui.message.value === '' && !composeMode.mode) {
      const last = [...timeline.list].reverse().find((m) => isOwn(m) && !m.deleted && !m.provisional);
      if (!last) return false;
      event.preventDefault();
      composeMode.edit(last);
      return true;
    }
    return false;
  },
  onTyping: (username) => conn.send({ type: 'typing', username }),
  onName(name) {
    store.saveUsername(name);
    if (name) conn.send({ type: 'identify', username: name });
    presence.draw();
  },
  onProblem: showNotice,
});

// ---- connection controls ----

ui.toggle.addEventListener('click', () => {
  if (conn.wanted) conn.close();
  else conn.open();
});

ui.notify.disabled = !notifier.supported;
ui.notify.addEventListener('change', async () => {
  if (ui.notify.checked) {
    const ok = await notifier.enable();
    ui.notify.checked = ok;
    if (!ok) showNotice('Notifications are blocked; allow them in the browser’s site settings.');
  } else {
    notifier.disable();
  }
  store.saveNotify(ui.notify.checked);
});
if (store.loadNotify() && notifier.supported && Notification.permission === 'granted') {
  notifier.enabled = true;
  ui.notify.checked = true;
}

document.addEventListener('visibilitychange', () => {
  // Coming back later: "New messages" marks where the reader left.
  if (document.visibilityState === 'hidden' && timeline.maxSeq > 0) dividerAt = timeline.maxSeq;
  if (document.visibilityState === 'visible') render(); // also renews day labels after midnight
});
window.addEventListener('focus', () => markRead());
window.addEventListener('pagehide', () => store.saveHistory(room, timeline.savable()));

// ---- access key (a server started with --key) ----

function askForKey(problem) {
  const form = document.getElementById('access');
  const input = document.getElementById('access-key');
  document.getElementById('access-problem').textContent = problem;
  ui.app.hidden = true;
  form.hidden = false;
  input.value = '';
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      form.hidden = true;
      ui.app.hidden = false;
      resolve(input.value);
    }, { once: true });
  });
}

// ---- start ----

rememberRoom(room);
ui.roomTitle.textContent = room;
render({ bottom: true });
drawRooms();
await ensureAccess(askForKey, identityToken);
offerHttps(document.getElementById('https-offer'));
(ui.username.value ? ui.message : ui.username).focus();
conn.open();
