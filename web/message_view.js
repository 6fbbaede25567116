// The conversation parts of one message in the list: the quoted message it answers, its shared
// file (file_view.js), its formatted text (or "message deleted"), "(edited)" with the time,
// reaction chips, "seen by N" under one's own messages, and its actions (reply, react, copy when
// it has text, and edit and delete for one's own), shown on hover, keyboard focus or a long press. Built as DOM nodes; user text only ever
// goes into textContent (format.js).

import { appendFormatted } from './format.js';
import { drawFile } from './file_view.js';

const LONG_PRESS_MS = 500;
const QUOTE_CHARS = 100;
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(className, text, onClick) {
  const b = el('button', className, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** "kim", "kim and lee", "kim, lee and 3 more". */
export function namesText(names, total = names.length) {
  const shown = names.slice(0, 10);
  const more = total - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** Calls `onLong` after a touch held still on `node` (a phone's long press). */
export function onLongPress(node, onLong) {
  let timer = 0;
  const cancel = () => clearTimeout(timer);
  node.addEventListener('pointerdown', (event) => {
    if (event.pointerType !== 'touch') return;
    cancel();
    timer = setTimeout(() => onLong(event), LONG_PRESS_MS);
  });
  for (const type of ['pointerup', 'pointercancel', 'pointermove', 'pointerleave']) node.addEventListener(type, cancel);
  node.addEventListener('contextmenu', (event) => {
    if (node.closest('.msg')?.classList.contains('show-actions')) event.preventDefault();
  });
}

/**
 * What the message looks like now, as a string: the parts are drawn again when it changes.
 * @param {object} item   render.js's item ({m, own, state})
 * @param {object} ctx    app.js's view: quoted(seq), seenBy(m), mentionsMe(m)
 */
export function partsKey(item, ctx) {
  const { m } = item;
  const quoted = m.reply_to ? ctx.quoted(m) : null;
  return JSON.stringify([m.message, m.deleted, m.edited, m.file, quoted, m.reactions, ctx.mentionsMe(m),
    item.own ? ctx.seenBy(m) : null, item.own, Boolean(m.seq) && item.state !== 'pending' && item.state !== 'failed']);
}

/** Draws the parts of `li` (made by render.js) for `item`. */
export function drawParts(li, item, ctx) {
  const { m } = item;
  li.classList.toggle('mentioned', ctx.mentionsMe(m));
  li.classList.toggle('deleted', m.deleted === true);

  // The quoted message, before the text.
  li.querySelector('.reply-quote')?.remove();
  if (m.reply_to) {
    const q = ctx.quoted(m);
    const quote = button('reply-quote', '', () => ctx.jumpTo(m.reply_to));
    const who = el('span', 'reply-who', q.username || 'someone');
    // A file shared without text is quoted by its name.
    const said = [...(q.message || (q.file ? `📎 ${q.file}` : ''))].slice(0, QUOTE_CHARS).join('');
    const text = el('span', 'reply-text', q.deleted ? 'deleted message' : said);
    who.dir = 'auto';
    text.dir = 'auto';
    quote.append(who, ' ', text);
    quote.setAttribute('aria-label', q.deleted
      ? `In reply to a deleted message of ${q.username || 'someone'}: show it`
      : `In reply to ${q.username || 'someone'}: ${said}. Show it`);
    if (q.deleted) quote.classList.add('reply-deleted');
    li.querySelector(':scope > .file, :scope > .body').before(quote);
  }
  drawFile(li, m);

  const body = li.querySelector('.body');
  body.replaceChildren();
  if (m.deleted) body.append(el('span', 'deleted-text', 'message deleted'));
  else appendFormatted(body, m.message, (text) => ctx.copy(text, 'Code copied'));

  // Under the text rather than in the name line, which a grouped message does not show.
  const extras = li.querySelector('.extras');
  extras.replaceChildren();
  if (Number.isFinite(m.edited) && !m.deleted) {
    const edited = el('span', 'edited', '(edited)');
    edited.title = `edited ${fullFormat.format(m.edited)}`;
    edited.tabIndex = 0; // the time shows on focus too (title), and is read out
    edited.setAttribute('aria-label', `edited ${fullFormat.format(m.edited)}`);
    extras.append(edited);
  }
  if (m.reactions?.length && !m.deleted) extras.append(reactionChips(m, ctx));
  if (item.own) {
    const seen = ctx.seenBy(m);
    if (seen.length > 0) {
      const line = el('span', 'seen', `Seen by ${seen.length}`);
      line.title = namesText(seen);
      line.tabIndex = 0; // the names show on focus too (title), and are read out
      line.setAttribute('aria-label', `Seen by ${namesText(seen)}`);
      onLongPress(line, () => ctx.announce(`Seen by ${namesText(seen)}`, true));
      extras.append(line);
    }
  }

  li.querySelector('.actions')?.remove();
  const actionable = Boolean(m.seq) && !m.deleted && item.state !== 'pending' && item.state !== 'failed';
  if (actionable) li.append(actionBar(m, item.own, ctx));
  const state = li.querySelector('.state');
  if (state) li.append(state); // the state line stays last
}

function reactionChips(m, ctx) {
  const box = el('div', 'reactions');
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', 'Reactions');
  for (const r of m.reactions) {
    const names = r.users.map((u) => u.username || 'someone');
    const chip = button('reaction', '', () => ctx.react(m, r.emoji, r.mine));
    chip.append(el('span', 'reaction-emoji', r.emoji), el('span', 'reaction-count', String(r.count)));
    chip.setAttribute('aria-pressed', String(r.mine));
    chip.title = namesText(names, r.count);
    chip.setAttribute('aria-label', `${r.emoji} ${r.count}: ${namesText(names, r.count)}${r.mine ? ' (you reacted; press to take it back)' : ''}`);
    // Everyone's names, asked for when the chip shows only some of them.
    const full = () => { if (r.count > r.users.length) ctx.whoReacted(m); };
    chip.addEventListener('mouseenter', full);
    chip.addEventListener('focus', full);
    onLongPress(chip, () => {
      full();
      ctx.announce(`${r.emoji}: ${namesText(names, r.count)}`, true);
    });
    box.append(chip);
  }
  return box;
}

function actionBar(m, own, ctx) {
  const bar = el('div', 'actions');
  bar.setAttribute('role', 'group'); // each button is a tab stop: no toolbar arrow-key model
  bar.setAttribute('aria-label', `Actions for the message of ${m.username || 'anonymous'}`);
  bar.append(button('action', 'Reply', () => ctx.reply(m)));
  bar.append(button('action', 'React', (event) => ctx.openPicker(m, event.currentTarget)));
  if (m.message) bar.append(button('action', 'Copy', () => ctx.copy(m.message, 'Text copied')));
  if (own) {
    bar.append(button('action', 'Edit', () => ctx.edit(m)));
    bar.append(button('action action-danger', 'Delete', () => ctx.remove(m)));
  }
  return bar;
}
