// The server's frames (docs/protocol.md), each applied to the page's state and drawn.

import { DEFAULT_ROOM, hashFor, isValidRoom } from './rooms.js';

/** @param {object} page  the page's parts (app.js); returns the handler of one frame */
export function createFrameHandler(page) {
  const { state, ui } = page;
  const view = () => page.view;
  const sync = () => page.sync;

  function onWelcome(f) {
    if (page.pendingLink) {
      page.conn.send({ type: 'link', code: page.pendingLink });
      page.pendingLink = '';
    }
    state.takeLimits(f.limits);
    state.setIdentity(f.identity);
    if (typeof f.username === 'string' && f.username) page.useName(f.username);
    ui.message.maxLength = state.limits.max_message_chars * 2; // code units; the exact count is checked on send
    for (const changed of page.hooks.limitsChanged) changed();
    const { room } = state;
    if (f.room !== room) return;
    state.noteSeq(room, f.seq);
    if (state.dividerAt === null && Number.isInteger(f.read) && f.read > 0 && f.read < f.seq) state.dividerAt = f.read;
    // With cached messages and an epoch of theirs, a different epoch here is followed by `reset`,
    // which saves it once the cache is dropped: saved here, a lost `reset` would let the next
    // resume pass the old seqs off as the new history's.
    if (typeof f.epoch === 'string' && (!page.store.loadEpoch(room) || state.timeline.maxSeq === 0)) page.store.saveEpoch(room, f.epoch);
    if (Number.isInteger(f.seq) && f.seq < state.timeline.maxSeq) {
      // The server has fewer messages than we cached (its data was reset): start over from it.
      state.dropTimeline();
      view().render();
    }
    if (state.timeline.list.length === 0) sync().askHistory(undefined);
    sync().askRooms();
    sync().flushOutbox();
  }

  function onMessage(f) {
    for (const seen of page.hooks.message) seen(f); // e.g. a file's pending card gives way
    state.noteSeq(f.room, f.seq);
    if (f.room !== state.room) return;
    const added = state.timeline.add([f]);
    const wasMine = page.outbox.remove(f.id);
    page.presence.stopTyping(f);
    const fromOthers = added.filter((m) => !state.isOwn(m));
    for (const m of fromOthers) page.notifier.arrived(m, state.room, page.isMentioned(m));
    view().render({ unseen: fromOthers.length, bottom: wasMine });
    if (added.length) sync().askRoomsSoon();
  }

  // This device acts as another identity now: take its name (so the next connection's name= is
  // not claimed for it) and reconnect, which brings that identity's rooms and state.
  function onLinked(f) {
    if (typeof f.identity !== 'string') return;
    state.setIdentity(f.identity);
    const name = typeof f.username === 'string' ? f.username : '';
    ui.username.value = name;
    page.store.saveUsername(name);
    document.getElementById('link').close();
    view().showNotice(name ? `This device is linked: you are ${name}.` : 'This device is linked.');
    page.conn.restart();
  }

  // The server says which name this browser's identity owns now.
  function onName(f) {
    if (f.identity !== state.identity || typeof f.username !== 'string') return;
    if (f.username) page.useName(f.username);
  }

  // A private room we made, were invited to, or a direct conversation we opened: go there.
  function onPrivateRoom(f) {
    if (!isValidRoom(f.room)) return;
    state.rememberRoom(f.room);
    if (typeof f.by === 'string') {
      // Someone invited us or wrote to us privately: it joins the room list, we stay here.
      if (!(f.room in state.roomSeqs)) state.roomSeqs[f.room] = 0;
      view().drawRooms();
      view().showNotice(f.direct ? 'Someone opened a private conversation with you: see your rooms.' : `You were invited to #${f.room}.`);
      sync().askRoomsSoon();
      return;
    }
    window.location.hash = hashFor(f.room);
  }

  function onRename(f) {
    if (typeof f.identity !== 'string' || typeof f.username !== 'string') return;
    if (f.room === state.room && state.timeline.relabel(f.identity, f.username)) view().render();
  }

  // The server's count of a followed room: badges, the mention marker and the title follow it.
  function onRoomActivity(f) {
    const { activity } = page;
    const before = activity.has(f.room) ? activity.mentionsOf(f.room) : null;
    const unreadBefore = activity.unreadOf(f.room, state.readMarks[f.room] || 0);
    if (!isValidRoom(f.room) || !activity.update(f)) return;
    if (f.room !== state.room) page.roomNotify?.arrived(f.room, unreadBefore, activity.unreadOf(f.room, state.readMarks[f.room] || 0));
    // A new mention in a room that is not on screen: its messages do not come to this page.
    if (f.room !== state.room && before !== null && activity.mentionsOf(f.room) > before) page.notifier.mentionedIn(f.room);
    state.noteSeq(f.room, f.seq);
    view().drawRooms();
  }

  // Another tab or device of this identity read a room up to seq.
  function onRead(f) {
    if (!isValidRoom(f.room) || !Number.isInteger(f.seq)) return;
    state.readUpTo(f.room, f.seq);
    page.activity.sentRead(f.room, f.seq); // Nothing to tell the server below that.
    view().drawRooms();
  }

  // Messages the server can no longer deliver (retention removed them, or its history was reset).
  function onGap(f) {
    if (f.room !== state.room) return;
    if (state.timeline.addGap(f.from, f.to)) view().render();
  }

  // The server's history of this room is not the one our cached messages came from (a restored
  // backup, lost data, another server): they are dropped and the room is read anew.
  function onReset(f) {
    if (f.room !== state.room) return;
    if (typeof f.epoch === 'string') page.store.saveEpoch(state.room, f.epoch);
    state.dropTimeline();
    view().render();
    view().showNotice('The server’s history of this room was replaced (a restored backup or lost data): it is shown as the server has it now.');
    sync().askHistory(undefined);
  }

  function onAck(f) {
    state.noteSeq(f.room, f.seq);
    const entry = page.outbox.get(f.id);
    if (!entry) return;
    page.outbox.remove(f.id);
    if (f.room === state.room && Number.isInteger(f.seq) && !state.timeline.has(f.seq)) {
      // Our copy of the message may come after the ack: show it as sent already.
      state.timeline.add([{ ...entry, seq: f.seq, device: state.tag, provisional: true }]);
    }
    view().render();
  }

  function onError(f) {
    if (f.code === 'bad_token') {
      // The stored token is damaged: this browser starts over as a new identity.
      state.newIdentityToken();
      return;
    }
    if (f.code === 'not_member' && f.room === state.room && !f.id) {
      // A private room this identity is not a member of: nothing of it is shown here.
      view().showNotice(f.message || 'This room is private.');
      state.forgetRoom(state.room);
      window.location.hash = hashFor(DEFAULT_ROOM);
      return;
    }
    if (typeof f.id === 'string' && page.outbox.get(f.id)) {
      if (page.outbox.reject(f.id, f.code, f.message) === 'retry') sync().scheduleRetry();
      view().render();
      return;
    }
    view().showNotice(f.message || f.code || 'The server refused a request.');
  }

  function onHistory(f) {
    if (f.room !== state.room) return;
    const { timeline } = state;
    state.historyInFlight = false;
    const ask = state.historyAsk || {};
    state.historyAsk = null;
    const messages = Array.isArray(f.messages) ? f.messages : [];
    const oldMin = timeline.minSeq;
    timeline.add(messages);
    if (ask.around !== undefined || ask.after !== undefined) {
      const seqs = messages.map((m) => m.seq).filter(Number.isInteger);
      const lo = ask.after !== undefined ? ask.after : Math.min(...seqs, ask.around);
      const hi = seqs.length ? Math.max(...seqs) : Number.MAX_SAFE_INTEGER;
      timeline.noteWindow(lo, hi, f.more_after === true && seqs.length > 0, oldMin);
      if (ask.around !== undefined && (oldMin === 0 || lo <= oldMin)) timeline.more = f.more === true;
    } else {
      timeline.more = f.more === true;
    }
    timeline.loaded = true;
    view().render();
    if (state.pendingJump) {
      const seq = state.pendingJump;
      if (timeline.has(seq)) {
        state.pendingJump = 0;
        view().showMessage(seq);
      } else if (ask.around === seq) {
        state.pendingJump = 0;
        view().showNotice('That message is no longer available.');
      } else {
        sync().askHistory({ around: seq }); // another page was on its way when the jump was asked
      }
      return;
    }
    sync().fillScreen();
  }

  // An edit, delete or reaction: an event of the room's seq stream, applied to its target.
  function onChange(f) {
    state.noteSeq(f.room, f.seq);
    if (f.room !== state.room || !Number.isInteger(f.target)) return;
    const m = state.timeline.applyEvent(f, state.identity);
    if (!m) return;
    if (f.type === 'delete' && page.composeMode.mode?.m.seq === m.seq) page.composeMode.cancel();
    view().render();
  }

  function onReactionList(f) {
    if (f.room !== state.room || !Number.isInteger(f.target)) return;
    if (state.timeline.applyReactions(f, state.identity)) view().render();
  }

  // Who has read this room up to where: "seen by N" under our own messages.
  function onSeen(f) {
    if (f.room !== state.room || !Array.isArray(f.readers)) return;
    if (f.full === true) state.seenReaders = new Map();
    for (const r of f.readers) {
      if (r && typeof r.identity === 'string' && Number.isInteger(r.seq)) {
        state.seenReaders.set(r.identity, Math.max(r.seq, state.seenReaders.get(r.identity) || 0));
      }
    }
    view().render();
  }

  function onRooms(f) {
    if (!Array.isArray(f.rooms)) return;
    for (const r of f.rooms) if (r && isValidRoom(r.room)) state.noteSeq(r.room, r.seq);
    view().drawRooms();
  }

  const here = (f) => f.room === state.room;
  const handlers = {
    welcome: onWelcome,
    message: onMessage,
    ack: onAck,
    error: onError,
    history: onHistory,
    rooms: onRooms,
    presence: (f) => here(f) && page.presence.setAll(f.users),
    join: (f) => here(f) && page.presence.join(f),
    leave: (f) => here(f) && page.presence.leave(f),
    typing: (f) => here(f) && typeof f.username === 'string' && page.presence.startTyping(f),
    name: onName,
    room: onPrivateRoom,
    rename: onRename,
    room_activity: onRoomActivity,
    read: onRead,
    gap: onGap,
    reset: onReset,
    link_code: (f) => page.onLinkCode(f),
    edit: onChange,
    delete: onChange,
    react: onChange,
    reactions: onReactionList,
    seen: onSeen,
    linked: onLinked,
  };

  // pong, subscribed, and types added later are ignored; own properties only ("constructor").
  return (f) => {
    if (typeof f.type === 'string' && Object.hasOwn(handlers, f.type)) handlers[f.type](f);
  };
}
