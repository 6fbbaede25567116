// Going offline loses nothing: messages sent meanwhile arrive once and in order on
// reconnect, and a message typed while offline waits as pending, then is sent.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('offline and back', () => {
  let env;
  before(async () => { env = await h.setup(); });
  after(async () => { await env?.close(); });
  let a;
  let b;

  it('catches up after going offline and sends what was typed meanwhile', async () => {
    a = await h.openChat(env, { name: 'kim' });
    b = await h.openChat(env, { name: 'lee' });
    await h.send(a, 'before');
    await h.waitTexts(b, ['before']);

    await b.context().setOffline(true);
    await h.waitStatus(b, 'offline');

    const five = ['one', 'two', 'three', 'four', 'five'];
    for (const t of five) await h.send(a, t);
    await h.waitTexts(a, ['before', ...five]);

    // Typed while offline: on screen at once, pending.
    await h.send(b, 'typed offline');
    const mine = b.locator('#messages .msg', { hasText: 'typed offline' });
    await mine.and(b.locator('[data-state="pending"]')).waitFor({ timeout: h.WAIT_MS });
    await mine.getByText('Pending').waitFor();
    assert.deepEqual(await h.texts(b), ['before', 'typed offline']);

    await b.context().setOffline(false);
    await h.waitStatus(b, 'open');
    // All five once and in order; the pending one is now sent and placed by its seq.
    await h.waitTexts(b, ['before', ...five, 'typed offline']);
    await b.locator('#messages .msg[data-state="sent"]', { hasText: 'typed offline' }).waitFor({ timeout: h.WAIT_MS });
    await h.waitTexts(a, ['before', ...five, 'typed offline']);
    const seqs = await b.locator('#messages .msg').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7]);
    // Nothing is left in the stored outbox.
    assert.deepEqual(await b.evaluate(() => JSON.parse(localStorage.getItem('message.outbox'))), []);
  });

  it('rides out a server restart by itself and sends what was typed meanwhile', async () => {
    // The same two pages move to another room (the hash changes, the socket reconnects).
    for (const page of [a, b]) {
      await page.evaluate(() => { window.location.hash = '#/room/restart'; });
      await h.waitTexts(page, []);
      await h.waitStatus(page, 'open');
    }
    await h.send(a, 'before the restart');
    await h.waitTexts(b, ['before the restart']);

    await env.restartServer(async () => {
      await h.waitStatus(a, 'connecting');
      await h.waitStatus(b, 'connecting');
      await h.send(a, 'typed while the server was down');
      await a.locator('#messages .msg[data-state="pending"]').waitFor();
    });
    // Backoff retries find the server again: no click needed.
    await h.waitStatus(a, 'open');
    await h.waitStatus(b, 'open');
    await h.waitTexts(b, ['before the restart', 'typed while the server was down']);
    await a.locator('#messages .msg[data-state="sent"]', { hasText: 'typed while' }).waitFor();
    await h.waitTexts(a, ['before the restart', 'typed while the server was down']);
  });
});
