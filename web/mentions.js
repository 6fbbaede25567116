// @mentions in the message box: typing `@` suggests names (the room's people online and recent
// authors), chosen with the arrow keys and Enter or Tab (Escape closes), or a click; on send,
// each @name of a known person becomes their identity in the frame's `mentions`
// (docs/protocol.md, "Conversation").

import { textMentions } from './conversation.js';

const MAX_SUGGESTIONS = 8;
const MAX_MENTIONS = 20; // the protocol's cap
const TOKEN_RE = /(?:^|[^A-Za-z0-9_-])@([\p{L}\p{N}_-]*)$/u;

export class Mentions {
  /**
   * @param {HTMLTextAreaElement} input
   * @param {HTMLUListElement} list     the suggestions (a listbox)
   * @param {() => Array<{username: string, identity: string}>} people  who can be named
   */
  constructor(input, list, people) {
    this.input = input;
    this.list = list;
    this.people = people;
    this.shown = [];
    this.active = 0;
    list.id ||= 'mention-list';
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', list.id);
    input.addEventListener('input', () => this.update());
    input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    input.addEventListener('click', () => this.update());
  }

  get open() {
    return this.shown.length > 0;
  }

  /** The word being typed after an @, or null. */
  typed() {
    const before = this.input.value.slice(0, this.input.selectionStart);
    const m = TOKEN_RE.exec(before);
    return m ? m[1] : null;
  }

  update() {
    const word = this.typed();
    if (word === null) return this.close();
    const lower = word.toLowerCase();
    this.shown = this.candidates().filter((p) => p.username.toLowerCase().startsWith(lower)).slice(0, MAX_SUGGESTIONS);
    this.active = 0;
    this.draw();
    return undefined;
  }

  /** People with a name and an identity, once each, in the order `people` gives them. */
  candidates() {
    const seen = new Set();
    const out = [];
    for (const p of this.people()) {
      if (!p || !p.username || !p.identity || seen.has(p.identity)) continue;
      seen.add(p.identity);
      out.push(p);
    }
    return out;
  }

  draw() {
    this.list.replaceChildren();
    this.list.hidden = !this.open;
    this.input.setAttribute('aria-expanded', String(this.open));
    this.shown.forEach((p, i) => {
      const li = document.createElement('li');
      li.id = `mention-option-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === this.active));
      li.textContent = `@${p.username}`;
      li.addEventListener('mousedown', (event) => {
        event.preventDefault(); // keep the focus in the message box
        this.choose(i);
      });
      this.list.append(li);
    });
    if (this.open) this.input.setAttribute('aria-activedescendant', `mention-option-${this.active}`);
    else this.input.removeAttribute('aria-activedescendant');
  }

  close() {
    if (!this.open && this.list.hidden) return;
    this.shown = [];
    this.draw();
  }

  choose(i) {
    const p = this.shown[i];
    if (!p) return;
    const at = this.input.selectionStart;
    const before = this.input.value.slice(0, at).replace(/@[\p{L}\p{N}_-]*$/u, `@${p.username} `);
    this.input.value = before + this.input.value.slice(at);
    this.input.setSelectionRange(before.length, before.length);
    this.close();
    this.input.dispatchEvent(new Event('input'));
  }

  /** A key in the message box; true when it worked the suggestions. */
  onKeyDown(event) {
    if (!this.open || event.isComposing) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.shown.length) % this.shown.length;
      this.draw();
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      this.choose(this.active);
    } else if (event.key === 'Escape') {
      this.close();
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  /** The identities `text` names with @name, of the people this page knows. */
  resolve(text) {
    const ids = [];
    for (const p of this.candidates()) {
      if (ids.length < MAX_MENTIONS && textMentions(text, p.username)) ids.push(p.identity);
    }
    return ids;
  }
}
