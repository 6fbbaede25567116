import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeDom } from './fake_dom.js';
import { appendLinkified, linkAt } from '../../web/linkify.js';

const document = installFakeDom();

test('LinkifyMakesOnlyHttpAndHttpsLinks', () => {
  const p = document.createElement('p');
  appendLinkified(p, 'javascript:alert(1) data:text/html,x https://example.org/a?b=1. and www.x.org');
  const links = p.all('A');
  assert.deepEqual(links.map((a) => a.href), ['https://example.org/a?b=1', 'http://www.x.org/']);
  assert.equal(p.textContent, 'javascript:alert(1) data:text/html,x https://example.org/a?b=1. and www.x.org');
  for (const a of links) assert.equal(a.rel, 'noopener noreferrer');
});

test('LinkifyLeavesTheSentencesDotOutOfTheLink', () => {
  assert.equal(linkAt('see https://x.org.', 4).text, 'https://x.org');
  assert.equal(linkAt('no link here', 0), null);
});

test('LinkifyKeepsMarkupAsText', () => {
  const p = document.createElement('p');
  appendLinkified(p, '<img src=x onerror=alert(1)>');
  assert.equal(p.all('IMG').length, 0);
  assert.equal(p.textContent, '<img src=x onerror=alert(1)>');
});
