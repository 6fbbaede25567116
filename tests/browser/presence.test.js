// Who is online (a name is one person's: another is refused, the person's own devices show once),
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

    // Another person cannot be listed as lee: the name is owned (docs/protocol.md, "Names
    // people own"); lee's own second device is the same person, listed once.
    const c = await h.openChat(env, { name: 'lee', person: 'new' });
    await c.locator('#notice').getByText('belongs to someone else').waitFor({ timeout: h.WAIT_MS });
    const d = await h.openChat(env, { name: 'lee' });
    await d.locator('#people').getByText('lee', { exact: true }).waitFor({ timeout: h.WAIT_MS });
    assert.equal(await people.getByText('lee', { exact: true }).count(), 1);
    await c.close();
    await d.close();
    assert.equal(await people.getByText('lee', { exact: true }).count(), 1, 'lee is still online on b');

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
