// A direct message reaches only its two people: opened from a name in the presence list, it is
// a private room that a third page neither reads nor sees in its room list.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('direct messages', () => {
  let env;
  before(async () => { env = await h.setup(); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  it('reach only their two people', async () => {
    const ann = await h.openChat(env, { name: 'ann' });
    const bob = await h.openChat(env, { name: 'bob' });
    const cat = await h.openChat(env, { name: 'cat' });

    await ann.getByRole('button', { name: 'Message bob privately' }).click({ timeout: h.WAIT_MS });
    await ann.waitForURL(/#\/room\/dm-[A-Za-z0-9_-]{16}$/);
    const dmRoom = new URL(ann.url()).hash.replace('#/room/', '');
    await h.waitStatus(ann, 'open');
    await h.send(ann, 'just between us');
    await h.waitTexts(ann, ['just between us']);

    // bob is told, finds the conversation in his room list, and reads it.
    await bob.locator('#notice').getByText('private conversation').waitFor({ timeout: h.WAIT_MS });
    await bob.getByRole('link', { name: new RegExp(dmRoom) }).click({ timeout: h.WAIT_MS });
    await bob.waitForURL(new RegExp(`#/room/${dmRoom}$`));
    await h.waitTexts(bob, ['just between us']);
    await h.send(bob, 'sure');
    await h.waitTexts(ann, ['just between us', 'sure']);

    // cat sees nothing: not the message, and not the room's name in its list...
    await cat.reload();
    await h.waitStatus(cat, 'open');
    await cat.getByRole('link', { name: /lobby/ }).waitFor({ timeout: h.WAIT_MS });
    assert.equal(await cat.locator('#room-list').getByText(/dm-/).count(), 0);
    assert.deepEqual(await h.texts(cat), []);
    // ... and going there by its name is refused: back to the lobby, nothing shown.
    assert.equal(await cat.locator('#notice').getByText('private conversation').count(), 0);
    await cat.evaluate((r) => { window.location.hash = `#/room/${r}`; }, dmRoom);
    await cat.locator('#notice').getByText('private').waitFor({ timeout: h.WAIT_MS });
    await cat.waitForURL(/#\/room\/lobby$/);
    await h.waitStatus(cat, 'open');
    assert.equal(await cat.getByText('just between us').count(), 0);
    assert.equal(await cat.locator('#room-list').getByText(/dm-/).count(), 0);
  });
});
