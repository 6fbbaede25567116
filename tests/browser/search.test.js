// Search (issue 29): Ctrl+K opens the box, results come as you type with the words marked, and
// choosing a result in another room, far outside its loaded history, opens that room at the
// message and highlights it.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('search', () => {
  let env;
  before(async () => { env = await h.setup({ args: ['--no-rate-limit'] }); });
  after(async () => { await env?.close(); });

  it('finds a message in another room and lands on it highlighted', async () => {
    const filler = await h.openChat(env, { name: 'filler' });
    const all = Array.from({ length: 150 }, (_, i) => (i === 2 ? 'the golden needle is here' : `archive line ${i + 1}`));
    await h.postMessages(filler, 'archive', 'bot', all);
    await filler.close();

    const page = await h.openChat(env, { name: 'reader' });
    await page.keyboard.press('Control+k');
    const box = page.getByRole('searchbox', { name: 'Search messages' });
    await box.waitFor({ timeout: h.WAIT_MS });
    await box.fill('golden nee');
    const hit = page.locator('.search-hit[data-room="archive"][data-seq="3"]');
    // The index is a moment behind the acks: ask again until it has the message.
    await h.eventually(async () => {
      if (await hit.count() > 0) return true;
      await box.press('Enter');
      return false;
    }, { interval: 200 });
    assert.deepEqual(await hit.locator('mark').allTextContents(), ['golden', 'needle']);
    assert.equal(await page.locator('.search-room-name').first().textContent(), '#archive');

    await hit.click();
    const target = page.locator('#messages .msg[data-seq="3"]');
    await target.waitFor({ timeout: h.WAIT_MS });
    await h.eventually(async () => (await target.getAttribute('class')).split(' ').includes('flash'));
    assert.match(await target.locator('.body').textContent(), /the golden needle is here/);
    assert.equal(await page.locator('#room-title').textContent(), 'archive');
    assert.ok(await target.isVisible(), 'scrolled into view');
    assert.equal(page.lastError, undefined);
  });
});
