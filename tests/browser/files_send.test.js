// The page sends files: dropped, pasted or picked with the paperclip, each shows a pending card
// with a progress bar and becomes a message with a `file` field that another page receives and
// shows (the pasted picture's thumbnail and full picture, the dropped file's download, each with
// the bytes sent); an
// upload cut by going offline resumes after a reload; Cancel removes it from the server; a file
// over the server's limit is refused on the card before any byte is sent.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./helpers.js');

// A 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9kVwAAAABJRU5ErkJggg==', 'base64');
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

/** Records every `message` frame the page receives (call before the page loads). */
function watchMessages(page) {
  page.messages = [];
  page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
    for (const line of String(payload).split('\n')) {
      try {
        const f = JSON.parse(line);
        if (f.type === 'message' || f.type === 'history') page.messages.push(...(f.type === 'history' ? f.messages || [] : [f]));
      } catch { /* not JSON */ }
    }
  }));
}

/** Waits until `page` received a message carrying a file named `name`; returns that message. */
function fileMessage(page, name) {
  return h.eventually(() => page.messages.find((m) => m.file?.name === name) || false, { timeout: 20_000 });
}

/** Records the cards that appear (they may go again quickly): name and whether it has a bar. */
async function recordCards(page) {
  await page.evaluate(() => {
    window.seenCards = [];
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.classList?.contains('upload-card')) {
            window.seenCards.push({ name: n.querySelector('.upload-name').textContent, bar: Boolean(n.querySelector('progress')) });
          }
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
}

function setChunkKnob(bytes) {
  return (page) => page.addInitScript((b) => localStorage.setItem('message.uploadChunkBytes', String(b)), bytes);
}

describe('sending files', () => {
  let env;
  before(async () => { env = await h.setup(); });
  after(async () => { await env?.close(); });

  it('sends a dropped file, a pasted picture and two picked files, each its own message', async () => {
    const a = await h.openChat(env, { name: 'kim', beforeLoad: watchMessages });
    const b = await h.openChat(env, { name: 'lee', beforeLoad: watchMessages });
    await recordCards(a);
    const box = a.getByLabel('Message', { exact: true });
    await box.fill('a draft that stays');

    // Dragging shows the drop target; dropping sends.
    await a.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['hello from a dropped file\n'.repeat(200)], 'notes.txt', { type: 'text/plain' }));
      const target = document.getElementById('message-box');
      target.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
      window.dropShown = !document.querySelector('.drop-target').hidden;
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    assert.equal(await a.evaluate(() => window.dropShown), true);
    assert.equal(await a.locator('.drop-target').isHidden(), true);

    // A pasted screenshot.
    await a.evaluate((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'screenshot.png', { type: 'image/png' }));
      document.getElementById('message').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, [...PNG]);

    // Two files through the paperclip.
    await a.setInputFiles('#attach-input', [
      { name: 'one.bin', mimeType: 'application/octet-stream', buffer: crypto.randomBytes(5000) },
      { name: 'two.bin', mimeType: 'application/octet-stream', buffer: crypto.randomBytes(7000) },
    ]);

    for (const name of ['notes.txt', 'screenshot.png', 'one.bin', 'two.bin']) {
      const m = await fileMessage(b, name);
      assert.ok(m.seq > 0);
      await fileMessage(a, name);
    }
    assert.equal((await fileMessage(b, 'screenshot.png')).file.sha256, sha256(PNG));
    // Each showed a pending card with a progress bar, and every card gave way to its message.
    const seen = await a.evaluate(() => window.seenCards);
    assert.deepEqual(seen.map((c) => c.name).sort(), ['notes.txt', 'one.bin', 'screenshot.png', 'two.bin']);
    assert.ok(seen.every((c) => c.bar));
    await h.eventually(async () => (await a.locator('.upload-card').count()) === 0);
    // Four messages, one each; the composer's text was not eaten.
    assert.equal(new Set(b.messages.filter((m) => m.file).map((m) => m.id)).size, 4);
    assert.equal(await box.inputValue(), 'a draft that stays');

    // Page B shows what page A sent: the pasted picture as its thumbnail, which opens the full
    // picture with the pasted bytes, and the dropped file as a card whose download is the
    // dropped bytes.
    const shot = await fileMessage(b, 'screenshot.png');
    const thumb = b.locator(`#messages .msg[data-seq="${shot.seq}"]`).getByRole('button', { name: 'Open the picture screenshot.png' });
    await thumb.waitFor();
    await h.eventually(() => thumb.locator('img').evaluate((e) => e.complete && e.naturalWidth > 0));
    // From the keyboard: a pointer on a 1x1 picture's small button may land on the message's
    // action bar that hovering shows.
    await thumb.focus();
    await b.keyboard.press('Enter');
    const full = b.getByRole('dialog', { name: 'Picture screenshot.png' }).locator('img');
    await h.eventually(() => full.evaluate((e) => e.complete && e.naturalWidth === 1));
    const fullBytes = await b.evaluate(async (u) => [...new Uint8Array(await (await fetch(u)).arrayBuffer())], await full.evaluate((e) => e.src));
    assert.equal(sha256(Buffer.from(fullBytes)), sha256(PNG));
    await b.keyboard.press('Escape');
    const notes = await fileMessage(b, 'notes.txt');
    const link = b.locator(`#messages .msg[data-seq="${notes.seq}"]`).getByRole('link', { name: /^Download notes\.txt/ });
    const [download] = await Promise.all([b.waitForEvent('download'), link.dispatchEvent('click')]);
    assert.equal(sha256(fs.readFileSync(await download.path())), sha256(Buffer.from('hello from a dropped file\n'.repeat(200))));
    await env.closeContexts();
  });

  it('resumes an upload cut by going offline, after a reload, with the right SHA-256', async () => {
    const MiB = 1024 * 1024;
    const bytes = crypto.randomBytes(24 * MiB);
    const a = await h.openChat(env, {
      name: 'kim',
      beforeLoad: async (p) => { watchMessages(p); await setChunkKnob(MiB)(p); },
    });
    // The first chunk lands; the second waits until the network is gone (loopback is so fast
    // that the whole file could otherwise be sent before going offline takes effect).
    let wentOffline;
    const offline = new Promise((resolve) => { wentOffline = resolve; });
    let patches = 0;
    await a.route('**/files/uploads/*', async (route) => {
      if (route.request().method() !== 'PATCH' || ++patches === 1) return route.continue();
      await offline;
      return route.abort('internetdisconnected');
    });
    // Given by path: a 24 MiB buffer would cross the DevTools protocol as base64, slowly.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-send-'));
    const file = path.join(dir, 'big.bin');
    fs.writeFileSync(file, bytes);
    await a.setInputFiles('#attach-input', file); // the page reads it from there: removed at the end
    const card = a.locator('.upload-card', { hasText: 'big.bin' });
    await h.eventually(async () => (await card.locator('progress').evaluate((p) => p.value)) >= MiB, { timeout: 20_000 });
    await a.context().setOffline(true);
    wentOffline();
    await card.getByText('Waiting for the network').waitFor({ timeout: h.WAIT_MS });
    await a.unroute('**/files/uploads/*');
    const before = await card.locator('progress').evaluate((p) => p.value);
    assert.ok(before < bytes.length);

    await a.context().setOffline(false);
    await a.reload();
    // The card is back from IndexedDB and the upload finishes by itself.
    await a.locator('.upload-card', { hasText: 'big.bin' }).waitFor({ timeout: h.WAIT_MS });
    const m = await fileMessage(a, 'big.bin');
    assert.equal(m.file.sha256, sha256(bytes));
    assert.equal(m.file.size, bytes.length);
    await h.eventually(async () => (await a.locator('.upload-card').count()) === 0);
    const res = await a.request.get(`${env.server.url}files/${m.file.sha256}`);
    assert.equal(res.status(), 200);
    assert.equal(sha256(await res.body()), sha256(bytes));
    fs.rmSync(dir, { recursive: true, force: true });
    await env.closeContexts();
  });

  it('asks for a file the browser lost after a reload, refuses another one and finishes with the same', async () => {
    const bytes = crypto.randomBytes(300_000);
    const a = await h.openChat(env, {
      name: 'kim',
      beforeLoad: async (p) => { watchMessages(p); await setChunkKnob(64 * 1024)(p); },
    });
    // The first piece goes through, the rest is held back: the upload stops part way.
    let patches = 0;
    await a.route('**/files/uploads/*', (route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      patches += 1;
      return patches === 1 ? route.continue() : undefined;
    });
    const card = a.locator('.upload-card', { hasText: 'lost.bin' });
    await a.setInputFiles('#attach-input', [{ name: 'lost.bin', mimeType: 'application/octet-stream', buffer: bytes }]);
    await h.eventually(async () => (await card.locator('progress').evaluate((p) => p.value)) >= 64 * 1024);
    // The browser evicted the File: the record stays without it.
    await a.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('message-uploads');
      open.onsuccess = () => {
        const store = open.result.transaction('uploads', 'readwrite').objectStore('uploads');
        const all = store.getAll();
        all.onsuccess = () => {
          for (const r of all.result) store.put({ ...r, file: null });
          store.transaction.oncomplete = resolve;
        };
      };
      open.onerror = reject;
    }));
    await a.unroute('**/files/uploads/*');
    await a.reload();
    await card.getByRole('button', { name: 'Pick the file again' }).waitFor({ timeout: h.WAIT_MS });
    // Same name and size, other bytes: refused by the hash of what the server holds.
    const other = Buffer.from(bytes);
    other[10] ^= 0xff;
    await a.setInputFiles('.upload-repick', [{ name: 'lost.bin', mimeType: 'application/octet-stream', buffer: other }]);
    await card.getByText('The bytes differ').waitFor({ timeout: h.WAIT_MS });
    await a.setInputFiles('.upload-repick', [{ name: 'lost.bin', mimeType: 'application/octet-stream', buffer: bytes }]);
    const m = await fileMessage(a, 'lost.bin');
    assert.equal(m.file.sha256, sha256(bytes));
    await h.eventually(async () => (await a.locator('.upload-card').count()) === 0);
    await env.closeContexts();
  });

  it('hashes a file first and sends no byte when the creation says the server already has it', async () => {
    const a = await h.openChat(env, { name: 'kim' });
    const bytes = crypto.randomBytes(20_000);
    let metadata = '';
    const patched = [];
    // The server's "already there" answer (201 with Upload-Offset = length), with and without
    // the message's headers.
    let withHeaders = true;
    await a.route('**/files/uploads', (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      metadata = route.request().headers()['upload-metadata'];
      const headers = { 'Tus-Resumable': '1.0.0', Location: '/files/uploads/AAAAAAAAAAAAAAAAAAAAAA', 'Upload-Offset': String(bytes.length) };
      if (withHeaders) Object.assign(headers, { 'Message-Seq': '99', 'Message-Id': 'x' });
      return route.fulfill({ status: 201, headers });
    });
    a.on('request', (r) => { if (r.method() === 'PATCH') patched.push(r.url()); });
    for (const name of ['known-1.bin', 'known-2.bin']) {
      await a.setInputFiles('#attach-input', [{ name, mimeType: 'application/octet-stream', buffer: bytes }]);
      await a.locator('.upload-card[data-state="done"]', { hasText: name }).waitFor({ timeout: h.WAIT_MS });
      const sent = Object.fromEntries(metadata.split(',').map((kv) => kv.split(' ')));
      assert.equal(Buffer.from(sent.sha256, 'base64').toString(), sha256(bytes));
      withHeaders = false;
    }
    assert.deepEqual(patched, []);
    await a.unroute('**/files/uploads');
    await env.closeContexts();
  });

  it('cancels: the card goes and the server no longer has the upload', async () => {
    const a = await h.openChat(env, { name: 'kim', beforeLoad: setChunkKnob(64 * 1024) });
    // Hold the bytes back, so the upload is still running when Cancel is pressed.
    await a.route('**/files/uploads/*', (route) => (route.request().method() === 'PATCH' ? undefined : route.continue()));
    const created = a.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/files/uploads'));
    await a.setInputFiles('#attach-input', [{ name: 'cancel-me.bin', mimeType: 'application/octet-stream', buffer: crypto.randomBytes(300_000) }]);
    const location = (await created).headers().location;
    assert.match(location, /^\/files\/uploads\/[A-Za-z0-9_-]{22}$/);
    const card = a.locator('.upload-card', { hasText: 'cancel-me.bin' });
    await h.assertAccessible(a, 'a file being sent');
    await card.getByRole('button', { name: 'Cancel sending cancel-me.bin' }).click();
    await card.waitFor({ state: 'detached', timeout: h.WAIT_MS });
    const token = env.identities.get('kim');
    await h.eventually(async () => {
      const res = await a.request.head(`${env.server.url}${location.slice(1)}`, {
        headers: { 'Tus-Resumable': '1.0.0', Authorization: `Identity ${token}` },
      });
      return res.status() === 404;
    });
    await a.unroute('**/files/uploads/*');
    await env.closeContexts();
  });
});

