// Wiring: makes the page's parts and hands each the others through one `page` object. Each part
// lives in its own module:
//   state.js       the page's state and its changes (identity, room, timeline, read marks)
//   view.js        draws the page from the state: messages, rooms, status, notices
//   frames.js      the server's frames applied to the state;  sync.js  what the page asks for
//   connection.js  the WebSocket: NDJSON frames, ping/pong liveness, reconnecting
//   outbox.js      messages not yet acknowledged, kept in localStorage and resent by id
//   timeline.js    the current room's messages, de-duplicated and ordered by seq
//   render.js      the message list (grouping, day separators), linkify.js for safe links
//   scroll.js      stick-to-bottom, "N new messages", asking for older messages at the top
//   navigation.js  rooms in the address, the room list;  rooms.js  names and the list's drawing
//   activity.js    the server's read state and room activity (badges, mentions, title)
//   compose_wiring.js the chat box (composer.js);  message_wiring.js the actions on messages
//   presence.js    who is online, who is typing;  notify.js  title count, desktop notifications
//   controls.js    Open/Close, Reconnect now, notifications;  key_recovery.js  the access key
//   reconnect_schedule.js when to try again after a drop (connection.js follows it)
//   drafts.js      unsent text per room;  char_count.js  the code-point count near the limit
//   tab_sync.js    a name chosen in one tab reaches the others;  room_notify.js  per-room notifications
//   storage.js     everything kept in localStorage;  search.js  the search box (Ctrl+K or /)
//   uploads.js     sending files (drop, paste, paperclip): upload.js (tus), upload_view.js, upload_store.js
// One WebSocket per page, for the room on screen; changing room reconnects with the new `room`.
// A new feature is one import and one `installX(page)` call below.

import { ensureAccess, protocolsFor, savedKey, takeKeyFromFragment } from './access.js';
import { setupInvite } from './invite.js';
import { setupLinking, takeLinkFromFragment } from './link.js';
import { offerHttps } from './secure.js';
import { Connection } from './connection.js';
import { Outbox } from './outbox.js';
import { Scroller } from './scroll.js';
import { Presence } from './presence.js';
import { Notifier } from './notify.js';
import { RoomActivity } from './activity.js';
import { AppState } from './state.js';
import { createView } from './view.js';
import { createSync } from './sync.js';
import { createFrameHandler } from './frames.js';
import { initialRoom, installNavigation } from './navigation.js';
import { installMessageActions } from './message_wiring.js';
import { installComposer } from './compose_wiring.js';
import { installControls } from './controls.js';
import { askForKey, installKeyRecovery, waitOnForm } from './key_recovery.js';
import { installDrafts } from './drafts.js';
import { installCharCount } from './char_count.js';
import { installTabSync } from './tab_sync.js';
import { installRoomNotifications } from './room_notify.js';
import * as store from './storage.js';
import { installSearch } from './search.js';
import { installUploads } from './uploads.js';
import { hashFor } from './rooms.js';

const $ = (id) => document.getElementById(id);
const ui = {
  app: $('app'), list: $('messages'), box: $('message-box'), jump: $('jump'), typing: $('typing'),
  notice: $('notice'), form: $('chat-form'), username: $('username'), message: $('message'),
  status: $('status'), statusDetail: $('status-detail'), toggle: $('toggle'), roomTitle: $('room-title'),
  roomList: $('room-list'), joinForm: $('join-form'), roomInput: $('room-input'), roomError: $('room-error'),
  people: $('people'), onlineCount: $('online-count'), notify: $('notify'), roomsToggle: $('rooms-toggle'),
  roomsBadge: $('rooms-toggle-badge'), loadOlder: $('load-older'), historyText: $('history-text'),
  announce: $('announce'), reconnect: $('reconnect'),
};

// An invite link's key (#k=...) is taken before the hash is read as a room.
takeKeyFromFragment();
setupInvite();

/**
 * The page's parts; each module takes what it needs from here when it runs. `hooks` are the
 * moments a feature can join without app.js knowing it: push a function onto the list.
 */
const page = {
  ui,
  store,
  hooks: { opened: [], status: [], roomLeaving: [], roomEntered: [], sent: [], limitsChanged: [], message: [] },
};
// A link address (#link=CODE) is taken too: the code is sent once connected.
page.pendingLink = takeLinkFromFragment();
page.state = new AppState(store, initialRoom((text) => page.view.showNotice(text)));
page.outbox = new Outbox();
page.activity = new RoomActivity();
page.notifier = new Notifier();
page.view = createView(page);
page.sync = createSync(page);
page.me = () => ({ username: ui.username.value.trim(), device: page.state.tag, identity: page.state.identity });
page.useName = (name) => {
  if (ui.username.value.trim() === name) return;
  ui.username.value = name;
  store.saveUsername(name);
  page.presence.draw();
};
page.presence = new Presence(ui.people, ui.onlineCount, ui.typing, page.me,
  (identity) => page.conn.send({ type: 'direct', identity }));
page.presence.onChange = () => page.view.render(); // device tags follow who is online
page.scroller = new Scroller(ui.box, ui.jump, { nearTop: () => page.sync.loadOlder(), atBottom: () => page.sync.markRead() });
page.conn = new Connection({
  protocols: () => protocolsFor(savedKey(), page.state.identityToken),
  url: () => {
    const { state } = page;
    const url = new URL('ws', window.location.href);
    url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    url.searchParams.set('room', state.room);
    if (page.me().username) url.searchParams.set('name', page.me().username);
    if (state.timeline.maxSeq > 0) {
      url.searchParams.set('since', String(state.timeline.lastSeq));
      // The history the cached seqs belong to: another one is answered with `reset`.
      const epoch = store.loadEpoch(state.room);
      if (epoch) url.searchParams.set('epoch', epoch);
    }
    return url;
  },
  onOpen: () => {
    page.state.connectionOpened();
    for (const opened of page.hooks.opened) opened();
  },
  onFrame: createFrameHandler(page),
  onStatus: (status, detail) => {
    page.view.showStatus(status, detail);
    for (const changed of page.hooks.status) changed(status, detail);
  },
  whyRefused: () => page.whyRefused(),
});
page.onLinkCode = setupLinking((frame) => page.conn.send(frame));

installMessageActions(page);
installComposer(page);
installNavigation(page);
installControls(page);
installKeyRecovery(page);
installCharCount(page);
installDrafts(page);
installTabSync(page);
installRoomNotifications(page);
installUploads(page);
installSearch({ conn: page.conn, currentRoom: () => page.state.room, hashFor, jumpTo: (seq) => page.sync.jumpTo(seq) });

// ---- start ----

page.view.render({ bottom: true });
page.view.drawRooms();
await ensureAccess((problem) => askForKey(ui, problem), (seconds) => waitOnForm(ui, seconds), page.state.identityToken);
offerHttps($('https-offer'));
(ui.username.value ? ui.message : ui.username).focus();
page.conn.open();
