// TLS and plain HTTP on one port (the default): a page opened over http from another machine
// says what https adds and links to it with the certificate's fingerprint; over https, or on
// this machine (loopback is already a secure context), it says nothing. The invite offers both
// links. The offer passes axe-core's WCAG 2.1 A/AA checks, light and dark, wide and narrow.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const h = require('./helpers.js');

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function violations(page) {
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does not apply.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

describe('https offer', () => {
  let env;
  // lan.test is not one of the server's own names: the Host check (421) lets it in by --allow-host.
  before(async () => { env = await h.setup({ args: ['--allow-host', h.LAN_HOST] }); });
  after(async () => { await env?.close(); });

  it('a page over http from the LAN offers https with the fingerprint; over https or loopback it does not', async () => {
    const lan = `${h.LAN_HOST}:${env.server.port}`;
    const ctx = await env.browser.newContext({ viewport: { width: 1100, height: 760 } });
    env.contexts.push(ctx);
    const page = await ctx.newPage();
    await page.addInitScript(() => localStorage.setItem('message.username', JSON.stringify('kim')));
    await page.goto(`http://${lan}/`);
    await h.waitStatus(page, 'open');
    assert.equal(await page.evaluate(() => window.isSecureContext), false, 'a LAN address over http');
    const offer = page.locator('#https-offer');
    await offer.waitFor({ timeout: h.WAIT_MS });
    const https = `https://${lan}/`;
    assert.ok((await offer.getByRole('link', { name: 'Open this chat over https' }).getAttribute('href')).startsWith(https));
    assert.match(await offer.textContent(), /fingerprint it shows is ([0-9A-F]{2}:){31}[0-9A-F]{2}\./);
    for (const width of [1100, 360]) {
      await page.setViewportSize({ width, height: 760 });
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        assert.deepEqual(await violations(page), [], `${scheme}, ${width} px, with the https offer`);
      }
    }
    await page.setViewportSize({ width: 1100, height: 760 });

    // The invite offers both: https (the QR code's link) and plain http.
    await page.getByRole('button', { name: 'Invite' }).click();
    assert.equal(await page.getByLabel('Invite link', { exact: true }).inputValue(), https);
    assert.equal(await page.getByLabel(/Or over plain http/).inputValue(), `http://${lan}/`);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    const secureCtx = await env.browser.newContext({ ignoreHTTPSErrors: true });
    env.contexts.push(secureCtx);
    const secure = await secureCtx.newPage();
    await secure.addInitScript(() => localStorage.setItem('message.username', JSON.stringify('lee')));
    await secure.goto(https);
    await h.waitStatus(secure, 'open');
    assert.equal(await secure.locator('#https-offer').isVisible(), false);

    // On this machine: nothing to offer (and the tests' other pages stay as they were).
    const local = await h.openChat(env, { name: 'max' });
    assert.equal(await local.evaluate(() => window.isSecureContext), true);
    await h.send(local, 'from loopback');
    await h.waitTexts(local, ['from loopback']);
    assert.equal(await local.locator('#https-offer').isVisible(), false);
  });
});
