// Rooms are kept apart, the room list counts unread messages, and bad room names are refused.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('rooms', () => {
  let env;
  before(async () => { env = await h.setup(); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  it('keeps rooms apart and counts unread messages', async () => {
    const a = await h.openChat(env, { name: 'kim' });
    const b = await h.openChat(env, { name: 'lee' });
    await h.send(a, 'hello lobby');
    await h.waitTexts(b, ['hello lobby']);

    // b joins another room by name.
    await b.getByLabel('Room name').fill('side-1');
    await b.getByRole('button', { name: 'Join' }).click();
    await b.waitForURL(/#\/room\/side-1$/);
    await h.waitStatus(b, 'open');
    await h.waitTexts(b, []);
    await h.send(b, 'only in side 1');
    await h.send(b, 'also only in side 1');
    await h.waitTexts(b, ['only in side 1', 'also only in side 1']);

    // back to the lobby through the room list
    await b.getByRole('link', { name: /^#?\s*lobby/ }).click();
    await b.waitForURL(/#\/room\/lobby$/);
    await h.waitStatus(b, 'open');
    await h.waitTexts(b, ['hello lobby']);
    await h.send(b, 'back in the lobby');
    await h.waitTexts(a, ['hello lobby', 'back in the lobby']);

    // a never saw side-1's messages, but its room list shows them as unread.
    const sideLink = a.getByRole('link', { name: /side-1/ });
    await sideLink.waitFor({ timeout: h.WAIT_MS });
    await sideLink.getByLabel('2 unread').waitFor({ timeout: h.WAIT_MS });
    assert.deepEqual(await h.texts(a), ['hello lobby', 'back in the lobby']);

    // Visiting the room shows them and clears the count.
    await sideLink.click();
    await h.waitStatus(a, 'open');
    await h.waitTexts(a, ['only in side 1', 'also only in side 1']);
    assert.equal(await a.locator('#room-list .badge:not([hidden])').count(), 0);
    assert.equal(await a.locator('#room-list [aria-current="page"]').textContent(), 'side-1');
  });

  it('refuses room names that are not 1-40 letters, digits, - or _', async () => {
    const a = await h.openChat(env, { name: 'kim', room: 'lobby' });
    await a.getByLabel('Room name').fill('no spaces!');
    await a.getByRole('button', { name: 'Join' }).click();
    await a.locator('#room-error').getByText(/1–40 letters/).waitFor();
    assert.match(a.url(), /#\/room\/lobby$/);

    await a.evaluate(() => { window.location.hash = '#/room/<b>bad</b>'; });
    await a.getByRole('alert').filter({ hasText: 'is not a room name' }).waitFor();
    await a.waitForURL(/#\/room\/lobby$/);
    await h.waitStatus(a, 'open');

    // Names that are also JavaScript property names are rooms like any other.
    await a.getByLabel('Room name').fill('__proto__');
    await a.getByRole('button', { name: 'Join' }).click();
    await h.waitStatus(a, 'open');
    await h.send(a, 'odd but valid');
    await a.locator('#messages .msg[data-state="sent"]', { hasText: 'odd but valid' }).waitFor();
    await a.getByRole('link', { name: /lobby/ }).click();
    await h.waitStatus(a, 'open');
    const odd = a.getByRole('link', { name: /__proto__/ });
    await odd.waitFor();
    assert.equal(await odd.locator('.badge:not([hidden])').count(), 0, 'read here, so not unread');
    await h.postMessages(a, '__proto__', 'bot', ['one more']);
    await h.postMessages(a, 'lobby', 'bot', ['news in the lobby']); // its arrival refreshes the room list
    await odd.getByLabel('1 unread').waitFor({ timeout: h.WAIT_MS });
    assert.equal(a.lastError, undefined);
  });
});
