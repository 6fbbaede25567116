// TLS and plain HTTP on one port (--tls-self-signed): the page opened over http says what
// https adds and links to it with the certificate's fingerprint; over https it says nothing.
// The invite offers both links.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('https offer', () => {
  let env;
  before(async () => { env = await h.setup({ args: ['--tls-self-signed'] }); });
  after(async () => { await env?.close(); });

  it('a page over http offers https with the fingerprint; a page over https does not', async () => {
    const page = await h.openChat(env, { name: 'kim' });
    const offer = page.locator('#https-offer');
    await offer.waitFor({ timeout: h.WAIT_MS });
    const https = `https://127.0.0.1:${env.server.port}/`;
    assert.ok((await offer.getByRole('link', { name: 'Open this chat over https' }).getAttribute('href')).startsWith(https));
    assert.match(await offer.textContent(), /fingerprint it shows is ([0-9A-F]{2}:){31}[0-9A-F]{2}\./);

    // The invite offers both: https (the QR code's link) and plain http.
    await page.getByRole('button', { name: 'Invite' }).click();
    assert.equal(await page.getByLabel('Invite link', { exact: true }).inputValue(), https);
    assert.equal(await page.getByLabel(/Or over plain http/).inputValue(), `http://127.0.0.1:${env.server.port}/`);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
    env.contexts.push(ctx);
    const secure = await ctx.newPage();
    await secure.addInitScript(() => localStorage.setItem('message.username', JSON.stringify('lee')));
    await secure.goto(https);
    await h.waitStatus(secure, 'open');
    assert.equal(await secure.locator('#https-offer').isVisible(), false);
  });
});
