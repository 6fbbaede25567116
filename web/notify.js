// Telling the user about messages they are not looking at: a count in the tab title while the
// page is hidden, and optional desktop notifications.

// The server writes --name into the page's title; unread counts go in front of it.
const BASE_TITLE = document.title || 'message';

export class Notifier {
  constructor() {
    this.hiddenUnread = 0;
    this.total = null; // The server's unread count over the followed rooms (null: not told).
    this.enabled = false;
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.seen();
    });
  }

  get supported() {
    return 'Notification' in window;
  }

  /** Turns notifications on; asks for permission only now, because the user asked. */
  async enable() {
    if (!this.supported) return false;
    let permission = Notification.permission;
    if (permission === 'default') permission = await Notification.requestPermission();
    this.enabled = permission === 'granted';
    return this.enabled;
  }

  disable() {
    this.enabled = false;
  }

  /** A message from someone else arrived in the room on screen. */
  arrived(m, room) {
    if (document.visibilityState === 'visible') return;
    this.hiddenUnread += 1;
    this.drawTitle();
    if (this.enabled && this.supported && Notification.permission === 'granted') {
      try {
        const n = new Notification(`${m.username} in #${room}`, { body: m.message.slice(0, 200), tag: `message-${room}` });
        n.onclick = () => {
          window.focus();
          n.close();
        };
      } catch {
        // some platforms only allow notifications from a service worker
      }
    }
  }

  seen() {
    this.hiddenUnread = 0;
    this.drawTitle();
  }

  /** The unread total from the server's room_activity, which the title shows when known. */
  setTotal(total) {
    this.total = total;
    this.drawTitle();
  }

  drawTitle() {
    const count = this.total ?? this.hiddenUnread;
    const title = count > 0 ? `(${count > 99 ? '99+' : count}) ${BASE_TITLE}` : BASE_TITLE;
    if (document.title !== title) document.title = title;
  }
}
