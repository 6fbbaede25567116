// A linked second device shows the same read position (issue 24): the first browser reads a
// room up to some message and leaves it; more arrive; a second browser linked to the same
// person shows the same unread count for it as the first, and reading it there clears it on
// the first.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('read position on a linked device', () => {
  let env;
  before(async () => { env = await h.setup(); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  const kitchenLink = (page) => page.locator('#room-list a', { hasText: 'kitchen' });
  const kitchenBadge = (page) => kitchenLink(page).locator('.badge');

  it('a linked second device shows the same read position', async () => {
    // The first device reads the kitchen up to its second message, then goes to the lobby.
    const laptop = await h.openChat(env, { name: 'ann', room: 'kitchen' });
    await h.postMessages(laptop, 'kitchen', 'lee', ['one', 'two']);
    await h.waitTexts(laptop, ['one', 'two']);
    await laptop.evaluate(() => { window.location.hash = '#/room/lobby'; });
    await h.waitStatus(laptop, 'open');
    await h.postMessages(laptop, 'kitchen', 'lee', ['three', 'four', 'five']);
    await kitchenBadge(laptop).getByText('3').waitFor({ timeout: h.WAIT_MS });

    // A browser that never saw this chat links to the first one's identity.
    await laptop.getByRole('button', { name: 'Link a device' }).click();
    const address = laptop.locator('#link-address');
    await h.eventually(async () => /#link=[2-9A-Z]{8}$/.test(await address.inputValue()));
    const context = await env.browser.newContext({ viewport: { width: 1100, height: 760 } });
    env.contexts.push(context);
    const phone = await context.newPage();
    await phone.goto(await address.inputValue());
    await phone.locator('#notice').getByText('you are ann').waitFor({ timeout: h.WAIT_MS });
    await h.waitStatus(phone, 'open');

    // The same position: the kitchen counts the three messages after "two" on both.
    await kitchenBadge(phone).getByText('3').waitFor({ timeout: h.WAIT_MS });
    await h.eventually(async () => assert.equal(await phone.title(), '(3) message'));

    // Reading there moves the position for the person, so the first device clears too.
    await kitchenLink(phone).click();
    await h.eventually(async () => assert.deepEqual((await h.texts(phone)).slice(-3), ['three', 'four', 'five']));
    await h.eventually(async () => assert.equal(await kitchenBadge(laptop).isHidden(), true));
    assert.equal(laptop.lastError, undefined);
    assert.equal(phone.lastError, undefined);
  });
});
