// Moving between rooms: the room in the address (#/room/<name>), the join form, the room list
// and its drawer on narrow screens.

import { DEFAULT_ROOM, ROOM_RULE, hashFor, isValidRoom, roomFromHash } from './rooms.js';

/** The room the address asks for (the default one, corrected in the address, when none). */
export function initialRoom(showNotice) {
  const wanted = roomFromHash(window.location.hash);
  if (typeof wanted === 'string') return wanted;
  if (wanted && wanted.invalid !== undefined) {
    setTimeout(() => showNotice(`“${wanted.invalid}” is not a room name. ${ROOM_RULE}`));
  }
  window.history.replaceState(null, '', hashFor(DEFAULT_ROOM));
  return DEFAULT_ROOM;
}

/** @param {object} page  the page's parts (app.js) */
export function installNavigation(page) {
  const { ui, state } = page;

  function switchRoom(next) {
    if (next === state.room) return;
    page.view.saveNow();
    for (const leaving of page.hooks.roomLeaving) leaving(state.room);
    state.enterRoom(next);
    page.composeMode.done();
    page.picker.close();
    page.presence.clear();
    ui.roomTitle.textContent = next;
    ui.list.replaceChildren();
    page.scroller.clearUnseen();
    page.view.render({ bottom: true });
    page.view.closeSidebar();
    for (const entered of page.hooks.roomEntered) entered(next);
    page.conn.restart();
  }

  window.addEventListener('hashchange', () => {
    const wanted = roomFromHash(window.location.hash);
    if (typeof wanted === 'string') {
      switchRoom(wanted);
    } else if (wanted === null) {
      switchRoom(DEFAULT_ROOM);
    } else {
      page.view.showNotice(`“${wanted.invalid}” is not a room name. ${ROOM_RULE}`);
      window.history.replaceState(null, '', hashFor(state.room));
    }
  });

  ui.joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = ui.roomInput.value.trim().replace(/^#/, '');
    if (!isValidRoom(name)) {
      ui.roomError.textContent = ROOM_RULE;
      ui.roomInput.setAttribute('aria-invalid', 'true');
      return;
    }
    ui.roomError.textContent = '';
    ui.roomInput.removeAttribute('aria-invalid');
    ui.roomInput.value = '';
    window.location.hash = hashFor(name);
  });

  ui.roomList.addEventListener('click', (event) => {
    if (event.target.closest('a')) page.view.closeSidebar();
  });

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && ui.app.classList.contains('sidebar-open')) page.view.closeSidebar({ focusToggle: true });
  });

  ui.roomsToggle.addEventListener('click', () => {
    const open = ui.app.classList.toggle('sidebar-open');
    ui.roomsToggle.setAttribute('aria-expanded', String(open));
  });

  ui.roomTitle.textContent = state.room;
}
