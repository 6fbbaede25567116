// Read state and room activity in the page: two pages of one person (one browser context) show
// the same unread badge for a room neither has on screen, reading it on one clears it on the
// other, and a reload shows what the server says.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('read state across tabs', () => {
  let env;
  before(async () => { env = await h.setup(); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  const kitchenLink = (page) => page.locator('#room-list a', { hasText: 'kitchen' });
  const kitchenBadge = (page) => kitchenLink(page).locator('.badge');

  it('shows one unread count in both tabs and clears it in both when one reads', async () => {
    // kim follows the kitchen (joined it once), then both tabs sit in the lobby.
    const one = await h.openChat(env, { name: 'kim', room: 'kitchen' });
    await one.evaluate(() => { window.location.hash = '#/room/lobby'; });
    await h.waitStatus(one, 'open');
    const two = await h.openChat(env, { name: 'kim', room: 'lobby', context: one.context() });

    await h.postMessages(one, 'kitchen', 'lee', ['soup is ready', '@kim bring bowls']);
    for (const page of [one, two]) {
      await kitchenBadge(page).getByText('2').waitFor({ timeout: h.WAIT_MS });
      await kitchenLink(page).locator('.mention:not([hidden])').waitFor({ timeout: h.WAIT_MS });
      await h.eventually(async () => assert.equal(await page.title(), '(2) message'));
    }

    // A reload asks nobody but the server: the count is still there.
    await two.reload();
    await h.waitStatus(two, 'open');
    await kitchenBadge(two).getByText('2').waitFor({ timeout: h.WAIT_MS });

    // Reading the kitchen in the first tab clears the badge in the second.
    await kitchenLink(one).click();
    await h.waitTexts(one, ['soup is ready', '@kim bring bowls']);
    await h.eventually(async () => assert.equal(await kitchenBadge(two).isHidden(), true));
    assert.equal(await kitchenLink(two).locator('.mention:not([hidden])').count(), 0);
    await h.eventually(async () => assert.equal(await two.title(), 'message'));

    // And after a reload it stays read.
    await two.reload();
    await h.waitStatus(two, 'open');
    await kitchenLink(two).waitFor();
    await h.postMessages(two, 'lobby', 'lee', ['something in the lobby']); // a fresh count arrives
    await h.waitTexts(two, ['something in the lobby']);
    assert.equal(await kitchenBadge(two).isHidden(), true);
    assert.equal(one.lastError, undefined);
    assert.equal(two.lastError, undefined);
  });
});
