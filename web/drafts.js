// Drafts: the text typed in a room's message box and not sent belongs to that room. It is kept
// (storage.js) as it is typed, put back when the person returns to the room or reloads, and
// never carried into another room. An edit of a sent message is not a draft.

/** @param {object} page  the page's parts (app.js) */
export function installDrafts(page) {
  const { ui, state, store } = page;
  const editing = () => page.composeMode?.mode?.kind === 'edit';

  const restore = (room) => {
    ui.message.value = store.loadDraft(room);
    page.composer.autosize();
    page.charCount?.update();
  };

  ui.message.addEventListener('input', () => {
    if (!editing()) store.saveDraft(state.room, ui.message.value);
  });

  page.hooks.roomLeaving.push((room) => {
    if (!editing()) store.saveDraft(room, ui.message.value);
  });
  page.hooks.roomEntered.push(restore);
  page.hooks.sent.push(() => store.saveDraft(state.room, ''));

  restore(state.room);
}
