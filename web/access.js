// access.js  the access key of a private server (`--key`): asked once, kept per browser.
// The key travels as `Authorization: Bearer` to /auth and as a WebSocket subprotocol
// ("key.<base64url>"), never in a URL the browser sends (docs/protocol.md, "Access key"). An
// invite link carries it in the fragment (#k=...), which browsers keep to themselves: the page
// takes it from there once, remembers it, and removes it from the address bar.

const STORAGE_KEY = 'message.accessKey';

export function savedKey() {
  try { return localStorage.getItem(STORAGE_KEY) || ''; } catch { return ''; }
}

export function saveKey(key) {
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
export function sessionHeaders(key, identityToken) {
  const { Authorization: bearer } = authHeaders(key);
  const parts = [identityToken ? `Identity ${identityToken}` : '', bearer || ''].filter(Boolean);
  return parts.length ? { Authorization: parts.join(', ') } : {};
}

const WAIT_UNSAID_S = 5; // a 429 or 503 without Retry-After: wait this long

/**
 * What /auth says of the saved key now: {ok}, {wait: seconds} (429 after too many wrong keys,
 * or 503 over the connection limit), {refused} (401: the key is missing or not the server's),
 * or {down} (no answer: the server or the network is down).
 */
export async function accessAnswer(identityToken = '') {
  let res;
  try {
    res = await fetch('auth', { cache: 'no-store', credentials: 'same-origin', headers: sessionHeaders(savedKey(), identityToken) });
  } catch {
    return { down: true };
  }
  if (res.ok) return { ok: true };
  if (res.status === 429 || res.status === 503) return { wait: Number(res.headers.get('Retry-After')) || WAIT_UNSAID_S, status: res.status };
  if (res.status === 401) return { refused: true };
  return { ok: true }; // anything else is not about the key: the connection's retries handle it
}

/**
 * Resolves once the server lets this browser in, asking the person for the key (through
 * `ask(problem)`, which resolves with what they typed) as often as needed, and waiting by
 * itself when the server says to (`wait(seconds)` shows the countdown and resolves at its end),
 * then trying the same key again. Returns the key ('' when the server needs none). The answer
 * sets the session cookie (a same-origin fetch stores it) that URL routes such as /invite.svg
 * take in place of the key.
 */
export async function ensureAccess(ask, wait, identityToken = '') {
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const key = savedKey();
    const answer = await accessAnswer(identityToken);
    if (answer.ok || answer.down) return key; // down: the connection's own retries take over
    if (answer.wait) await wait(answer.wait);
    else saveKey(await ask(key ? 'That key is not right.' : ''));
  }
  return savedKey();
}
