// The WebSocket to /ws: opening, NDJSON frame splitting, app-level ping, and reconnecting on
// reconnect_schedule.js's schedule after an unplanned drop, with a countdown the page shows.
//
// Status is one of: 'connecting' (trying, or waiting to retry), 'open', 'closed' (the user
// closed it; stays closed until open() is called), 'offline' (the browser has no network),
// 'refused' (the server refuses the access key: nothing is tried until keyGiven() or now()).

import { nextDelay, reconnectText } from './reconnect_schedule.js';

const PING_EVERY_MS = 25_000; // below common proxy idle timeouts (30–60 s)
const PONG_WITHIN_MS = 10_000; // no frame at all within this after a ping: the socket is dead
const CONNECT_WITHIN_MS = 10_000; // a handshake that hangs this long is abandoned
const TICK_MS = 1_000; // the countdown's step
// A connection that lived this long ends an outage: one closed sooner (a server that accepts and
// drops at once) continues it, so such a loop slows down as the schedule says, not retried fast forever.
const STABLE_AFTER_MS = 5_000;

export class Connection {
  /**
   * @param {object} hooks
   * @param {() => URL} hooks.url      builds the /ws URL (room, name, device, since) at each attempt
   * @param {(frame: object) => void} hooks.onFrame  each JSON object of each server frame, in order
   * @param {(status: string, detail: string) => void} hooks.onStatus
   * @param {() => void} hooks.onOpen  the socket is open (before any frame)
   * @param {() => Promise<{wait?: number, refused?: string}>} [hooks.whyRefused]  asked when an
   *        attempt fails before opening (a browser is not told an upgrade's HTTP status): `wait`
   *        seconds to wait (429), or `refused` (the key is not accepted: the words to show)
   */
  constructor(hooks) {
    this.hooks = hooks;
    this.ws = null;
    this.wanted = false;
    this.outageSince = 0; // when the connection was lost (0: not in an outage)
    this.openedAt = 0;
    this.retryAt = 0;
    this.retryTimer = 0;
    this.tickTimer = 0;
    this.pingTimer = 0;
    this.deadTimer = 0;
    this.connectTimer = 0;
    this.status = 'closed';

    window.addEventListener('online', () => this.now());
    window.addEventListener('offline', () => this.wentOffline());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState !== 'visible') return;
      if (this.isOpen()) this.ping(); // a sleeping tab's socket may be dead without knowing it
      else this.now();
    });
  }

  isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** The user wants the connection: open it now. */
  open() {
    this.wanted = true;
    this.outageSince = 0;
    this.connect();
  }

  /** The user closed it: close and stay closed until open(). */
  close() {
    this.wanted = false;
    this.clearTimers();
    this.drop(1000, 'closed by the user');
    this.setStatus('closed', '');
  }

  /** Reconnect at once, e.g. because the room changed. */
  restart() {
    if (!this.wanted) return;
    this.drop(1000, 'reconnecting');
    this.outageSince = 0; // a new start, not a drop
    this.connect();
  }

  /** Sends one frame; returns false when the socket is not open (the caller keeps it). */
  send(frame) {
    if (!this.isOpen()) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  // An 'online' event, a visible tab, or "Reconnect now": skip the wait.
  now() {
    if (!this.wanted || this.isOpen() || (this.ws && this.ws.readyState === WebSocket.CONNECTING)) return;
    this.connect();
  }

  wentOffline() {
    if (!this.wanted) return;
    // The socket may linger for minutes before the OS notices; we already know it is gone.
    this.drop(1000, 'offline');
    this.clearTimers();
    this.setStatus('offline', 'waiting for the network');
  }

  connect() {
    this.clearTimers();
    this.drop(1000, 'reconnecting');
    if (navigator.onLine === false) {
      this.setStatus('offline', 'waiting for the network');
      return;
    }
    this.setStatus('connecting', '');
    let ws;
    try {
      ws = new WebSocket(this.hooks.url(), this.hooks.protocols ? this.hooks.protocols() : undefined);
    } catch {
      if (!this.outageSince) this.outageSince = Date.now();
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.connectTimer = setTimeout(() => this.lost(ws, 'connect timed out'), CONNECT_WITHIN_MS);
    ws.onopen = () => {
      if (ws !== this.ws) return;
      clearTimeout(this.connectTimer);
      ws.opened = true;
      this.openedAt = Date.now();
      this.setStatus('open', '');
      this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
      this.hooks.onOpen();
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      clearTimeout(this.deadTimer); // any frame proves the socket is alive
      if (typeof event.data !== 'string') return;
      for (const line of event.data.split('\n')) {
        if (line.trim() === '') continue;
        let frame;
        try {
          frame = JSON.parse(line);
        } catch {
          continue;
        }
        if (frame && typeof frame === 'object') this.hooks.onFrame(frame);
      }
    };
    ws.onclose = (event) => this.lost(ws, event.reason || `closed (${event.code})`);
    ws.onerror = () => {}; // onclose follows and handles it
  }

  ping() {
    if (!this.send({ type: 'ping' })) return;
    clearTimeout(this.deadTimer);
    this.deadTimer = setTimeout(() => this.lost(this.ws, 'no answer to ping'), PONG_WITHIN_MS);
  }

  // The socket ended without the user asking.
  lost(ws, why) {
    if (ws !== this.ws) return;
    this.drop(4000, why);
    if (!this.wanted) return;
    if (ws.opened && Date.now() - this.openedAt >= STABLE_AFTER_MS) this.outageSince = 0;
    if (!this.outageSince) this.outageSince = Date.now();
    if (navigator.onLine === false) {
      this.setStatus('offline', 'waiting for the network');
    } else if (!ws.opened && this.hooks.whyRefused) {
      // Refused at the door (a changed key, too many wrong keys) or the server is down: ask.
      this.setStatus('connecting', '');
      this.hooks.whyRefused().then((answer) => this.afterRefusal(answer), () => this.scheduleRetry());
    } else {
      this.scheduleRetry();
    }
  }

  afterRefusal(answer) {
    // Something else started meanwhile (a click, the online event, going offline, Close).
    if (!this.wanted || this.ws || this.retryTimer || this.status !== 'connecting') return;
    if (answer && answer.refused !== undefined) {
      this.setStatus('refused', answer.refused);
      return;
    }
    this.scheduleRetry(answer && answer.wait ? answer.wait * 1000 : undefined);
  }

  scheduleRetry(wait) {
    this.clearTimers();
    const delay = wait ?? nextDelay(Date.now() - this.outageSince, {
      online: navigator.onLine !== false, visible: document.visibilityState !== 'hidden',
    });
    if (delay === null) {
      this.setStatus('offline', 'waiting for the network');
      return;
    }
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    const tick = () => this.setStatus('connecting', reconnectText(this.retryAt - Date.now()));
    tick();
    this.tickTimer = setInterval(tick, TICK_MS);
  }

  /** The person gave a key after a refusal: try at once. */
  keyGiven() {
    if (this.status === 'refused') this.connect();
  }

  // Forget the current socket (its late events are ignored) and close it.
  drop(code, reason) {
    const ws = this.ws;
    this.ws = null;
    clearInterval(this.pingTimer);
    clearTimeout(this.deadTimer);
    clearTimeout(this.connectTimer);
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      try {
        ws.close(code === 1000 ? 1000 : 4000, reason.slice(0, 100));
      } catch {
        // already closing
      }
    }
  }

  clearTimers() {
    clearTimeout(this.retryTimer);
    this.retryTimer = 0;
    clearInterval(this.tickTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.deadTimer);
    clearTimeout(this.connectTimer);
  }

  setStatus(status, detail) {
    this.status = status;
    this.hooks.onStatus(status, detail);
  }
}
