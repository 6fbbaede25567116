// Accessibility: axe-core's WCAG 2.1 A/AA rules on a page with a conversation on it,
// light and dark, desktop and 360 px wide.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const h = require('./helpers.js');

let axeSource;
try {
  axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
} catch {
  throw new Error('axe-core is not installed: run `npm ci` in tests/browser');
}

async function violations(page) {
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does not apply.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

describe('accessibility', () => {
  let env;
  before(async () => { env = await h.setup(); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  it('has no WCAG 2.1 A/AA violations in light and dark, wide and narrow', async () => {
    const a = await h.openChat(env, { name: 'kim' });
    const b = await h.openChat(env, { name: 'lee', viewport: { width: 360, height: 720 } });
    await h.send(a, 'Hello! See https://example.org');
    await h.send(b, 'Hi kim 👋');
    await h.waitTexts(a, ['Hello! See https://example.org', 'Hi kim 👋']);
    await h.waitTexts(b, ['Hello! See https://example.org', 'Hi kim 👋']);
    await a.locator('#people .person').nth(1).waitFor();
    for (const scheme of ['light', 'dark']) {
      for (const page of [a, b]) {
        await page.emulateMedia({ colorScheme: scheme });
        assert.deepEqual(await violations(page), [], `${scheme}, ${page.viewportSize().width} px`);
      }
    }
  });
});
