// A reload brings back, before any connection, the room's last messages and the messages
// still waiting to be sent; once connected, the pending ones are delivered.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('reload', () => {
  let env;
  before(async () => { env = await h.setup(); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  it('keeps history and pending messages on screen across a reload', async () => {
    const a = await h.openChat(env, { name: 'kim' });
    const b = await h.openChat(env, { name: 'lee' });
    await h.send(a, 'first');
    await h.send(b, 'second');
    await h.waitTexts(a, ['first', 'second']);

    // From now on a's WebSocket cannot reach the server (the page itself still loads).
    let blocked = true;
    await a.context().routeWebSocket(/\/ws/, (ws) => {
      if (blocked) ws.close({ code: 1011, reason: 'blocked by the test' });
      else ws.connectToServer();
    });
    await a.context().setOffline(true); // drops the current socket
    await h.waitStatus(a, 'offline');
    await h.send(a, 'waiting to be sent');
    await a.context().setOffline(false);
    await h.waitStatus(a, 'connecting');

    await a.reload();
    // On screen at once from storage, while the socket still cannot connect.
    await h.waitTexts(a, ['first', 'second', 'waiting to be sent']);
    assert.notEqual(await a.locator('#status').getAttribute('data-state'), 'open');
    await a.locator('#messages .msg[data-state="pending"]', { hasText: 'waiting to be sent' }).waitFor();
    assert.equal(await a.locator('#messages .msg[data-state="sent"], #messages .msg[data-state="other"]').count(), 2);

    // The network comes back: the pending message goes out, once.
    blocked = false;
    await a.context().setOffline(true);
    await a.context().setOffline(false); // 'online': reconnect now instead of after the backoff
    await h.waitStatus(a, 'open');
    await a.locator('#messages .msg[data-state="sent"]', { hasText: 'waiting to be sent' }).waitFor();
    await h.waitTexts(b, ['first', 'second', 'waiting to be sent']);
    await h.waitTexts(a, ['first', 'second', 'waiting to be sent']);
  });
});