describe('a file over the limit', () => {
  let env;
  before(async () => { env = await h.setup({ args: ['--max-file-bytes', '1000'] }); });
  after(async () => { await env?.close(); });

  it('is refused on the card before any byte is sent', async () => {
    const a = await h.openChat(env, { name: 'kim' });
    const posts = [];
    a.on('request', (r) => { if (r.method() === 'POST' || r.method() === 'PATCH') posts.push(r.url()); });
    await a.setInputFiles('#attach-input', [{ name: 'too-big.bin', mimeType: 'application/octet-stream', buffer: crypto.randomBytes(5000) }]);
    const card = a.locator('.upload-card[data-state="failed"]', { hasText: 'too-big.bin' });
    await card.waitFor({ timeout: h.WAIT_MS });
    assert.match(await card.locator('.upload-detail').textContent(), /at most .*1000 bytes/);
    assert.deepEqual(posts, []);
    await h.assertAccessible(a, 'a refused file card');
    await card.getByRole('button', { name: 'Dismiss too-big.bin' }).click();
    await card.waitFor({ state: 'detached', timeout: h.WAIT_MS });
  });
});

describe('from a LAN address over plain http', () => {
  let env;
  // lan.test is not one of the server's names: --allow-host lets it past the Host check.
  before(async () => { env = await h.setup({ args: ['--allow-host', h.LAN_HOST] }); });
  after(async () => { await env?.close(); });

  it('sends without hashing first, as crypto.subtle is missing there', async () => {
    env.server.url = `http://${h.LAN_HOST}:${env.server.port}/`;
    const a = await h.openChat(env, { name: 'kim', beforeLoad: watchMessages });
    assert.equal(await a.evaluate(() => Boolean(globalThis.crypto?.subtle)), false, 'not a secure context');
    const created = a.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/files/uploads'));
    const bytes = crypto.randomBytes(10_000);
    await a.setInputFiles('#attach-input', [{ name: 'lan.bin', mimeType: 'application/octet-stream', buffer: bytes }]);
    const keys = (await created).headers()['upload-metadata'].split(',').map((kv) => kv.split(' ')[0]);
    assert.deepEqual(keys.sort(), ['filename', 'id', 'room']);
    assert.equal((await fileMessage(a, 'lan.bin')).file.sha256, sha256(bytes));
  });
});
