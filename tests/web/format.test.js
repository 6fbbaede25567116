import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeDom } from './fake_dom.js';
import { appendFormatted } from '../../web/format.js';

const document = installFakeDom();

const formatted = (text) => {
  const p = document.createElement('p');
  appendFormatted(p, text);
  return p;
};

test('FormatMakesBoldItalicAndCodeAtWordEdges', () => {
  const p = formatted('**bold** _it_ `code` snake_case_name 2*3*4');
  assert.equal(p.all('STRONG')[0].textContent, 'bold');
  assert.equal(p.all('EM')[0].textContent, 'it');
  assert.equal(p.all('CODE')[0].textContent, 'code');
  assert.equal(p.all('EM').length, 1, 'snake_case_name stays literal');
  assert.equal(p.textContent, 'bold it code snake_case_name 2*3*4');
});

test('FormatKeepsAFencedBlockVerbatim', () => {
  const p = formatted('look:\n```js\n<b>**not bold**</b>\n```\nafter');
  const code = p.all('CODE')[0];
  assert.equal(code.textContent, '<b>**not bold**</b>');
  assert.equal(p.all('STRONG').length, 0);
  assert.equal(p.all('PRE')[0].dataset.language, 'js');
});

test('FormatLeavesAnUnclosedMarkLiteral', () => {
  assert.equal(formatted('**open and never closed').textContent, '**open and never closed');
});
