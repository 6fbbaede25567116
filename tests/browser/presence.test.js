// Who is online (one name on two devices shows twice, told apart by the device tag),
// and "… is typing" on the other page.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('presence and typing', () => {
  let env;
  before(async () => { env = await h.setup(); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  it('lists people online and shows who is typing', async () => {
    const a = await h.openChat(env, { name: 'kim' });
    const b = await h.openChat(env, { name: 'lee' });
    const people = a.locator('#people');
    await people.getByText('lee', { exact: true }).waitFor();
    await people.getByText('kim', { exact: true }).waitFor();

    // The same name from a second device is listed separately, with its own tag.
    const c = await h.openChat(env, { name: 'lee' });
    await h.eventually(async () => assert.equal(await people.getByText('lee', { exact: true }).count(), 2));
    const tags = await people.locator('.person', { hasText: 'lee' }).locator('.tag').allTextContents();
    assert.equal(new Set(tags).size, 2, `two distinct device tags: ${tags}`);

    // Leaving removes that device only.
    await c.close();
    await h.eventually(async () => assert.equal(await people.getByText('lee', { exact: true }).count(), 1));

    // Typing shows on the other page until the message arrives.
    await b.getByLabel('Message', { exact: true }).pressSequentially('hel');
    await a.getByText('lee is typing…').waitFor({ timeout: h.WAIT_MS });
    await b.getByLabel('Message', { exact: true }).pressSequentially('lo');
    await b.getByLabel('Message', { exact: true }).press('Enter');
    await h.waitTexts(a, ['hello']);
    await a.getByText('lee is typing…').waitFor({ state: 'detached', timeout: h.WAIT_MS });
    assert.equal(await a.locator('#typing').textContent(), '');

    // A new username is announced (identify).
    await b.getByLabel('Username').fill('lee2');
    await b.getByLabel('Username').press('Tab');
    await people.getByText('lee2', { exact: true }).waitFor({ timeout: h.WAIT_MS });
    assert.equal(await b.evaluate(() => localStorage.getItem('message.username')), '"lee2"');
  });
});
