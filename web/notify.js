// Telling the user about messages they are not looking at: a count in the tab title while the
// page is hidden, and optional desktop notifications.

import { messageSummary } from './file_kind.js';

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

  /** Asks for permission (only now, because the person asked) without turning the switch on. */
  async permit() {
    if (!this.supported) return false;
    if (Notification.permission === 'default') await Notification.requestPermission();
    return Notification.permission === 'granted';
  }

  disable() {
    this.enabled = false;
  }

  /** A message from someone else arrived in the room on screen; `mentioned`: it names me. */
  arrived(m, room, mentioned = false) {
    if (document.visibilityState === 'visible') return;
    this.hiddenUnread += 1;
    this.drawTitle();
    const title = mentioned ? `${m.username} mentioned you in #${room}` : `${m.username} in #${room}`;
    this.show(title, messageSummary(m).slice(0, 200), `message-${room}`);
  }

  /**
   * Someone mentioned me in `room`, which is not on screen (the server's room_activity counts
   * it): told even while this page is visible, since nothing else on it shows that message.
   */
  mentionedIn(room) {
    this.show(`You were mentioned in #${room}`, 'Open the room to read it.', `mention-${room}`);
  }

  /** `always`: shown even with the page's switch off (a room's own switch asked for it). */
  show(title, body, tag, always = false) {
    if (!(this.enabled || always) || !this.supported || Notification.permission !== 'granted') return;
    try {
      const n = new Notification(title, { body, tag });
      n.onclick = () => {
        window.focus();
        n.close();
      };
    } catch {
      // some platforms only allow notifications from a service worker
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
