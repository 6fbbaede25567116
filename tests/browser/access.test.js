// A private server (--key): the page asks for the key once, refuses a wrong one, remembers the
// right one across reloads, and then chats.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('access key', () => {
  let env;
  before(async () => { env = await h.setup({ args: ['--key', 'open sesame'] }); });
  after(async () => { await env?.close(); });

  it('asks once, refuses a wrong key, remembers the right one', async () => {
    const ctx = await env.browser.newContext({ viewport: { width: 900, height: 700 } });
    env.contexts.push(ctx);
    const page = await ctx.newPage();
    await page.addInitScript(() => {
      if (!localStorage.getItem('message.username')) localStorage.setItem('message.username', JSON.stringify('kim'));
    });
    await page.goto(env.server.url);

    const key = page.getByLabel('Access key');
    await key.waitFor({ timeout: h.WAIT_MS });
    assert.equal(await page.getByRole('button', { name: 'Send' }).isVisible(), false, 'no chat before the key');

    await key.fill('guess');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByText('That key is not right.').waitFor({ timeout: h.WAIT_MS });

    await key.fill('open sesame');
    await page.getByRole('button', { name: 'Join' }).click();
    await h.waitStatus(page, 'open');
    await h.send(page, 'only for those with the key');
    await h.waitTexts(page, ['only for those with the key']);

    await page.reload();
    await h.waitStatus(page, 'open');
    assert.equal(await page.getByLabel('Access key').isVisible(), false, 'the key was remembered');
    await h.waitTexts(page, ['only for those with the key']);
  });
});
