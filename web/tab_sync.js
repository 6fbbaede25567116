// The tabs of one browser are one person: a name chosen in one tab reaches the others (through
// the storage event, which fires in every other tab of the origin), which take it and tell the
// server, so they do not post under the old name or show twice among the people online.

/** @param {object} page  the page's parts (app.js) */
export function installTabSync(page) {
  window.addEventListener('storage', (event) => {
    if (page.store.ownKey(event.key) !== 'username' || event.newValue === null) return;
    let name;
    try {
      name = JSON.parse(event.newValue);
    } catch {
      return;
    }
    if (typeof name !== 'string' || name === page.ui.username.value.trim()) return;
    page.useName(name);
    if (name) page.conn.send({ type: 'identify', username: name });
  });
}
