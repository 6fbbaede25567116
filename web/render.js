// Draws the message list: one <li> per message, date separators, grouping of consecutive
// messages from one sender. Nodes are keyed and reused, so only new messages are announced
// by the aria-live list and a pending message turns into a sent one in place.
// All user text goes through textContent (via format.js), never innerHTML. A message's
// conversation parts (quote, reactions, seen by, actions) are message_view.js's.

import { drawParts, onLongPress, partsKey } from './message_view.js';

const GROUP_WITHIN_MS = 5 * 60_000;
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });

const dayKey = (ts) => {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
};

function dayLabel(ts) {
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (dayKey(ts) === dayKey(today.getTime())) return 'Today';
  if (dayKey(ts) === dayKey(yesterday.getTime())) return 'Yesterday';
  return dayFormat.format(ts);
}

/** A small stable number for a sender, so names get one of a few colours. */
export function colourIndex(username, device) {
  let h = 0;
  for (const ch of `${username}\u0000${device}`) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return h % 8;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The items to show, in order: server messages by seq, then this device's pending ones.
 * @param {Array} messages  timeline list (oldest first)
 * @param {Array} pending   outbox entries of this room
 * @param {string} myTag    first 6 characters of our device id
 */
export function buildItems(messages, pending, myTag, gaps = [], { divider = null, holes = [], isOwn, tagged = new Set() } = {}) {
  const items = [];
  let prev = null;
  let nextGap = 0;
  let nextHole = 0;
  let dividerDone = divider === null;
  // Messages between two loaded runs (a jump to an old message): a button loads them.
  const holesBefore = (seq) => {
    while (nextHole < holes.length && holes[nextHole].before <= seq) {
      const h = holes[nextHole++];
      items.push({ kind: 'hole', key: `h:${h.after}`, hole: h });
      prev = null;
    }
  };
  // "New messages": where this identity had read up to when it came back.
  const dividerBefore = (m) => {
    if (dividerDone || m.seq <= divider) return;
    dividerDone = true;
    items.push({ kind: 'divider', key: 'new-messages' });
    prev = null;
  };
  // A gap shows where its messages would have been: before the first message after it.
  const gapsBefore = (seq) => {
    while (nextGap < gaps.length && gaps[nextGap].to < seq) {
      const g = gaps[nextGap++];
      items.push({ kind: 'gap', key: `g:${g.from}-${g.to}`, from: g.from, to: g.to });
      prev = null;
    }
  };
  const push = (m, state) => {
    const own = state !== 'other';
    if (!prev || dayKey(prev.ts) !== dayKey(m.ts)) {
      const label = dayLabel(m.ts); // in the key, so "Today" becomes "Yesterday" after midnight
      items.push({ kind: 'day', key: `d:${dayKey(m.ts)}:${label}`, label });
      prev = null;
    }
    const cont = prev !== null && prev.username === m.username && prev.device === m.device
      && m.ts - prev.ts < GROUP_WITHIN_MS;
    // The device tag only tells apart people who share a name (`tagged`): noise otherwise.
    items.push({ kind: 'msg', key: `m:${m.id}`, m, own, state, cont, tagged: tagged.has(m.username) });
    prev = m;
  };
  const pendingIds = new Set(pending.map((e) => e.id));
  for (const m of messages) {
    gapsBefore(m.seq);
    holesBefore(m.seq);
    if (pendingIds.has(m.id)) continue; // shown from the outbox until the ack lands
    const own = isOwn ? isOwn(m) : m.device && m.device === myTag;
    dividerBefore(m);
    push(m, own ? 'sent' : 'other');
  }
  gapsBefore(Infinity);
  for (const e of pending) push({ ...e, device: myTag }, e.state);
  return items;
}

function stateNode(item, actions) {
  const box = el('div', 'state');
  if (item.state === 'pending') {
    box.append(el('span', 'state-pending', 'Pending'));
  } else if (item.state === 'sent') {
    const s = el('span', 'state-sent', 'Sent');
    box.append(s);
  } else if (item.state === 'failed') {
    box.append(el('span', 'state-failed', `Not sent: ${item.m.error || 'rejected'}`));
    const retry = el('button', 'link-button', 'Retry');
    retry.type = 'button';
    retry.addEventListener('click', () => actions.retry(item.m.id));
    const discard = el('button', 'link-button', 'Discard');
    discard.type = 'button';
    discard.addEventListener('click', () => actions.discard(item.m.id));
    box.append(' ', retry, ' ', discard);
  }
  return box;
}

function createMessage(item) {
  const { m } = item;
  const li = el('li', 'msg');
  li.dataset.key = item.key;
  onLongPress(li, () => li.classList.toggle('show-actions'));
  const meta = el('div', 'meta');
  const who = el('span', `who c${colourIndex(m.username, m.device)}`, m.username || 'anonymous');
  who.dir = 'auto'; // a name in Hebrew or Arabic reads right to left
  meta.append(who);
  if (m.device) {
    const tag = el('span', 'tag', m.device);
    tag.title = 'device';
    tag.hidden = !item.tagged;
    meta.append(' ', tag);
  }
  const time = el('time', null, timeFormat.format(m.ts));
  time.dateTime = new Date(m.ts).toISOString();
  time.title = fullFormat.format(m.ts);
  meta.append(' ', time);
  const body = el('div', 'body');
  body.dir = 'auto'; // each message takes its direction from its own first strong letter
  li.append(meta, body, el('div', 'extras'));
  return li;
}

function updateMessage(li, item, actions) {
  li.classList.toggle('own', item.own);
  li.classList.toggle('cont', item.cont);
  if (item.m.seq) li.dataset.seq = String(item.m.seq);
  const who = li.querySelector('.who');
  const name = item.m.username || 'anonymous';
  if (who && who.textContent !== name) {
    // The sender's identity took a new name (a `rename`, or a folded `history`).
    who.textContent = name;
    who.className = `who c${colourIndex(item.m.username, item.m.device)}`;
  }
  const tag = li.querySelector('.meta .tag');
  if (tag) tag.hidden = !item.tagged;
  if (li.dataset.state !== item.state) {
    li.dataset.state = item.state;
    li.querySelector('.state')?.remove();
    if (item.state !== 'other') li.append(stateNode(item, actions));
  }
  const key = partsKey(item, actions.view);
  if (li.partsKey !== key) {
    li.partsKey = key;
    drawParts(li, item, actions.view);
  }
}

function createDivider(item) {
  const li = el('li', 'new-divider');
  li.dataset.key = item.key;
  li.append(el('span', null, 'New messages'));
  return li;
}

function createHole(item, actions) {
  const li = el('li', 'hole');
  li.dataset.key = item.key;
  const load = el('button', 'link-button', 'Load the messages in between');
  load.type = 'button';
  load.addEventListener('click', () => actions.loadHole(item.hole));
  li.append(load);
  return li;
}

function createDay(item) {
  const li = el('li', 'day');
  li.dataset.key = item.key;
  li.append(el('span', null, item.label));
  return li;
}

/** Messages the server can no longer deliver: said in words, in place, to screen readers too. */
export function gapText(from, to) {
  return from === to
    ? `Message ${from} is no longer available`
    : `Some messages from ${from} to ${to} are no longer available`;
}

function createGap(item) {
  const li = el('li', 'gap');
  li.dataset.key = item.key;
  li.setAttribute('role', 'note');
  li.append(el('span', null, gapText(item.from, item.to)));
  return li;
}

function createItem(item, actions) {
  if (item.kind === 'day') return createDay(item);
  if (item.kind === 'gap') return createGap(item);
  if (item.kind === 'divider') return createDivider(item);
  if (item.kind === 'hole') return createHole(item, actions);
  return createMessage(item);
}

/** Makes `list` show `items`, reusing existing nodes by key. */
export function renderItems(list, items, actions) {
  const existing = new Map();
  for (const node of list.children) existing.set(node.dataset.key, node);
  const wanted = new Set(items.map((i) => i.key));
  for (const [key, node] of existing) if (!wanted.has(key)) node.remove();
  let cursor = list.firstElementChild;
  for (const item of items) {
    let node = existing.get(item.key);
    if (!node) node = createItem(item, actions);
    if (item.kind === 'msg') updateMessage(node, item, actions);
    if (node === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(node, cursor);
  }
}
