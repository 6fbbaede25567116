// The pending card of each file being sent, below the conversation's messages until the real
// message takes its place: name, size, a progress bar, speed and time left, Cancel; a refusal
// in words with Retry / Dismiss; "Pick the file again" when a reload lost the File. All text
// goes through textContent.

import { formatBytes } from './upload_plan.js';

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(text, onClick, label) {
  const b = el('button', 'link-button', text);
  b.type = 'button';
  if (label) b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

/** The list of cards, placed right after the message list in the conversation. */
export function createUploadList(messageList) {
  const list = el('ol', 'uploads');
  list.id = 'uploads';
  list.setAttribute('aria-label', 'Files being sent');
  messageList.after(list);
  return list;
}

/**
 * Draws `u` (an upload of uploads.js) into its card, making it the first time. `actions`:
 * cancel(u), retry(u), dismiss(u), repick(u, file).
 */
export function drawCard(list, u, actions) {
  let card = u.card;
  if (!card) {
    card = el('li', 'upload-card');
    card.dataset.uploadId = u.id;
    const top = el('div', 'upload-top');
    top.append(el('span', 'upload-name', u.name), el('span', 'upload-size', formatBytes(u.size)));
    const bar = el('progress', 'upload-progress');
    bar.max = Math.max(1, u.size);
    bar.setAttribute('aria-label', `Sending ${u.name}`);
    const detail = el('p', 'upload-detail');
    detail.setAttribute('aria-live', 'polite');
    const buttons = el('div', 'upload-actions');
    card.append(top, bar, detail, buttons);
    card.parts = { bar, detail, buttons };
    u.card = card;
    list.append(card);
  }
  const { bar, detail, buttons } = card.parts;
  card.dataset.state = u.state;
  card.hidden = u.hidden;
  bar.value = Math.min(u.size, u.shown);
  detail.textContent = u.detail;
  const key = `${u.state}:${u.canRetry}`;
  if (buttons.dataset.key === key) return;
  buttons.dataset.key = key;
  buttons.replaceChildren();
  if (u.state === 'failed') {
    if (u.canRetry) buttons.append(button('Retry', () => actions.retry(u), `Retry sending ${u.name}`), ' ');
    buttons.append(button('Dismiss', () => actions.dismiss(u), `Dismiss ${u.name}`));
  } else if (u.state === 'needs-file') {
    const input = el('input');
    input.type = 'file';
    input.hidden = true;
    input.className = 'upload-repick';
    input.addEventListener('change', () => { if (input.files[0]) actions.repick(u, input.files[0]); });
    buttons.append(input, button('Pick the file again', () => input.click()), ' ',
      button('Cancel', () => actions.cancel(u), `Cancel sending ${u.name}`));
  } else if (u.state !== 'done') {
    buttons.append(button('Cancel', () => actions.cancel(u), `Cancel sending ${u.name}`));
  }
}

export function removeCard(u) {
  u.card?.remove();
  u.card = null;
}

/**
 * The drop target shown over the conversation while files are dragged over it: fixed over the
 * box's place on screen (the box scrolls, so a child placed inside it would scroll away).
 */
export function createDropTarget(box) {
  const target = el('div', 'drop-target', 'Drop files to send them');
  target.hidden = true;
  box.after(target);
  return {
    node: target,
    show() {
      const r = box.getBoundingClientRect();
      Object.assign(target.style, { top: `${r.top}px`, left: `${r.left}px`, width: `${r.width}px`, height: `${r.height}px` });
      target.hidden = false;
    },
    hide() { target.hidden = true; },
  };
}
