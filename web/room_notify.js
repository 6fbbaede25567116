// A desktop notification per room: a switch beside each room in the list (where the browser has
// notifications), for rooms not on screen. The server's room_activity (docs/protocol.md) says
// when a followed room's unread count rises; its messages do not come to this page.

/** @param {object} page  the page's parts (app.js) */
export function installRoomNotifications(page) {
  const { notifier, store } = page;
  if (!notifier.supported) return;
  const rooms = new Set(store.loadRoomNotify());

  page.roomNotify = {
    isOn: (room) => rooms.has(room),

    async toggle(room, box) {
      if (box.checked && !(await notifier.permit())) {
        box.checked = false;
        page.view.showNotice('Notifications are blocked; allow them in the browser’s site settings.');
        return;
      }
      if (box.checked) rooms.add(room);
      else rooms.delete(room);
      store.saveRoomNotify([...rooms]);
    },

    /** room_activity of a room not on screen: its unread count went from `before` to `after`. */
    arrived(room, before, after) {
      if (!rooms.has(room) || after <= before) return;
      notifier.show(`New message in #${room}`, `${after} unread`, `room-${room}`, true);
    },
  };
}
