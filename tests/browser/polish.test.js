// The finer points: the "N new messages" button, safe links, the unread count in the tab
// title, and the narrow (360 px) layout. Saves docs/screenshots/narrow.png.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const h = require('./helpers.js');

describe('page polish', () => {
  let env;
  before(async () => { env = await h.setup(); });
  after(async () => { await env?.close(); });

  describe('in one conversation', () => {
    let a;
    let b;
    before(async () => {
      a = await h.openChat(env, { name: 'kim', room: 'polish' });
      b = await h.openChat(env, { name: 'lee', room: 'polish' });
    });
    after(async () => { await env?.closeContexts(); });

    it('keeps the view still while scrolled up and offers a jump to new messages', async () => {
      const many = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
      await h.postMessages(a, 'polish', 'bot', many);
      await h.waitTexts(a, many);

      const box = a.locator('#message-box');
      await box.evaluate((el) => { el.scrollTop = 100; });
      const before = await box.evaluate((el) => el.scrollTop);
      await h.send(b, 'new one');
      await h.send(b, 'new two');
      const jump = a.getByRole('button', { name: /2 new messages/ });
      await jump.waitFor({ timeout: h.WAIT_MS });
      assert.equal(await box.evaluate((el) => el.scrollTop), before, 'the view stayed put');
      await jump.click();
      await jump.waitFor({ state: 'hidden' });
      assert.ok(await box.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 50), 'jumped to the bottom');
      await a.getByText('new two').waitFor();
    });

    it('makes only http(s) links clickable, opening safely in a new tab', async () => {
      await h.send(b, 'javascript:alert(1) and data:text/html,hi and https://example.org/a?b=1.');
      const msg = a.locator('#messages .msg').last();
      await msg.getByText(/javascript:alert/).waitFor({ timeout: h.WAIT_MS });
      const links = msg.getByRole('link');
      assert.equal(await links.count(), 1);
      const link = msg.getByRole('link', { name: 'https://example.org/a?b=1' });
      assert.equal(await link.getAttribute('href'), 'https://example.org/a?b=1');
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      assert.equal(await a.locator('a[href^="javascript:"], a[href^="data:"]').count(), 0);
    });

    it('counts unread messages in the tab title while the page is hidden', async () => {
      assert.equal(await a.title(), 'message');
      await h.setVisibility(a, 'hidden');
      for (const t of ['one', 'two', 'three']) await h.send(b, t);
      await a.locator('#messages .msg').last().getByText('three').waitFor({ timeout: h.WAIT_MS });
      await h.eventually(async () => assert.equal(await a.title(), '(3) message'));
      await h.setVisibility(a, 'visible');
      await h.eventually(async () => assert.equal(await a.title(), 'message'));
    });
  });

  it('asks for notification permission only when the user turns notifications on', async () => {
    const ctx = await env.browser.newContext();
    await ctx.addInitScript(() => {
      // A stand-in for the browser's Notification API that records what the page does.
      let permission = 'default';
      window.notes = { asked: 0, shown: [] };
      function FakeNotification(title, options) { window.notes.shown.push({ title, body: options.body }); }
      FakeNotification.requestPermission = async () => { window.notes.asked += 1; permission = 'granted'; return permission; };
      Object.defineProperty(FakeNotification, 'permission', { get: () => permission });
      window.Notification = FakeNotification;
    });
    const a = await h.openChat(env, { name: 'kim', room: 'notes', context: ctx });
    const b = await h.openChat(env, { name: 'lee', room: 'notes' });
    const toggle = a.getByRole('switch', { name: 'Desktop notifications' });
    assert.equal(await toggle.isChecked(), false);
    assert.equal(await a.evaluate(() => window.notes.asked), 0, 'no permission prompt on load');
    await toggle.click();
    await h.eventually(async () => assert.equal(await toggle.isChecked(), true));
    assert.equal(await a.evaluate(() => window.notes.asked), 1);

    await h.send(b, 'seen while visible');
    await h.waitTexts(a, ['seen while visible']);
    await h.setVisibility(a, 'hidden');
    await h.send(b, 'ping while away');
    await h.eventually(async () => assert.deepEqual(await a.evaluate(() => window.notes.shown),
      [{ title: 'lee in #notes', body: 'ping while away' }]));
    await env.closeContexts();
  });

  it('fits a 360 px wide phone screen', async () => {
    const viewport = { width: 360, height: 720 };
    const a = await h.openChat(env, { name: 'kim', room: 'phone', viewport });
    const b = await h.openChat(env, { name: 'lee', room: 'phone' });
    await h.send(b, 'Are you coming to the standup? ☕');
    await h.send(a, 'On my way — 2 minutes');
    await h.send(b, 'Notes are here: https://example.org/notes/2026-standup-summary-with-a-very-long-address');
    await h.send(a, 'Thanks!\nSee you there 🙌');
    await h.waitTexts(a, ['Are you coming to the standup? ☕', 'On my way — 2 minutes',
      'Notes are here: https://example.org/notes/2026-standup-summary-with-a-very-long-address', 'Thanks!\nSee you there 🙌']);
    await a.getByLabel('Message', { exact: true }).blur();
    assert.ok(await a.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling');
    for (const control of [a.getByLabel('Username'), a.getByLabel('Message', { exact: true }),
      a.getByRole('button', { name: 'Send' }), a.getByRole('button', { name: 'Close' })]) {
      const box = await control.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, 'control inside the screen');
    }
    await a.screenshot({ path: path.join(h.ROOT, 'docs', 'screenshots', 'narrow.png') });

    // The longest status ("connecting") still leaves Close on screen.
    await a.context().routeWebSocket(/\/ws/, (ws) => ws.close({ code: 1011, reason: 'blocked by the test' }));
    await a.context().setOffline(true);
    await a.context().setOffline(false);
    await h.waitStatus(a, 'connecting');
    const close = await a.getByRole('button', { name: 'Close' }).boundingBox();
    assert.ok(close.x + close.width <= 360, `Close inside the screen while connecting (right edge ${close.x + close.width})`);

    // The room list opens as a drawer.
    const toggle = a.getByRole('button', { name: /^Rooms/ });
    assert.equal(await a.getByLabel('Room name').isVisible(), false);
    await toggle.click();
    await a.getByLabel('Room name').waitFor({ state: 'visible' });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    await env.closeContexts();
  });
});
