// Turns chat text into DOM nodes: plain text nodes, and <a> only for http(s) URLs and
// addresses starting with www. (opened as http://). Nothing here parses HTML; any other scheme
// (javascript:, data:, ...) stays plain text.

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/; // "see https://x.org." — the dot ends the sentence, not the URL

function safeHref(text) {
  try {
    const url = new URL(/^www\./i.test(text) ? `http://${text}` : text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * The link that starts exactly at `index` of `text`, or null: {end, href, text}. `extraTrailing`
 * names more characters a link may not end with (formatting marks around it, for format.js).
 */
export function linkAt(text, index, extraTrailing = '') {
  if (index > 0 && /[\p{L}\p{N}_]/u.test(text[index - 1])) return null; // mid-word: no link
  const re = new RegExp(URL_RE.source, 'iy');
  re.lastIndex = index;
  const match = re.exec(text);
  if (!match) return null;
  let candidate = match[0];
  for (;;) {
    const trail = candidate.match(TRAILING);
    if (trail) candidate = candidate.slice(0, -trail[0].length);
    else if (candidate && extraTrailing.includes(candidate[candidate.length - 1])) candidate = candidate.slice(0, -1);
    else break;
  }
  if (/^www\.$/i.test(candidate)) return null;
  const href = safeHref(candidate);
  return href ? { end: index + candidate.length, href, text: candidate } : null;
}

/** An <a> for a link found by linkAt. */
export function linkNode(link) {
  const a = document.createElement('a');
  a.href = link.href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  a.textContent = link.text;
  return a;
}

/** Appends `text` to `parent` as text nodes and safe links. */
export function appendLinkified(parent, text) {
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    if (match.index < last) continue;
    const link = linkAt(text, match.index);
    if (!link) continue;
    if (match.index > last) parent.append(text.slice(last, match.index));
    parent.append(linkNode(link));
    last = link.end;
  }
  if (last < text.length) parent.append(text.slice(last));
}
