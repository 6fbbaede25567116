// access.js  the access key of a private server (`--key`): asked once, kept per browser.
// The key travels as `Authorization: Bearer` to /auth and as a WebSocket subprotocol
// ("key.<base64url>"), never in a URL the browser sends (docs/protocol.md, "Access key"). An
// invite link carries it in the fragment (#k=...), which browsers keep to themselves: the page
// takes it from there once, remembers it, and removes it from the address bar.

const STORAGE_KEY = 'message.accessKey';

export function savedKey() {
  try { return localStorage.getItem(STORAGE_KEY) || ''; } catch { return ''; }
}

function saveKey(key) {
  try { localStorage.setItem(STORAGE_KEY, key); } catch { /* private mode: asked again next time */ }
}

/** The key in an invite link's fragment, percent-escaped as inviteLink() writes it. */
const FRAGMENT_KEY = /^#k=([^&]*)$/;

/**
 * Takes the key from an invite link (`#k=...`): remembers it and removes it from the address
 * bar (and from this history entry), so it is not shared by copying the address or shown over
 * a shoulder. Call before anything reads the hash.
 */
export function takeKeyFromFragment() {
  const m = FRAGMENT_KEY.exec(window.location.hash);
  if (!m) return;
  try {
    const key = decodeURIComponent(m[1]);
    if (key) saveKey(key);
  } catch { /* malformed escape: the person is asked for the key as usual */ }
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
}

/** Percent-escapes like the server (app/invite_link.cpp): all but A-Z a-z 0-9 - . _ ~. */
function escapeKey(key) {
  return encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The link that brings someone to the chat at `origin` (this browser's address), with the key. */
export function inviteLink(origin, key) {
  const base = `${origin}/`;
  return key ? `${base}#k=${escapeKey(key)}` : base;
}

/**
 * The Authorization header that presents `key`. Header values are bytes, and fetch sends each
 * character of a string as one byte: the key's UTF-8 bytes are spelled out one per character,
 * so a key like "ü" arrives as the server compares it (UTF-8), not as Latin-1 (or an error).
 */
export function authHeaders(key) {
  if (!key) return {};
  let bytes = '';
  for (const byte of new TextEncoder().encode(key)) bytes += String.fromCharCode(byte);
  return { Authorization: `Bearer ${bytes}` };
}

function base64url(text) {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The subprotocols to offer on /ws: none without a key. */
export function protocolsFor(key, identityToken) {
  const list = ['message.v1'];
  if (identityToken) list.push(`id.${identityToken}`);
  if (key) list.push(`key.${base64url(key)}`);
  return list.length > 1 ? list : undefined;
}

/**
 * The headers of the /auth call that sets the session cookie: the identity first, then the
 * key, in one Authorization value (`Identity <token>, Bearer <key>`; docs/protocol.md,
 * "Resources by URL"), so the cookie carries who this browser is.
 */
function sessionHeaders(key, identityToken) {
  const { Authorization: bearer } = authHeaders(key);
  const parts = [identityToken ? `Identity ${identityToken}` : '', bearer || ''].filter(Boolean);
  return parts.length ? { Authorization: parts.join(', ') } : {};
}

/**
 * Resolves once the server lets this browser in, asking the person for the key (through
 * `ask(problem)`, which resolves with what they typed) as often as needed. Returns the key
 * ('' when the server needs none). The answer sets the session cookie (a same-origin fetch
 * stores it) that URL routes such as /invite.svg take in place of the key.
 */
export async function ensureAccess(ask, identityToken = '') {
  let problem = '';
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const key = savedKey();
    let res;
    try {
      res = await fetch('auth', { cache: 'no-store', credentials: 'same-origin', headers: sessionHeaders(key, identityToken) });
    } catch {
      return key; // Offline or the server is down: the connection's own retries take over.
    }
    if (res.ok) return key;
    if (res.status === 429) {
      const wait = Number(res.headers.get('Retry-After')) || 5;
      problem = `Too many wrong keys: try again in ${wait} s.`;
    } else if (res.status === 401) {
      problem = key ? 'That key is not right.' : '';
    } else {
      return key;
    }
    saveKey(await ask(problem));
  }
  return savedKey();
}
