// Rooms: the name in the URL hash (#/room/<name>), its validation, and the room list with
// unread counts: the server's room_activity when it sent one (activity.js), else the room's
// seq minus the last seq read here.

export const DEFAULT_ROOM = 'lobby';
const ROOM_RE = /^[A-Za-z0-9_-]{1,40}$/;

export const isValidRoom = (name) => typeof name === 'string' && ROOM_RE.test(name);
export const ROOM_RULE = 'Room names are 1–40 letters, digits, - or _.';

/** The room the hash asks for: a name, null for no room (the default), or {invalid}. */
export function roomFromHash(hash) {
  const m = /^#\/room\/(.*)$/.exec(hash);
  if (!m) return hash === '' || hash === '#' || hash === '#/' ? null : { invalid: hash.slice(1) };
  let name;
  try {
    name = decodeURIComponent(m[1]);
  } catch {
    return { invalid: m[1] };
  }
  return isValidRoom(name) ? name : { invalid: name };
}

export const hashFor = (room) => `#/room/${room}`;

/**
 * Draws the list, reusing each room's link so keyboard focus survives a refresh.
 * `seqs` maps room → latest seq known, `read` room → last seq read; `activity` (optional) is
 * the server's word per room (activity.js: unreadOf, mentionsOf, has); `notify` (optional,
 * room_notify.js: isOn, toggle) adds each room's desktop notification switch.
 * @returns {number} total unread across other rooms
 */
export function renderRoomList(list, { rooms, seqs, read, current, activity, notify }) {
  const existing = new Map();
  for (const li of list.children) existing.set(li.dataset.room, li);
  for (const [room, li] of existing) if (!rooms.includes(room)) li.remove();
  let total = 0;
  let cursor = list.firstElementChild;
  for (const room of rooms) {
    const li = existing.get(room) || roomItem(room, notify);
    const known = activity && activity.has(room);
    const local = Math.max(0, (seqs[room] || 0) - (read[room] || 0));
    const unread = room === current ? 0 : known ? activity.unreadOf(room, read[room] || 0) : local;
    const mentioned = room !== current && known && unread > 0 ? activity.mentionsOf(room) : 0;
    total += unread;
    drawRoomItem(li, room === current, unread, mentioned);
    const bell = li.querySelector('.room-notify');
    if (bell) bell.checked = notify.isOn(room);
    if (li === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(li, cursor);
  }
  return total;
}

function roomItem(room, notify) {
  const li = document.createElement('li');
  li.dataset.room = room;
  const a = document.createElement('a');
  a.href = hashFor(room);
  a.className = 'room-link';
  const name = document.createElement('span');
  name.className = 'room-name';
  name.dir = 'auto';
  name.textContent = room;
  const mention = document.createElement('span');
  mention.className = 'mention';
  mention.hidden = true;
  const badge = document.createElement('span');
  badge.className = 'badge';
  a.append(name, mention, badge);
  li.append(a);
  if (notify) {
    const bell = document.createElement('input');
    bell.type = 'checkbox';
    bell.className = 'room-notify';
    bell.setAttribute('role', 'switch');
    bell.setAttribute('aria-label', `Notifications for #${room}`);
    bell.title = `Desktop notifications for #${room}`;
    bell.addEventListener('change', () => notify.toggle(room, bell));
    li.append(bell);
  }
  return li;
}

function drawRoomItem(li, isCurrent, unread, mentioned) {
  const a = li.firstElementChild;
  if (isCurrent) a.setAttribute('aria-current', 'page');
  else a.removeAttribute('aria-current');
  const badge = a.querySelector('.badge');
  badge.hidden = unread === 0;
  badge.textContent = unread === 0 ? '' : unread > 99 ? '99+' : String(unread);
  if (unread > 0) badge.setAttribute('aria-label', `${unread} unread`);
  else badge.removeAttribute('aria-label');
  const mention = a.querySelector('.mention');
  // The mentions of me, apart from the unread count (drawn as "@N" by CSS).
  mention.hidden = mentioned === 0;
  mention.dataset.count = mentioned > 99 ? '99+' : String(mentioned);
  if (mentioned) mention.setAttribute('aria-label', mentioned === 1 ? 'you are mentioned' : `you are mentioned ${mentioned} times`);
  else mention.removeAttribute('aria-label');
}
