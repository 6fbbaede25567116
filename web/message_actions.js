// What the message actions start: the message box in "editing" or "replying to" mode (a line
// above it says which; Escape or Cancel leaves it), the reaction picker (a quick set and any
// emoji typed), copying text, and the aria-live line that tells screen readers what happened.

import { messageSummary } from './file_kind.js';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🎉'];
const QUOTE_CHARS = 60;

const start = (text) => {
  const chars = [...text.replace(/\s+/g, ' ')];
  return chars.length > QUOTE_CHARS ? `${chars.slice(0, QUOTE_CHARS).join('')}…` : chars.join('');
};

/** The message box's mode: null, {kind: 'edit', m} or {kind: 'reply', m}. */
export class ComposeMode {
  constructor({ box, text, cancel, input, announce }) {
    this.box = box;
    this.text = text;
    this.input = input;
    this.announce = announce;
    this.mode = null;
    cancel.addEventListener('click', () => this.cancel());
  }

  edit(m) {
    this.mode = { kind: 'edit', m };
    this.text.textContent = 'Editing your message (Escape cancels)';
    this.box.hidden = false;
    this.input.value = m.message;
    this.input.dispatchEvent(new Event('input'));
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
    this.announce('Editing your message. Enter saves, Escape cancels.');
  }

  reply(m) {
    this.mode = { kind: 'reply', m };
    this.text.textContent = `Replying to ${m.username || 'anonymous'}: ${start(messageSummary(m))}`;
    this.box.hidden = false;
    this.input.focus();
    this.announce(`Replying to ${m.username || 'anonymous'}. Escape cancels.`);
  }

  /** Leaves the mode; an edit's text leaves the box with it. */
  cancel() {
    if (!this.mode) return false;
    if (this.mode.kind === 'edit') {
      this.input.value = '';
      this.input.dispatchEvent(new Event('input'));
    }
    this.mode = null;
    this.box.hidden = true;
    this.input.focus();
    this.announce('Cancelled');
    return true;
  }

  /** The message was sent: back to writing new messages. */
  done() {
    this.mode = null;
    this.box.hidden = true;
  }
}

/** The reaction picker, one for the page, opened next to a message's React button. */
export class ReactPicker {
  constructor({ root, quick, form, input, onPick }) {
    this.root = root;
    this.input = input;
    this.onPick = onPick;
    this.m = null;
    this.opener = null;
    for (const emoji of QUICK_REACTIONS) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'react-quick-button';
      b.textContent = emoji;
      b.setAttribute('aria-label', `React with ${emoji}`);
      b.addEventListener('click', () => this.pick(emoji));
      quick.append(b);
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const emoji = input.value.trim();
      if (emoji) this.pick(emoji); // the server checks it is one emoji (bad_emoji otherwise)
    });
    root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        this.close();
      }
    });
    document.addEventListener('pointerdown', (event) => {
      if (!root.hidden && !root.contains(event.target) && event.target !== this.opener) this.close();
    });
  }

  open(m, opener) {
    this.m = m;
    this.opener = opener;
    this.input.value = '';
    this.root.hidden = false;
    // Placed by the button, inside the chat area (CSSOM, which the page's CSP allows).
    const area = this.root.offsetParent?.getBoundingClientRect() || { top: 0, left: 0, width: window.innerWidth };
    const at = opener.getBoundingClientRect();
    const width = this.root.offsetWidth;
    this.root.style.top = `${Math.max(0, at.bottom - area.top + 4)}px`;
    this.root.style.left = `${Math.max(4, Math.min(at.left - area.left, area.width - width - 4))}px`;
    this.root.querySelector('button')?.focus();
  }

  pick(emoji) {
    const { m } = this;
    this.close();
    if (m) this.onPick(m, emoji);
  }

  close() {
    if (this.root.hidden) return;
    this.root.hidden = true;
    if (this.opener?.isConnected) this.opener.focus();
    this.opener = null;
    this.m = null;
  }
}

/** Copies `text`; the Clipboard API needs a secure context, a LAN page over http uses a selection. */
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}
