// Invites (issue 26): an invite link carries the key in its fragment; opening it gets a person
// in without typing, and the fragment leaves the address bar. The page's Invite shows the same
// link and a QR code of it for the address in use (decoded with zbarimg when installed).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./helpers.js');

const KEY = 'open sesame/ü&#';
// As the server and the page escape it: all but A-Z a-z 0-9 - . _ ~.
const ESCAPED = 'open%20sesame%2F%C3%BC%26%23';

function haveZbar() {
  try {
    execFileSync('zbarimg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('invite', () => {
  let env;
  before(async () => { env = await h.setup({ args: ['--key', KEY, '--name', 'Kitchen chat'] }); });
  after(async () => { await env?.close(); });

  it('opens the invite link without typing the key, and the fragment is gone', async () => {
    const ctx = await env.browser.newContext({ viewport: { width: 900, height: 700 } });
    env.contexts.push(ctx);
    const page = await ctx.newPage();
    await page.addInitScript(() => {
      if (!localStorage.getItem('message.username')) localStorage.setItem('message.username', JSON.stringify('kim'));
    });
    await page.goto(`${env.server.url}#k=${ESCAPED}`);
    await h.waitStatus(page, 'open');
    assert.equal(await page.getByLabel('Access key').isVisible(), false, 'never asked for the key');
    assert.ok(!page.url().includes('k='), `the key left the address bar: ${page.url()}`);
    assert.equal(await page.evaluate(() => window.location.hash.includes('k=')), false);
    assert.equal(await page.title(), 'Kitchen chat');
    await h.send(page, 'in by invite');
    await h.waitTexts(page, ['in by invite']);

    // The Invite button: the link with the key for this address, and its QR code.
    await page.getByRole('button', { name: 'Invite' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite someone' });
    await dialog.waitFor({ timeout: h.WAIT_MS });
    // TLS is on by default, so the invite (and its QR code) is the https link.
    const expected = `${env.server.url.replace(/^http:/, 'https:')}#k=${ESCAPED}`;
    assert.equal(await page.getByLabel('Invite link', { exact: true }).inputValue(), expected);
    const qr = page.getByRole('img', { name: 'QR code of the invite link' });
    await h.eventually(async () => assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0)));
    if (haveZbar()) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'message-invite-'));
      try {
        const png = path.join(dir, 'qr.png');
        await qr.screenshot({ path: png });
        const text = execFileSync('zbarimg', ['--quiet', '--raw', png], { encoding: 'utf8' }).trim();
        assert.equal(text, expected);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    await dialog.getByRole('button', { name: 'Close' }).click();
    await h.eventually(async () => assert.equal(await dialog.isVisible(), false));
  });
});
