// Issue 31, defects 4 and 5: a private server (--key) whose key changes while pages are open,
// and the wait after too many wrong keys, at desktop and phone sizes.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

/** A page that already holds `key` (it joined before), as `name`. */
async function openWithKey(env, { name, key, viewport, room = 'lobby' }) {
  return h.openChat(env, {
    name, room, viewport,
    beforeLoad: (page) => page.addInitScript((k) => {
      if (k && !localStorage.getItem('message.accessKey')) localStorage.setItem('message.accessKey', k);
    }, key),
  });
}

describe('a changed access key (defect 4)', () => {
  let env;
  before(async () => { env = await h.setup({ args: ['--key', 'ONE'] }); });
  after(async () => { await env?.close(); });

  it('asks open pages for the new key, then sends what is pending', async () => {
    const pages = [];
    for (const size of h.SIZES) pages.push(await openWithKey(env, { name: `kim-${size.name}`, key: 'ONE', viewport: size.viewport }));
    await env.restartServer(async () => {
      for (const [i, p] of pages.entries()) {
        await h.waitStatus(p, 'connecting');
        await h.send(p, `pending ${i}`);
      }
    }, ['--key', 'TWO']);
    for (const [i, p] of pages.entries()) {
      const key = p.getByLabel('Access key');
      await key.waitFor({ timeout: h.WAIT_MS });
      await p.getByText('The access key has changed').waitFor();
      if (i === 1) await h.assertAccessible(p, 'asking for a changed key');
      await key.fill('TWO');
      await p.getByRole('button', { name: 'Join' }).click();
      await h.waitStatus(p, 'open');
    }
    for (const p of pages) {
      await h.eventually(async () => assert.deepEqual(await p.locator('#messages .msg:not([data-state="pending"]) .body').allTextContents(), ['pending 0', 'pending 1']));
    }
  });
});

describe('too many wrong keys (defect 5)', () => {
  let env;
  before(async () => { env = await h.setup({ args: ['--key', 'right'] }); });
  after(async () => { await env?.close(); });

  for (const size of h.SIZES) {
    it(`shows the wait counting and then gets in by itself, at ${size.name} size`, async () => {
      const ctx = await env.browser.newContext({ viewport: size.viewport });
      env.contexts.push(ctx);
      const page = await ctx.newPage();
      await page.goto(env.server.url);
      const key = page.getByLabel('Access key');
      await key.waitFor({ timeout: h.WAIT_MS });
      // Wrong keys until the server makes this address wait (the fifth starts the wait).
      for (let i = 0; i < 5; i += 1) {
        await key.fill(`wrong ${i}`);
        await page.getByRole('button', { name: 'Join' }).click();
        await h.eventually(async () => assert.match(await page.locator('#access-problem').textContent(), /not right|Too many/));
        if (/Too many/.test(await page.locator('#access-problem').textContent())) break;
        await page.locator('#access-problem').evaluate((el) => { el.textContent = ''; });
      }
      await key.fill('right');
      await page.getByRole('button', { name: 'Join' }).click();
      await page.getByText(/Too many wrong keys: trying again in \d+ s/).waitFor({ timeout: h.WAIT_MS });
      await page.locator('#status[data-state="open"]').waitFor({ timeout: 30_000 }); // no second click
      await env.closeContexts();
    });
  }
});
