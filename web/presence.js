// Who is online in the room, and who is typing.

const TYPING_SHOWN_MS = 5_000;

const keyOf = (u) => `${u.username}\u0000${u.device || ''}`;

export class Presence {
  /**
   * @param {HTMLElement} list       the <ul> of people online
   * @param {HTMLElement} count      where the number of people goes
   * @param {HTMLElement} typingLine where "kim is typing…" goes
   * @param {() => {username: string, device: string, identity: string}} me
   * @param {(identity: string, username: string) => void} [onDirect]  open a direct conversation
   */
  constructor(list, count, typingLine, me, onDirect) {
    this.list = list;
    this.onDirect = onDirect;
    this.count = count;
    this.typingLine = typingLine;
    this.me = me;
    this.users = new Map();
    this.onChange = () => {}; // who is online changed (the page redraws device tags)
    this.typing = new Map(); // key -> {username, device, timer}
  }

  clear() {
    this.users.clear();
    for (const t of this.typing.values()) clearTimeout(t.timer);
    this.typing.clear();
    this.draw();
    this.drawTyping();
  }

  setAll(users) {
    this.users.clear();
    for (const u of users || []) if (u && typeof u.username === 'string') this.users.set(keyOf(u), u);
    this.draw();
    this.onChange();
  }

  join(u) {
    this.users.set(keyOf(u), { username: u.username, device: u.device, identity: u.identity });
    this.draw();
    this.onChange();
  }

  leave(u) {
    this.users.delete(keyOf(u));
    this.stopTyping(u);
    this.draw();
    this.onChange();
  }

  startTyping(u) {
    const me = this.me();
    if (u.username === me.username && (u.device || '') === me.device) return; // another tab of ours
    const key = keyOf(u);
    const old = this.typing.get(key);
    if (old) clearTimeout(old.timer);
    const timer = setTimeout(() => this.stopTyping(u), TYPING_SHOWN_MS);
    this.typing.set(key, { username: u.username, device: u.device, timer });
    this.drawTyping();
  }

  /** Their message arrived (or they left): they are no longer typing. */
  stopTyping(u) {
    const key = keyOf(u);
    const old = this.typing.get(key);
    if (!old) return;
    clearTimeout(old.timer);
    this.typing.delete(key);
    this.drawTyping();
  }

  draw() {
    const me = this.me();
    const users = [...this.users.values()].sort((a, b) =>
      a.username.localeCompare(b.username) || (a.device || '').localeCompare(b.device || ''));
    const names = new Map();
    for (const u of users) names.set(u.username, (names.get(u.username) || 0) + 1);
    this.list.replaceChildren();
    for (const u of users) {
      const li = document.createElement('li');
      li.className = 'person';
      const dot = document.createElement('span');
      dot.className = 'dot';
      dot.setAttribute('aria-hidden', 'true');
      const name = document.createElement('span');
      name.className = 'person-name';
      name.dir = 'auto';
      name.textContent = u.username;
      li.append(dot, name);
      // The device tag tells apart two people online under one name; alone, a name needs none.
      if (u.device && names.get(u.username) > 1) {
        const tag = document.createElement('span');
        tag.className = 'tag tag-strong';
        tag.textContent = u.device;
        li.append(' ', tag);
      }
      const mine = u.identity ? u.identity === me.identity : u.username === me.username && (u.device || '') === me.device;
      if (mine) {
        const you = document.createElement('span');
        you.className = 'you';
        you.textContent = '(you)';
        li.append(' ', you);
      } else if (u.identity && this.onDirect && me.identity) {
        // A direct conversation: a private room of the two of us (docs/protocol.md).
        const dm = document.createElement('button');
        dm.type = 'button';
        dm.className = 'link-button';
        dm.textContent = 'Message';
        dm.setAttribute('aria-label', `Message ${u.username} privately`);
        dm.addEventListener('click', () => this.onDirect(u.identity, u.username));
        li.append(' ', dm);
      }
      this.list.append(li);
    }
    this.count.textContent = users.length ? String(users.length) : '';
    if (users.length === 0) {
      const li = document.createElement('li');
      li.className = 'people-empty';
      li.textContent = me.username ? 'No one yet' : 'Choose a username to be listed here';
      this.list.append(li);
    }
  }

  /** The names shared by two or more people online: their device tags tell them apart. */
  sharedNames() {
    const devices = new Map();
    for (const u of this.users.values()) {
      if (!devices.has(u.username)) devices.set(u.username, new Set());
      devices.get(u.username).add(u.device || '');
    }
    return new Set([...devices].filter(([, d]) => d.size > 1).map(([name]) => name));
  }

  drawTyping() {
    const names = [...this.typing.values()].map((t) => t.username);
    let text = '';
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = 'Several people are typing…';
    this.typingLine.textContent = text;
  }
}
