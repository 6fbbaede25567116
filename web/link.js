// link.js  device linking (docs/protocol.md, "Device linking"): the "Link a device" dialog
// shows a code from the server, the page's address carrying it (#link=CODE) and the time
// left; a page opened with #link=CODE (or given a typed code) sends it once connected.

import { authHeaders, savedKey } from './access.js';

const FRAGMENT_LINK = /^#link=([0-9A-Za-z-]{1,16})$/;

/**
 * Takes a link code from the address (`#link=CODE`) and removes it from the address bar, so
 * it is not read as a room. Returns the code, or '' when there is none.
 */
export function takeLinkFromFragment() {
  const m = FRAGMENT_LINK.exec(window.location.hash);
  if (!m) return '';
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return m[1];
}

/** The page's address that links the device that opens it. */
export function linkAddress(code) {
  return `${window.location.origin}${window.location.pathname}#link=${code}`;
}

/**
 * Wires the "Link a device" button and dialog. `send(frame)` sends to the server; returns
 * onLinkCode(frame), to call with the server's `link_code` answer.
 */
export function setupLinking(send) {
  const dialog = document.getElementById('link');
  const code = document.getElementById('link-code');
  const address = document.getElementById('link-address');
  const left = document.getElementById('link-left');
  const input = document.getElementById('link-input');
  const image = document.getElementById('link-qr');
  let timer = 0;

  const stop = () => { clearInterval(timer); timer = 0; };
  document.getElementById('link-open').addEventListener('click', () => {
    code.textContent = '…';
    image.removeAttribute('src');
    address.value = '';
    left.textContent = '';
    dialog.showModal();
    send({ type: 'link_code' });
  });
  document.getElementById('link-close').addEventListener('click', () => { stop(); dialog.close(); });
  document.getElementById('link-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const typed = input.value.trim();
    if (!typed) return;
    send({ type: 'link', code: typed });
    input.value = '';
    left.textContent = 'Linking…';
  });

  return (f) => {
    if (typeof f.code !== 'string') return;
    code.textContent = f.code;
    address.value = linkAddress(f.code);
    stop();
    drawQr(image, f.code);
    const tick = () => {
      const seconds = Math.max(0, Math.round((f.expires - Date.now()) / 1000));
      left.textContent = seconds > 0
        ? `Valid for ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}, once.`
        : 'Expired: close and ask for a new code.';
      if (seconds === 0) stop();
    };
    tick();
    timer = setInterval(tick, 1000);
  };
}

/** The server draws the QR code of the link address (/invite.svg?link=CODE). */
async function drawQr(image, code) {
  try {
    const res = await fetch(`invite.svg?link=${encodeURIComponent(code)}`, { cache: 'no-store', headers: authHeaders(savedKey()) });
    if (!res.ok) return;
    // A data: URL: the request needed the key header, which an <img src> cannot send.
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(await res.text())}`;
  } catch { /* the address and the code below work the same */ }
}
