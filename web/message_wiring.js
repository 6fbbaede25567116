// What the buttons on and around a message do: retry or discard a pending one, load a hole,
// reply, edit, delete, react, copy, the @mention suggestions. Sets page.actions (what
// render.js's buttons call), page.composeMode, page.picker and page.mentions.

import { Outbox } from './outbox.js';
import { mentionsMe } from './conversation.js';
import { ComposeMode, ReactPicker, copyText } from './message_actions.js';
import { Mentions } from './mentions.js';

const MENTION_CANDIDATES = 200; // the latest messages' authors offered as @names

/** @param {object} page  the page's parts (app.js) */
export function installMessageActions(page) {
  const { state, ui, store } = page;
  const $ = (id) => document.getElementById(id);
  const askedReactions = new Set(); // targets whose full list was asked for since the last change

  page.isMentioned = (m) => mentionsMe(m, state.identity, page.me().username);

  /** Sends a change of a message (edit, delete, react, reactions), or says why it cannot. */
  function sendChange(frame) {
    if (page.conn.send({ ...frame, room: state.room })) return true;
    page.view.showNotice('Not connected: try again once the connection is open.');
    return false;
  }

  /** The name to show for an identity: who is online, else who wrote here. */
  function nameOf(identity) {
    for (const u of page.presence.users.values()) if (u.identity === identity && u.username) return u.username;
    const { list } = state.timeline;
    for (let i = list.length - 1; i >= 0; i -= 1) {
      if (list[i].identity === identity && list[i].username) return list[i].username;
    }
    return identity.slice(0, 6);
  }

  function react(m, emoji, remove) {
    const frame = { type: 'react', id: store.newMessageId(state.device), target: m.seq, emoji };
    if (remove) frame.remove = true;
    askedReactions.delete(m.seq);
    if (sendChange(frame)) page.view.announce(remove ? `Reaction ${emoji} taken back` : `Reacted with ${emoji}`);
  }

  page.composeMode = new ComposeMode({
    box: $('compose-mode'), text: $('compose-mode-text'), cancel: $('compose-mode-cancel'), input: ui.message,
    announce: (text) => page.view.announce(text),
  });

  page.picker = new ReactPicker({
    root: $('react-picker'), quick: $('react-quick'), form: $('react-form'), input: $('react-input'),
    onPick(m, emoji) {
      const mine = m.reactions?.find((r) => r.emoji === emoji)?.mine === true;
      react(m, emoji, mine);
    },
  });

  page.mentions = new Mentions(ui.message, $('mention-list'), () => {
    const people = [...page.presence.users.values()].map((u) => ({ username: u.username, identity: u.identity }));
    const { list } = state.timeline;
    for (let i = list.length - 1, n = 0; i >= 0 && n < MENTION_CANDIDATES; i -= 1, n += 1) {
      people.push({ username: list[i].username, identity: list[i].identity });
    }
    return people.filter((p) => p.identity !== state.identity);
  });

  page.actions = {
    retry(id) {
      page.outbox.retry(id);
      const entry = page.outbox.get(id);
      // Refused for its name (name_taken): resend under the name the person has now.
      if (entry && page.me().username) {
        entry.username = page.me().username;
        page.outbox.save();
      }
      if (entry) page.conn.send(Outbox.frame(entry));
      page.view.render();
    },
    discard(id) {
      page.outbox.remove(id);
      page.view.render();
    },
    loadHole: (hole) => page.sync.askHistory({ after: hole.after }),
    view: {
      mentionsMe: page.isMentioned,
      quoted(m) {
        const held = state.timeline.get(m.reply_to);
        if (held) return { username: held.username, message: held.message, file: held.file?.name, deleted: held.deleted === true };
        if (m.reply) return { username: m.reply.username, message: m.reply.message, deleted: m.reply.deleted };
        return { username: '', message: '', deleted: false };
      },
      seenBy: (m) => state.readersOf(m).map(nameOf).sort((a, b) => a.localeCompare(b)),
      jumpTo: (seq) => page.sync.jumpTo(seq),
      announce: (text) => page.view.announce(text),
      async copy(text, done) {
        page.view.announce((await copyText(text)) ? done : 'Could not copy');
      },
      react,
      whoReacted(m) {
        if (askedReactions.has(m.seq)) return;
        askedReactions.add(m.seq);
        page.conn.send({ type: 'reactions', target: m.seq, room: state.room });
      },
      openPicker: (m, button) => page.picker.open(m, button),
      reply: (m) => page.composeMode.reply(m),
      edit: (m) => page.composeMode.edit(m),
      remove(m) {
        if (!window.confirm('Delete this message for everyone?')) return;
        if (sendChange({ type: 'delete', id: store.newMessageId(state.device), target: m.seq })) page.view.announce('Message deleted');
      },
    },
  };
}
