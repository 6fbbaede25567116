// What the page does with a rejected message: store_failed / rate_limited keep it pending and
// it is resent with the same id; any other error marks it failed with the server's words.
// The server's answers are injected by routing the page's WebSocket through the test.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('outbox', () => {
  let env;
  before(async () => { env = await h.setup(); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  it('retries after store_failed and marks other errors failed', async () => {
    const ctx = await env.browser.newContext();
    env.contexts.push(ctx);
    const sent = []; // every `send` frame the page wrote, in order
    const answers = []; // how to answer the next `send` frames: 'store_failed', 'too_long' or forward
    await ctx.routeWebSocket(/\/ws/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((msg) => {
        const frame = JSON.parse(String(msg));
        if (frame.type === 'send') {
          sent.push(frame);
          const answer = answers.shift();
          if (answer === 'store_failed') {
            ws.send(JSON.stringify({ type: 'error', code: 'store_failed', message: 'disk full', id: frame.id }));
            return;
          }
          if (answer === 'too_long') {
            ws.send(JSON.stringify({ type: 'error', code: 'too_long', message: 'message too long', id: frame.id }));
            return;
          }
        }
        server.send(msg);
      });
    });
    const page = await h.openChat(env, { name: 'kim', room: 'outbox', context: ctx });

    answers.push('store_failed');
    await h.send(page, 'keeps trying');
    const first = page.locator('#messages .msg', { hasText: 'keeps trying' });
    await h.eventually(() => sent.length === 1);
    assert.equal(await first.getAttribute('data-state'), 'pending');
    // Resent by itself a few seconds later, with the same id, and then stored.
    await first.and(page.locator('[data-state="sent"]')).waitFor({ timeout: 10_000 });
    assert.equal(sent.length, 2);
    assert.equal(sent[1].id, sent[0].id);

    answers.push('too_long');
    await h.send(page, 'refused');
    const second = page.locator('#messages .msg', { hasText: 'refused' });
    await second.and(page.locator('[data-state="failed"]')).waitFor();
    await second.getByText('Not sent: message too long').waitFor();
    // Retry sends it again (this time the server takes it); Discard would drop it.
    await second.getByRole('button', { name: 'Retry' }).click();
    await second.and(page.locator('[data-state="sent"]')).waitFor();
    assert.equal(sent[sent.length - 1].id, sent[2].id);

    answers.push('too_long');
    await h.send(page, 'dropped');
    const third = page.locator('#messages .msg', { hasText: 'dropped' });
    await third.getByRole('button', { name: 'Discard' }).click();
    await third.waitFor({ state: 'detached' });
    await h.waitTexts(page, ['keeps trying', 'refused']);
    assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('message.outbox'))), []);

    // Checked before sending: the length limit from `welcome`, and a username.
    const count = sent.length;
    await h.send(page, 'x'.repeat(4001));
    await page.getByRole('alert').filter({ hasText: 'at most 4000 characters' }).waitFor();
    await page.getByLabel('Username').fill('');
    await h.send(page, 'who am I?');
    await page.getByRole('alert').filter({ hasText: 'Choose a username' }).waitFor();
    await h.waitTexts(page, ['keeps trying', 'refused']);
    assert.equal(sent.length, count, 'nothing invalid was sent');
  });
});
