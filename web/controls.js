// The page's own controls and events: Open/Close, Reconnect now, desktop notifications, coming
// back to the tab, leaving the page.

/** @param {object} page  the page's parts (app.js) */
export function installControls(page) {
  const { ui, state, store, notifier } = page;

  ui.toggle.addEventListener('click', () => {
    if (page.conn.wanted) page.conn.close();
    else page.conn.open();
  });
  ui.reconnect.addEventListener('click', () => page.conn.now());

  ui.notify.disabled = !notifier.supported;
  ui.notify.addEventListener('change', async () => {
    if (ui.notify.checked) {
      const ok = await notifier.enable();
      ui.notify.checked = ok;
      if (!ok) page.view.showNotice('Notifications are blocked; allow them in the browser’s site settings.');
    } else {
      notifier.disable();
    }
    store.saveNotify(ui.notify.checked);
  });
  if (store.loadNotify() && notifier.supported && Notification.permission === 'granted') {
    notifier.enabled = true;
    ui.notify.checked = true;
  }

  document.addEventListener('visibilitychange', () => {
    // Coming back later: "New messages" marks where the reader left.
    if (document.visibilityState === 'hidden' && state.timeline.maxSeq > 0) state.dividerAt = state.timeline.maxSeq;
    if (document.visibilityState === 'visible') page.view.render(); // also renews day labels after midnight
  });
  window.addEventListener('focus', () => page.sync.markRead());
  window.addEventListener('pagehide', () => page.view.saveNow());
}
