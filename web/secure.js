// secure.js  https on the same port (the default; --tls-cert; not with --no-tls): a page opened
// over plain http from another machine says what https adds (encryption; notifications,
// copying and installing, which browsers allow only in a secure context) and links to it, with
// the certificate's fingerprint to compare against the browser's one-time warning.

import { authHeaders, savedKey } from './access.js';

let info = null;

/** What /auth says of the server ({key_required, tls_fingerprint?}); {} when unreachable. */
export async function serverInfo() {
  if (!info) {
    try {
      const res = await fetch('auth', { cache: 'no-store', headers: authHeaders(savedKey()) });
      info = res.ok ? await res.json() : {};
    } catch {
      info = {};
    }
  }
  return info;
}

/** The origin invites should use: https when the port speaks it, else this page's own. */
export async function inviteOrigin() {
  const { tls_fingerprint: fingerprint } = await serverInfo();
  return fingerprint ? `https://${window.location.host}` : window.location.origin;
}

/** Shows the https offer in `element` when this page is on http and the port speaks TLS. */
export async function offerHttps(element) {
  // A page on this machine (http://127.0.0.1, localhost) is already a secure context and its
  // traffic never leaves the machine: https would add nothing but the certificate warning.
  if (window.location.protocol !== 'http:' || window.isSecureContext) return;
  const { tls_fingerprint: fingerprint } = await serverInfo();
  if (!fingerprint) return;
  const link = document.createElement('a');
  link.href = `https://${window.location.host}${window.location.pathname}${window.location.hash}`;
  link.textContent = 'Open this chat over https';
  const code = document.createElement('code');
  code.textContent = fingerprint;
  element.replaceChildren(
    'Plain http: the chat is not encrypted, and browsers allow notifications and copying only over https. ',
    link,
    '. The browser warns once that it does not know the certificate: go on if the SHA-256 fingerprint it shows is ',
    code,
    '.',
  );
  element.hidden = false;
}
