// The /auth session cookie in a real browser (--key): once the page is let in, the browser
// holds an HttpOnly, SameSite=Strict cookie that opens /invite.svg as a plain <img> would load it,
// with no key header, and that page scripts cannot read.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('session cookie', () => {
  let env;
  before(async () => { env = await h.setup({ args: ['--key', 'open sesame'] }); });
  after(async () => { await env?.close(); });

  it('is set by the page\'s key check and opens /invite.svg without the key', async () => {
    const ctx = await env.browser.newContext({ viewport: { width: 900, height: 700 } });
    env.contexts.push(ctx);
    const page = await ctx.newPage();
    await page.addInitScript(() => {
      localStorage.setItem('message.accessKey', 'open sesame');
      if (!localStorage.getItem('message.username')) localStorage.setItem('message.username', JSON.stringify('kim'));
    });
    await page.goto(env.server.url);
    await h.waitStatus(page, 'open');

    const cookie = (await ctx.cookies()).find((c) => c.name === 'message_session');
    assert.ok(cookie, 'the page\'s /auth set the cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.doesNotMatch(cookie.value, /sesame/, 'the key is not in it');
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read it');

    // An image loads it the way <img src> does: no Authorization header, only the cookie.
    const loaded = await page.evaluate(() => new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve(img.naturalWidth > 0);
      img.onerror = () => resolve(false);
      img.src = `invite.svg?t=${Date.now()}`;
    }));
    assert.equal(loaded, true, '/invite.svg opens with the cookie');
    assert.equal(page.lastError, undefined);
  });
});
