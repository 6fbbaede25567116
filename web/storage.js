// Everything the page keeps in localStorage, behind small typed helpers.
// Storage can be missing (private mode) or full: every call degrades to "not kept".

const PREFIX = 'message.';
const HISTORY_KEEP = 200; // messages cached per room, enough to fill the screen at once after a reload

// The Storage the helpers use: the browser's localStorage unless useStorage() gave another
// (node's unit tests give a Map-backed one).
let backing = null;
const storage = () => backing || globalThis.localStorage;

/** Uses `s` (an object with getItem/setItem, like localStorage) from now on; null: localStorage. */
export function useStorage(s) {
  backing = s;
}

function read(key, fallback) {
  try {
    const raw = storage().getItem(PREFIX + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    storage().setItem(PREFIX + key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

function randomId(length) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes); // randomUUID needs a secure context; a LAN page over http is not one
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/**
 * This browser's identity token: 128 random bits as 22 characters of base64url, made once and
 * presented on every connection (docs/protocol.md, "The device identity token"). Whoever has
 * it is this person to the server: it never leaves this browser but in the WebSocket upgrade.
 */
export function identityToken() {
  const token = read('identity', null);
  if (typeof token === 'string' && /^[A-Za-z0-9_-]{21}[AQgw]$/.test(token)) return token;
  return newIdentityToken();
}

/** Makes (and keeps) a new identity token: a new person to the server. */
export function newIdentityToken() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes); // available on plain-http LAN pages too, unlike crypto.subtle
  const token = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  write('identity', token);
  return token;
}

/** The public identity id the server last announced for this browser (frames carry it). */
export const loadIdentityId = () => {
  const id = read('identity_id', '');
  return typeof id === 'string' ? id : '';
};
export const saveIdentityId = (id) => write('identity_id', id);

/** This browser's stable id, made once: the tag of anonymous connections, and the message ids' prefix. */
export function deviceId() {
  let id = read('device', null);
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{6,64}$/.test(id)) {
    id = randomId(16);
    write('device', id);
  }
  return id;
}

/** A fresh client id for a message: unique per device, safe to resend. */
export function newMessageId(device) {
  return `${device.slice(0, 8)}-${Date.now().toString(36)}-${randomId(6)}`;
}

export const loadUsername = () => read('username', '');
export const saveUsername = (name) => write('username', name);

export const loadNotify = () => read('notify', false) === true;
export const saveNotify = (on) => write('notify', on);

/** The rooms whose new messages make a desktop notification (room_notify.js). */
export function loadRoomNotify() {
  const rooms = read('notify_rooms', []);
  return Array.isArray(rooms) ? rooms.filter((r) => typeof r === 'string') : [];
}
export const saveRoomNotify = (rooms) => write('notify_rooms', rooms);

/** Highest seq the user has seen, per room. */
export function loadReadMarks() {
  const marks = read('read', {});
  return marks && typeof marks === 'object' ? marks : {};
}
export const saveReadMarks = (marks) => write('read', marks);

/** Rooms this browser has visited, so they show in the list before they have messages. */
export function loadKnownRooms() {
  const rooms = read('rooms', []);
  return Array.isArray(rooms) ? rooms.filter((r) => typeof r === 'string') : [];
}
export const saveKnownRooms = (rooms) => write('rooms', rooms);

/** The last messages of a room (oldest first), as cached by saveHistory. */
export function loadHistory(room) {
  const list = read(`history.${room}`, []);
  return Array.isArray(list) ? list.filter((m) => m && Number.isInteger(m.seq)) : [];
}

export function saveHistory(room, messages) {
  const keep = messages.slice(-HISTORY_KEEP).map(({ seq, id, username, message, file, ts, device, identity, reply_to, reply, mentions, edited, deleted, reactions }) =>
    ({ seq, id, username, message, file, ts, device, identity, reply_to, reply, mentions, edited, deleted, reactions }));
  if (!write(`history.${room}`, keep)) write(`history.${room}`, keep.slice(-50)); // storage full: keep less
}

export const dropHistory = (room) => write(`history.${room}`, []);

/** The room's epoch the cached history belongs to ('' unknown): sent with `since`. */
export const loadEpoch = (room) => {
  const e = read(`epoch.${room}`, '');
  return typeof e === 'string' ? e : '';
};
export const saveEpoch = (room, epoch) => write(`epoch.${room}`, epoch);

/** The text typed in a room's message box and not sent yet ('' none). */
export const loadDraft = (room) => {
  const d = read(`draft.${room}`, '');
  return typeof d === 'string' ? d : '';
};
export const saveDraft = (room, text) => write(`draft.${room}`, text);

/** What another tab wrote to the same browser's storage: the key without the prefix, or null. */
export const ownKey = (fullKey) => (typeof fullKey === 'string' && fullKey.startsWith(PREFIX) ? fullKey.slice(PREFIX.length) : null);

export const loadOutbox = () => {
  const list = read('outbox', []);
  return Array.isArray(list) ? list.filter((e) => e && typeof e.id === 'string') : [];
};
export const saveOutbox = (entries) => write('outbox', entries);
