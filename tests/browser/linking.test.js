// Device linking: "Link a device" on the first page shows a code and an address carrying it;
// a second browser opening that address becomes the same person: it shows the first's name
// and reads the first's direct conversation.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

async function newPage(env) {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 760 } });
  env.contexts.push(context);
  return context.newPage();
}

/** Opens "Link a device" on `page` and returns the address it shows. */
async function linkAddress(page) {
  await page.getByRole('button', { name: 'Link a device' }).click();
  const address = page.locator('#link-address');
  await h.eventually(async () => /#link=[2-9A-Z]{8}$/.test(await address.inputValue()));
  return address.inputValue();
}

describe('device linking', () => {
  let env;
  before(async () => { env = await h.setup(); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  it('makes a second browser the same person, with the first one\'s direct conversation', async () => {
    const ann = await h.openChat(env, { name: 'ann' });
    await h.openChat(env, { name: 'bob' });
    await ann.getByRole('button', { name: 'Message bob privately' }).click({ timeout: h.WAIT_MS });
    await ann.waitForURL(/#\/room\/dm-[A-Za-z0-9_-]{16}$/);
    const dmRoom = new URL(ann.url()).hash.replace('#/room/', '');
    await h.waitStatus(ann, 'open');
    await h.send(ann, 'just between us');
    await h.waitTexts(ann, ['just between us']);

    const link = await linkAddress(ann);
    await ann.locator('#link-left').getByText(/Valid for \d:\d\d, once/).waitFor({ timeout: h.WAIT_MS });
    await h.eventually(async () => /^data:image\/svg\+xml/.test(await ann.locator('#link-qr').getAttribute('src') || ''));

    // A browser that never saw this chat opens the address.
    const phone = await newPage(env);
    await phone.goto(link);
    await phone.locator('#notice').getByText('you are ann').waitFor({ timeout: h.WAIT_MS });
    assert.doesNotMatch(phone.url(), /link=/, 'the code leaves the address bar');
    await h.waitStatus(phone, 'open');
    assert.equal(await phone.locator('#username').inputValue(), 'ann');

    await phone.evaluate((r) => { window.location.hash = `#/room/${r}`; }, dmRoom);
    await h.waitTexts(phone, ['just between us']);
  });

  it('refuses a code used twice', async () => {
    const ann = await h.openChat(env, { name: 'ann' });
    const link = await linkAddress(ann);
    const first = await newPage(env);
    await first.goto(link);
    await first.locator('#notice').getByText('you are ann').waitFor({ timeout: h.WAIT_MS });
    const second = await newPage(env);
    await second.goto(link);
    await second.locator('#notice').getByText(/unknown, used or expired/).waitFor({ timeout: h.WAIT_MS });
  });
});
