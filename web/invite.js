// invite.js  the Invite dialog: the QR code (drawn by the server at /invite.svg for the address
// this browser used) and the same link to copy, so a phone can join by scanning this screen.
// With a key the link carries it (#k=...): only a browser that has the key can ask for it.

import { authHeaders, inviteLink, savedKey } from './access.js';
import { inviteOrigin, serverInfo } from './secure.js';

/** Wires the Invite button to its dialog. */
export function setupInvite() {
  const button = document.getElementById('invite-open');
  const dialog = document.getElementById('invite');
  const image = document.getElementById('invite-qr');
  const link = document.getElementById('invite-link');
  const note = document.getElementById('invite-note');
  const plain = document.getElementById('invite-link-plain');
  const plainBox = document.getElementById('invite-plain');

  button.addEventListener('click', async () => {
    const key = savedKey();
    // The server draws the QR code for https when the port speaks it: the link matches it.
    link.value = inviteLink(await inviteOrigin(), key);
    const { tls_fingerprint: fingerprint } = await serverInfo();
    // The port speaks both: https (the QR code) and, for who cannot get past the warning, http.
    plain.value = fingerprint ? inviteLink(`http://${window.location.host}`, key) : '';
    plainBox.hidden = !fingerprint;
    note.textContent = [
      key ? 'The link holds the key: share it only with people who may join.' : '',
      fingerprint ? `Browsers warn once about the certificate: its SHA-256 fingerprint is ${fingerprint}.` : '',
    ].join(' ').trim();
    image.removeAttribute('src');
    dialog.showModal();
    try {
      const res = await fetch('invite.svg', { cache: 'no-store', headers: authHeaders(key) });
      if (!res.ok) throw new Error(String(res.status));
      // A data: URL: the request needed the key header, which an <img src> cannot send.
      image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(await res.text())}`;
    } catch {
      note.textContent = 'The QR code could not be loaded; the link below works the same.';
    }
  });

  document.getElementById('invite-copy').addEventListener('click', async () => {
    link.select();
    try {
      // Only in a secure context (https or localhost); elsewhere the selection is the fallback.
      await navigator.clipboard.writeText(link.value);
      note.textContent = 'Link copied.';
    } catch {
      note.textContent = document.execCommand('copy') ? 'Link copied.' : 'Press Ctrl+C (or ⌘C) to copy the selected link.';
    }
  });
  document.getElementById('invite-close').addEventListener('click', () => dialog.close());
}
