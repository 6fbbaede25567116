// access.js  the access key of a private server (`--key`): asked once, kept per browser.
// The key travels as `Authorization: Bearer` to /auth and as a WebSocket subprotocol
// ("key.<base64url>"), never in a URL (docs/protocol.md, "Access key").

const STORAGE_KEY = 'message.accessKey';

export function savedKey() {
  try { return localStorage.getItem(STORAGE_KEY) || ''; } catch { return ''; }
}

function saveKey(key) {
  try { localStorage.setItem(STORAGE_KEY, key); } catch { /* private mode: asked again next time */ }
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
 * Resolves once the server lets this browser in, asking the person for the key (through
 * `ask(problem)`, which resolves with what they typed) as often as needed. Returns the key
 * ('' when the server needs none).
 */
export async function ensureAccess(ask) {
  let problem = '';
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const key = savedKey();
    let res;
    try {
      res = await fetch('auth', { cache: 'no-store', headers: key ? { Authorization: `Bearer ${key}` } : {} });
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
