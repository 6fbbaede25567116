// Chat formatting, a small safe subset, built as DOM nodes from the text (never markup):
//   ```fenced code blocks```  monospace, scrollable, with a copy button
//   `code`   **bold** or *bold*   _italic_   links (linkify.js's rules: http, https, www.)
// A mark counts only at a word's edge (snake_case_name and 2*3*4 stay literal) and within one
// line; a mark that is not closed, and everything else, stays literal text.

import { linkAt, linkNode } from './linkify.js';

const FENCE_RE = /```(?:([A-Za-z0-9_+#.-]{1,20})?\n)?([\s\S]*?)```/g;
const WORD = /[\p{L}\p{N}]/u;
const SPACE = /\s/u;

/**
 * Appends `text` to `parent`, formatted. `copy(text)` is called by a code block's copy button.
 * @param {HTMLElement} parent
 * @param {string} text
 * @param {(text: string) => void} [copy]
 */
export function appendFormatted(parent, text, copy) {
  let last = 0;
  for (const match of text.matchAll(FENCE_RE)) {
    if (match[2].trim() === '') continue; // ``` ``` holds no code: literal
    // The line breaks around a block belong to the block, which is a line of its own anyway.
    const before = text.slice(last, match.index).replace(/\n$/, '');
    appendInline(parent, before);
    parent.append(codeBlock(match[2].replace(/\n$/, ''), match[1], copy));
    last = match.index + match[0].length;
    if (text[last] === '\n') last += 1;
  }
  appendInline(parent, text.slice(last));
}

function codeBlock(code, language, copy) {
  const box = document.createElement('div');
  box.className = 'codeblock';
  const pre = document.createElement('pre');
  pre.tabIndex = 0; // a wide block scrolls sideways from the keyboard too
  if (language) pre.dataset.language = language;
  const node = document.createElement('code');
  node.textContent = code;
  pre.append(node);
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy-code';
  // The label is drawn by CSS, so the message's text (textContent) stays the code alone.
  button.setAttribute('aria-label', 'Copy code');
  button.title = 'Copy code';
  button.addEventListener('click', () => copy?.(code));
  box.append(pre, button);
  return box;
}

const edgeBefore = (text, i) => i === 0 || !WORD.test(text[i - 1]);
const edgeAfter = (text, i) => i >= text.length || !WORD.test(text[i]);

/** The index of the mark `mark` that closes one opened at `from`, or -1. */
function closing(text, from, mark) {
  for (let j = text.indexOf(mark, from); j !== -1; j = text.indexOf(mark, j + 1)) {
    if (text.slice(from, j).includes('\n')) return -1;
    if (j > from && !SPACE.test(text[j - 1]) && edgeAfter(text, j + mark.length)) {
      // "**" is not a "*" followed by another one.
      if (mark.length === 1 && text[j + 1] === mark) continue;
      return j;
    }
  }
  return -1;
}

/** Inline formatting of text without code blocks. */
function appendInline(parent, text) {
  let plain = '';
  const flush = () => {
    if (plain) parent.append(plain);
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        const code = document.createElement('code');
        code.textContent = text.slice(i + 1, end);
        parent.append(code);
        i = end + 1;
        continue;
      }
    }
    if (ch === 'h' || ch === 'H' || ch === 'w' || ch === 'W') {
      const link = linkAt(text, i, '*_');
      if (link) {
        flush();
        parent.append(linkNode(link));
        i = link.end;
        continue;
      }
    }
    if (ch === '_' && text[i + 1] === '_') {
      // "__init__": a run of underscores is part of a name, not a mark.
      const run = /_+/y;
      run.lastIndex = i;
      const marks = run.exec(text)[0];
      plain += marks;
      i += marks.length;
      continue;
    }
    if ((ch === '*' || ch === '_') && edgeBefore(text, i)) {
      const mark = ch === '*' && text[i + 1] === '*' ? '**' : ch;
      const start = i + mark.length;
      if (start < text.length && !SPACE.test(text[start])) {
        const end = closing(text, start, mark);
        if (end > start) {
          flush();
          const node = document.createElement(ch === '_' ? 'em' : 'strong');
          appendInline(node, text.slice(start, end));
          parent.append(node);
          i = end + mark.length;
          continue;
        }
      }
    }
    plain += ch;
    i += 1;
  }
  flush();
}
