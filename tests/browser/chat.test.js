// Two people chat: messages go both ways in the same order, user text is never HTML,
// Close closes; then axe-core checks the page. Saves docs/screenshots/chat.png and dark.png.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const h = require('./helpers.js');

try {
  require.resolve('axe-core/axe.min.js'); // helpers.js's axeViolations reads it
} catch {
  throw new Error('axe-core is not installed: run `npm ci` in tests/browser');
}

describe('chat between two pages', () => {
  let env;
  before(async () => { env = await h.setup(); });
  after(async () => { await env?.close(); });
  let a;
  let b;

  it('delivers both ways in one order, shows markup as text, closes on Close', async () => {
    const viewport = { width: 760, height: 620 };
    a = await h.openChat(env, { name: 'kim', viewport });
    b = await h.openChat(env, { name: 'lee', viewport });
    let dialogs = 0;
    for (const p of [a, b]) p.on('dialog', (d) => { dialogs += 1; d.dismiss().catch(() => {}); });

    // The controls a person looks for are there by name.
    for (const p of [a, b]) {
      await p.getByLabel('Username').waitFor();
      await p.getByRole('button', { name: 'Send' }).waitFor();
      await p.getByRole('button', { name: 'Close' }).waitFor();
      assert.equal(await p.getByRole('log').count(), 1);
    }

    await h.send(a, 'Hi lee! Lunch at 12? 🍜');
    await h.waitTexts(b, ['Hi lee! Lunch at 12? 🍜']);
    // Shift+Enter makes a new line, Enter sends.
    const box = b.getByLabel('Message', { exact: true });
    await box.pressSequentially('Sounds good.');
    await box.press('Shift+Enter');
    await box.pressSequentially('The usual place?');
    await box.press('Enter');
    await h.waitTexts(b, ['Hi lee! Lunch at 12? 🍜', 'Sounds good.\nThe usual place?']);
    assert.equal(await box.inputValue(), '');
    await h.send(b, 'Menu: https://example.org/menu');
    await h.send(a, 'Yes 👍');
    const xss = '<img src=x onerror=alert(1)>';
    await h.send(b, xss);
    const expected = ['Hi lee! Lunch at 12? 🍜', 'Sounds good.\nThe usual place?', 'Menu: https://example.org/menu', 'Yes 👍', xss];
    await h.waitTexts(a, expected);
    await h.waitTexts(b, expected);

    // Same seq order on both pages, and each message carries its sender and a time.
    const seqs = (p) => p.locator('#messages .msg').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
    assert.deepEqual(await seqs(a), [1, 2, 3, 4, 5]);
    assert.deepEqual(await seqs(b), [1, 2, 3, 4, 5]);
    const first = b.locator('#messages .msg').first();
    assert.equal(await first.locator('.who').textContent(), 'kim');
    assert.match(await first.locator('time').getAttribute('datetime'), /^\d{4}-\d\d-\d\dT/);

    // Own messages (sent from this device) look different from the others'.
    assert.deepEqual(await a.locator('#messages .msg').evaluateAll((els) => els.map((e) => e.classList.contains('own'))),
      [true, false, false, true, false]);
    await a.locator('#messages .msg[data-seq="4"][data-state="sent"]').waitFor();
    // Consecutive messages of one sender are grouped under one name; a day separator heads the day.
    assert.deepEqual(await a.locator('#messages .msg').evaluateAll((els) => els.map((e) => e.classList.contains('cont'))),
      [false, false, true, false, false]);
    assert.equal(await a.locator('#messages .day').allTextContents().then((d) => d.join('|')), 'Today');

    // The markup arrived as text: no element was made from it and no script ran.
    assert.equal(await a.locator('#messages img').count(), 0);
    assert.equal(await b.locator('#messages img').count(), 0);
    await a.getByText(xss, { exact: true }).waitFor();
    assert.equal(dialogs, 0);

    await composeScreenshot(env, a, b, path.join(h.ROOT, 'docs', 'screenshots', 'chat.png'));
    await b.emulateMedia({ colorScheme: 'dark' });
    await b.screenshot({ path: path.join(h.ROOT, 'docs', 'screenshots', 'dark.png') });
    await b.emulateMedia({ colorScheme: 'light' });

    // Close closes, and it stays closed until Open.
    await a.getByRole('button', { name: 'Close' }).click();
    await h.waitStatus(a, 'closed');
    assert.equal(await a.getByRole('status').textContent(), 'Closed');
    await a.getByRole('button', { name: 'Open' }).waitFor();
    await h.send(b, 'Still there?');
    await h.waitTexts(b, [...expected, 'Still there?']);
    assert.equal((await h.texts(a)).length, 5, 'a closed page receives nothing');
    await a.getByRole('button', { name: 'Open' }).click();
    await h.waitStatus(a, 'open');
    await h.waitTexts(a, [...expected, 'Still there?']);
    assert.equal(a.lastError, undefined);
    assert.equal(b.lastError, undefined);
    assert.deepEqual([...a.cspViolations, ...b.cspViolations], [], 'the page lives within the server\'s CSP');
  });

  // The same two pages, with a conversation on them.
  it('has no WCAG 2.1 A/AA violations in light and dark, wide and narrow', async () => {
    await b.setViewportSize({ width: 360, height: 720 });
    await a.setViewportSize({ width: 1100, height: 760 });
    for (const scheme of ['light', 'dark']) {
      for (const page of [a, b]) {
        await page.emulateMedia({ colorScheme: scheme });
        assert.deepEqual(await h.axeViolations(page), [], `${scheme}, ${page.viewportSize().width} px`);
      }
    }
  });
});

// Both pages side by side in one picture, for the README.
async function composeScreenshot(env, a, b, file) {
  await a.getByLabel('Message', { exact: true }).blur();
  await b.getByLabel('Message', { exact: true }).blur();
  const shots = await Promise.all([a.screenshot(), b.screenshot()]);
  const page = await env.browser.newPage({ viewport: { width: 1544, height: 652 } });
  await page.setContent(`<body style="margin:0;background:#d5d9e0;display:flex;gap:8px;padding:8px 8px">
    ${shots.map((s) => `<img style="width:760px;height:620px;border-radius:8px;box-shadow:0 2px 10px rgba(0,0,0,.2)" src="data:image/png;base64,${s.toString('base64')}">`).join('')}
  </body>`);
  await page.locator('img').nth(1).evaluate((img) => img.decode());
  await page.screenshot({ path: file });
  await page.close();
}
