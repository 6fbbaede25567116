// Rooms: the name in the URL hash (#/room/<name>), its validation, and the room list with
// unread counts (room seq minus the last seq read here).

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
 * Draws the list. `seqs` maps room → latest seq known, `read` room → last seq read.
 * @returns {number} total unread across other rooms
 */
export function renderRoomList(list, { rooms, seqs, read, current }) {
  list.replaceChildren();
  let total = 0;
  for (const room of rooms) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = hashFor(room);
    a.className = 'room-link';
    const name = document.createElement('span');
    name.className = 'room-name';
    name.textContent = room;
    a.append(name);
    const unread = room === current ? 0 : Math.max(0, (seqs[room] || 0) - (read[room] || 0));
    if (room === current) a.setAttribute('aria-current', 'page');
    if (unread > 0) {
      total += unread;
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = unread > 99 ? '99+' : String(unread);
      badge.setAttribute('aria-label', `${unread} unread`);
      a.append(badge);
    }
    li.append(a);
    list.append(li);
  }
  return total;
}
