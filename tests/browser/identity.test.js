// Who is who in the page: two browsers cannot both be "kim", and a rename shows old messages
// under the new name, live and after a reload.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('identities and owned names', () => {
  let env;
  before(async () => { env = await h.setup(); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  it('keeps a name for the person who took it first', async () => {
    const kim = await h.openChat(env, { name: 'kim', room: 'names' });
    await h.send(kim, 'I am kim');
    await h.waitTexts(kim, ['I am kim']);

    // Another browser (another person) that calls itself kim is told so, with a suggestion.
    const other = await h.openChat(env, { name: 'kim', room: 'names', person: 'new' });
    await other.locator('#notice').getByText('belongs to someone else').waitFor({ timeout: h.WAIT_MS });
    assert.match(await other.locator('#notice').textContent(), /kim-2/);
    const people = kim.locator('#people');
    await people.getByText('kim', { exact: true }).waitFor();
    assert.equal(await people.getByText('kim', { exact: true }).count(), 1, 'only the owner is listed as kim');

    // Its message is not posted as kim: it stays on its page, refused, with the text kept.
    await h.send(other, 'I am kim too');
    await other.getByText(/Not sent: .*belongs to someone else/).waitFor({ timeout: h.WAIT_MS });
    // Under the suggested name it goes through, and the owner sees who really wrote it.
    await other.getByLabel('Username').fill('kim-2');
    await other.getByLabel('Username').press('Tab');
    await other.getByRole('button', { name: 'Retry' }).click();
    await h.waitTexts(kim, ['I am kim', 'I am kim too']);
    const authors = await kim.locator('#messages .msg .who').allTextContents();
    assert.deepEqual(authors, ['kim', 'kim-2']);
  });

  it('shows old messages under the new name after a rename', async () => {
    const kim = await h.openChat(env, { name: 'kim', room: 'rename' });
    const lee = await h.openChat(env, { name: 'lee', room: 'rename' });
    await h.send(kim, 'written as kim');
    await h.waitTexts(lee, ['written as kim']);
    assert.deepEqual(await lee.locator('#messages .msg .who').allTextContents(), ['kim']);

    await kim.getByLabel('Username').fill('kimberly');
    await kim.getByLabel('Username').press('Tab');
    await h.eventually(async () =>
      assert.deepEqual(await lee.locator('#messages .msg .who').allTextContents(), ['kimberly']));
    await h.eventually(async () =>
      assert.deepEqual(await kim.locator('#messages .msg .who').allTextContents(), ['kimberly']));

    // A page opened afresh reads the history under the new name too.
    const fresh = await h.openChat(env, { name: 'ann', room: 'rename' });
    await h.waitTexts(fresh, ['written as kim']);
    assert.deepEqual(await fresh.locator('#messages .msg .who').allTextContents(), ['kimberly']);
    // And the old name is free again for someone else.
    const newKim = await h.openChat(env, { name: 'kim', room: 'rename', person: 'new' });
    await h.send(newKim, 'the new kim');
    await h.waitTexts(lee, ['written as kim', 'the new kim']);
    assert.deepEqual(await lee.locator('#messages .msg .who').allTextContents(), ['kimberly', 'kim']);
  });
});
