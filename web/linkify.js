// Turns chat text into DOM nodes: plain text nodes, and <a> only for http(s) URLs.
// Nothing here parses HTML; any other scheme (javascript:, data:, ...) stays plain text.

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/; // "see https://x.org." — the dot ends the sentence, not the URL

function safeHref(text) {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Appends `text` to `parent` as text nodes and safe links. */
export function appendLinkified(parent, text) {
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    let candidate = match[0];
    const trail = candidate.match(TRAILING);
    if (trail) candidate = candidate.slice(0, -trail[0].length);
    const href = safeHref(candidate);
    if (!href) continue;
    if (match.index > last) parent.append(text.slice(last, match.index));
    const a = document.createElement('a');
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    a.textContent = candidate;
    parent.append(a);
    last = match.index + candidate.length;
  }
  if (last < text.length) parent.append(text.slice(last));
}
