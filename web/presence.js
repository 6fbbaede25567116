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
  }

  join(u) {
    this.users.set(keyOf(u), { username: u.username, device: u.device, identity: u.identity });
    this.draw();
  }

  leave(u) {
    this.users.delete(keyOf(u));
    this.stopTyping(u);
    this.draw();
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
      name.textContent = u.username;
      li.append(dot, name);
      if (u.device) {
        const tag = document.createElement('span');
        tag.className = names.get(u.username) > 1 ? 'tag tag-strong' : 'tag';
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
    this.count.textContent = String(users.length);
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
