// When to try the server again after the connection is lost (pure: no timers, no DOM). A page
// cannot tell a dead server from a dead network, so one schedule serves both:
// - while the browser says it is online, every 0.5–1 s for the first 30 s of an outage (a LAN
//   server is usually back in seconds), then every 2–5 s while the tab is visible and 5–30 s
//   while it is hidden (a background tab should not keep the radio busy);
// - while it says it is offline, not at all: the browser's `online` event starts a try.
// Each wait is drawn uniformly from its range (full jitter within it), so a thousand pages
// that lost the server together come back spread out, not in step (rails #40873).

export const SCHEDULE = Object.freeze({
  fastPhaseMs: 30_000, // an outage younger than this is retried fast
  fast: [500, 1_000],
  visible: [2_000, 5_000],
  hidden: [5_000, 30_000],
});

/**
 * The wait before the next try, in ms, or null to wait for the browser's `online` event.
 * @param {number} outageMs  how long the connection has been down
 * @param {{online?: boolean, visible?: boolean}} where  navigator.onLine, the tab's visibility
 * @param {() => number} random  uniform in [0, 1) (Math.random; a seeded one in tests)
 */
export function nextDelay(outageMs, { online = true, visible = true } = {}, random = Math.random) {
  if (!online) return null;
  const [lo, hi] = outageMs < SCHEDULE.fastPhaseMs ? SCHEDULE.fast : visible ? SCHEDULE.visible : SCHEDULE.hidden;
  return lo + random() * (hi - lo);
}

/** The countdown after "Reconnecting…": "in 4 s", or '' when the try is due. */
export function reconnectText(msLeft) {
  const s = Math.ceil(msLeft / 1000);
  return s > 0 ? `in ${s} s` : '';
}
