// Search (docs/protocol.md, "Search"): Ctrl+K or "/" opens a box; results come as you type
// (debounced), grouped by room, the matched words marked; choosing one opens its room at that
// message (history `around` it) and highlights it for a moment. Builds DOM nodes only, never
// markup from text.

const DEBOUNCE_MS = 200;
const LIMIT = 30;

/**
 * Installs the search box on the page.
 * @param {object} deps
 * @param {{send: (frame: object) => boolean, hooks: {onFrame: (f: object) => void}}} deps.conn
 *   the page's connection: `search` answers (and errors naming a search's id) are taken from its
 *   frames before the page's own handler sees them
 * @param {() => string} deps.currentRoom  the room on screen
 * @param {(room: string) => string} deps.hashFor  the address fragment of a room
 * @param {(seq: number) => void} deps.jumpTo  shows a message of the room on screen, loading
 *   the history around it when needed
 */
export function installSearch({ conn, currentRoom, hashFor, jumpTo }) {
  const panel = el('div', 'search-panel');
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', 'Search messages');
  const input = el('input', 'search-input');
  input.type = 'search';
  input.placeholder = 'Search messages (Esc to close)';
  input.setAttribute('aria-label', 'Search messages');
  input.autocomplete = 'off';
  const note = el('p', 'search-note');
  note.setAttribute('role', 'status');
  const results = el('div', 'search-results');
  panel.append(input, note, results);
  document.body.append(panel);

  let timer = 0;
  let serial = 0;
  let latest = '';   // the id of the newest request: older answers are dropped
  let waitingFor = null; // {room, seq}: open this message once its room has welcomed us

  const previous = conn.hooks.onFrame;
  conn.hooks.onFrame = (f) => {
    if (f && f.type === 'search') return onAnswer(f);
    if (f && f.type === 'error' && typeof f.id === 'string' && f.id.startsWith('search-')) return onError(f);
    previous(f);
    if (f && f.type === 'welcome' && waitingFor && f.room === waitingFor.room) {
      const { seq } = waitingFor;
      waitingFor = null;
      jumpTo(seq);
    }
    return undefined;
  };

  function open() {
    panel.hidden = false;
    input.focus();
    input.select();
  }

  function close() {
    panel.hidden = true;
    clearTimeout(timer);
  }

  function ask() {
    const query = input.value.trim();
    if (!query) {
      latest = '';
      results.replaceChildren();
      note.textContent = '';
      return;
    }
    latest = `search-${++serial}`;
    if (!conn.send({ type: 'search', id: latest, query, limit: LIMIT })) {
      note.textContent = 'Not connected: search once the connection is open.';
    }
  }

  function onAnswer(f) {
    if (f.id !== latest) return;
    const list = Array.isArray(f.results) ? f.results : [];
    note.textContent = list.length ? '' : 'Nothing found.';
    const groups = new Map();
    for (const r of list) {
      if (!r || typeof r.room !== 'string' || !Number.isInteger(r.seq)) continue;
      if (!groups.has(r.room)) groups.set(r.room, []);
      groups.get(r.room).push(r);
    }
    const nodes = [];
    for (const [room, items] of groups) {
      const section = el('section', 'search-room');
      const title = el('h3', 'search-room-name');
      title.textContent = `#${room}`;
      const ul = el('ul', 'search-list');
      for (const r of items) ul.append(resultItem(r));
      section.append(title, ul);
      nodes.push(section);
    }
    results.replaceChildren(...nodes);
  }

  function onError(f) {
    if (f.id !== latest) return;
    results.replaceChildren();
    note.textContent = typeof f.message === 'string' ? f.message : 'Search failed.';
  }

  function resultItem(r) {
    const li = el('li', 'search-result');
    const button = el('button', 'search-hit');
    button.type = 'button';
    button.dataset.room = r.room;
    button.dataset.seq = String(r.seq);
    const meta = el('span', 'search-meta');
    const when = Number.isFinite(r.ts) ? new Date(r.ts).toLocaleString() : '';
    meta.textContent = `${typeof r.username === 'string' ? r.username : ''} · ${when}`;
    const text = el('span', 'search-snippet');
    const parts = Array.isArray(r.snippet) ? r.snippet : [];
    parts.forEach((part, i) => {
      if (typeof part !== 'string' || part === '') return;
      if (i % 2 === 1) {
        const mark = el('mark');
        mark.textContent = part;
        text.append(mark);
      } else {
        text.append(document.createTextNode(part));
      }
    });
    button.append(meta, text);
    button.addEventListener('click', () => choose(r.room, r.seq));
    li.append(button);
    return li;
  }

  function choose(room, seq) {
    close();
    if (room === currentRoom()) {
      jumpTo(seq);
      return;
    }
    waitingFor = { room, seq };
    window.location.hash = hashFor(room); // the page switches room; its welcome opens the message
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(ask, DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (event.key === 'Enter') {
      clearTimeout(timer);
      ask();
    }
  });
  document.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLElement &&
      (event.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName));
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
      event.preventDefault();
      if (panel.hidden) open(); else close();
    } else if (event.key === '/' && !typing && panel.hidden) {
      event.preventDefault();
      open();
    } else if (event.key === 'Escape' && !panel.hidden) {
      close();
    }
  });
}

function el(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}
