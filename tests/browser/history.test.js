// A fresh page shows the last 50 messages; scrolling to the top loads older ones, page by
// page, until the beginning of the room, without duplicates and in order.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('history', () => {
  let env;
  before(async () => { env = await h.setup({ args: ['--no-rate-limit'] }); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  it('loads older messages when scrolled to the top', async () => {
    const filler = await h.openChat(env, { name: 'filler' });
    const all = Array.from({ length: 120 }, (_, i) => `message number ${i + 1}`);
    await h.postMessages(filler, 'lobby', 'bot', all);
    await filler.close();

    // The reader's clock says it is tomorrow: the messages were written "Yesterday".
    const page = await h.openChat(env, {
      name: 'reader',
      beforeLoad: (p) => p.clock.setFixedTime(Date.now() + 24 * 3600 * 1000),
    });
    await h.waitTexts(page, all.slice(-50));
    assert.deepEqual(await page.locator('#messages .day').allTextContents(), ['Yesterday']);
    const box = page.locator('#message-box');
    // Starts at the bottom, showing the newest.
    assert.ok(await box.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 50));

    await box.evaluate((el) => { el.scrollTop = 0; });
    await h.waitTexts(page, all.slice(-100));
    // The view stayed on what the reader was looking at: not thrown to the top or bottom.
    const top = await box.evaluate((el) => el.scrollTop);
    assert.ok(top > 200, `scroll position kept after older messages came in (scrollTop ${top})`);

    await box.evaluate((el) => { el.scrollTop = 0; });
    await h.waitTexts(page, all);
    await page.getByText('This is the beginning of #lobby.').waitFor();
    const seqs = await page.locator('#messages .msg').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
    assert.deepEqual(seqs, all.map((_, i) => i + 1));
  });
});
