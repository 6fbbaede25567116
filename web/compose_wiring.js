// The chat box wired to the page: sending (new, reply, edit) through the outbox, the arrow-up
// edit, Escape, typing notices and the username.

import { setupComposer } from './composer.js';
import { Outbox } from './outbox.js';

/** @param {object} page  the page's parts (app.js) */
export function installComposer(page) {
  const { state, ui, store } = page;

  function sendEdit(mode, text, mentioned) {
    if (text !== mode.m.message) {
      const frame = { type: 'edit', id: store.newMessageId(state.device), room: state.room, target: mode.m.seq, message: text };
      if (mentioned.length) frame.mentions = mentioned;
      if (!page.conn.send(frame)) {
        page.view.showNotice('Not connected: the edit can be saved once the connection is open.');
        return false;
      }
      page.view.announce('Message edited');
    }
    page.composeMode.done();
    return true;
  }

  ui.username.value = store.loadUsername();
  page.composer = setupComposer({
    form: ui.form,
    message: ui.message,
    username: ui.username,
    limits: () => state.limits,
    onSend(text, username) {
      const mode = page.composeMode.mode;
      const mentioned = page.mentions.resolve(text);
      if (mode?.kind === 'edit') return sendEdit(mode, text, mentioned);
      const entry = { id: store.newMessageId(state.device), room: state.room, username, message: text, ts: Date.now() };
      if (mode?.kind === 'reply') entry.reply_to = mode.m.seq;
      if (mentioned.length) entry.mentions = mentioned;
      page.composeMode.done();
      state.dividerAt = null; // writing: everything above has been read
      page.outbox.add(entry);
      page.conn.send(Outbox.frame(entry)); // if not open, it goes out from the outbox on reconnect
      page.view.render({ bottom: true });
      return true;
    },
    onKeyDown(event) {
      if (page.mentions.onKeyDown(event)) return true;
      if (event.key === 'Escape' && (page.composeMode.mode || !page.picker.root.hidden)) {
        event.preventDefault();
        page.picker.close();
        page.composeMode.cancel();
        return true;
      }
      if (event.key === 'ArrowUp' && ui.message.value === '' && !page.composeMode.mode) {
        const last = [...state.timeline.list].reverse().find((m) => state.isOwn(m) && !m.deleted && !m.provisional);
        if (!last) return false;
        event.preventDefault();
        page.composeMode.edit(last);
        return true;
      }
      return false;
    },
    onTyping: (username) => page.conn.send({ type: 'typing', username }),
    onName(name) {
      store.saveUsername(name);
      if (name) page.conn.send({ type: 'identify', username: name });
      page.presence.draw();
    },
    onProblem: (text) => page.view.showNotice(text),
    onCleared: () => { for (const sent of page.hooks.sent) sent(); },
  });
}
