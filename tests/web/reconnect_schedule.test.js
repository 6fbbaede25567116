// The reconnect schedule (web/reconnect_schedule.js) for 1,000 simulated pages on a fake clock:
// each page loses the server at 0, tries again after nextDelay(...) each time, and is back at its
// first try after the server accepts again. Nothing sleeps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCHEDULE, nextDelay, reconnectText } from '../../web/reconnect_schedule.js';

const CLIENTS = 1_000;

/** A seeded PRNG (mulberry32), so each run sees the same 1,000 pages. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** For each page, how long after `upAt` (ms) its first try after the server is back comes. */
function returns(upAt, { visible = true, seed = 1 } = {}) {
  const random = seeded(seed);
  const out = [];
  for (let i = 0; i < CLIENTS; i += 1) {
    // The pages notice the drop at slightly different times (their last ping, the OS).
    let t = random() * 200;
    while (t < upAt) t += nextDelay(t, { online: true, visible }, random);
    out.push(t - upAt);
  }
  return out;
}

/** The largest share of `times` that falls in one bucket of `width` ms. */
function busiestShare(times, width) {
  const buckets = new Map();
  for (const t of times) buckets.set(Math.floor(t / width), (buckets.get(Math.floor(t / width)) || 0) + 1);
  return Math.max(...buckets.values()) / times.length;
}

test('ReconnectScheduleBringsEveryPageBackWithin3SecondsInTheFirst30Seconds', () => {
  for (const upAt of [1_000, 4_000, 12_000, 29_000]) {
    const back = returns(upAt, { seed: upAt });
    assert.ok(Math.max(...back) <= 3_000, `server back at ${upAt} ms: the last page after ${Math.max(...back)} ms`);
    // Spread, not in step: no tenth of a second holds more than a fifth of the pages.
    const share = busiestShare(back, 100);
    assert.ok(share <= 0.2, `server back at ${upAt} ms: ${(share * 100).toFixed(1)}% in one 100 ms bucket`);
  }
});

test('ReconnectScheduleBringsEveryVisiblePageBackWithin5SecondsAfterThat', () => {
  for (const upAt of [45_000, 90_000, 600_000]) {
    const back = returns(upAt, { seed: upAt });
    assert.ok(Math.max(...back) <= 5_000, `server back at ${upAt} ms: the last page after ${Math.max(...back)} ms`);
    const share = busiestShare(back, 1_000);
    assert.ok(share <= 0.35, `server back at ${upAt} ms: ${(share * 100).toFixed(1)}% in one second`);
  }
});

test('ReconnectScheduleWaitsLongerInAHiddenTabAndNotAtAllOffline', () => {
  const back = returns(120_000, { visible: false, seed: 7 });
  assert.ok(Math.max(...back) <= SCHEDULE.hidden[1]);
  assert.ok(Math.max(...back) > SCHEDULE.visible[1], 'hidden tabs try less often');
  assert.equal(nextDelay(1_000, { online: false }), null, 'offline: wait for the online event');
});

test('ReconnectScheduleKeepsEachWaitInItsRange', () => {
  assert.equal(nextDelay(0, {}, () => 0), SCHEDULE.fast[0]);
  assert.equal(nextDelay(29_999, {}, () => 0.999999) < SCHEDULE.fast[1], true);
  assert.equal(nextDelay(30_000, {}, () => 0), SCHEDULE.visible[0]);
  assert.equal(nextDelay(30_000, { visible: false }, () => 0), SCHEDULE.hidden[0]);
});

test('ReconnectTextCountsDownInWholeSeconds', () => {
  assert.equal(reconnectText(3_200), 'in 4 s');
  assert.equal(reconnectText(1_000), 'in 1 s');
  assert.equal(reconnectText(0), '');
});
