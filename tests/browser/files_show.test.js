// Issue 28, the page's display side: files shared over tus (from node, as any tus client does)
// show in the conversation of another page: a picture's thumbnail that opens the full picture,
// players for audio, cards with a Download that gives back the very bytes, HTML and SVG that
// only ever download; again after a reload and on a fresh device (history); a reply quotes a
// file by its name.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const h = require('./helpers.js');
const { tusUpload, newToken, sha256, makePng, makeWav } = require('./tus_upload.js');

const ROOM = 'files';

/** The message of seq `seq` on `page`. */
const message = (page, seq) => page.locator(`#messages .msg[data-seq="${seq}"]`);

/** Fetches `url` from the page (its cookie), resolving to {sha256, disposition, type, status}. */
async function fetchFromPage(page, url) {
  const got = await page.evaluate(async (u) => {
    const r = await fetch(u);
    const bytes = new Uint8Array(await r.arrayBuffer());
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return { b64: btoa(text), disposition: r.headers.get('content-disposition') || '', type: r.headers.get('content-type') || '', status: r.status };
  }, url);
  return { ...got, sha256: sha256(Buffer.from(got.b64, 'base64')) };
}

/** Clicks the link or button `locator` and resolves to the SHA-256 and name of what the browser saved. */
async function downloadBy(page, locator) {
  const [download] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  const file = await download.path();
  return { sha256: sha256(fs.readFileSync(file)), name: download.suggestedFilename() };
}

describe('files shared in a room show on the page', () => {
  let env;
  let lee;
  let dialogs = 0;
  const kim = newToken(); // the sender: a tus client of its own, no page
  const shared = {};
  before(async () => {
    env = await h.setup();
    lee = await h.openChat(env, { name: 'lee', room: ROOM });
    lee.on('dialog', (d) => { dialogs += 1; d.dismiss().catch(() => {}); });
  });
  after(async () => { await env?.close(); });

  const upload = (what) => tusUpload(env.server.url, { room: ROOM, token: kim, ...what });

  it('shows a picture as its thumbnail, sized before it loads, that opens the full picture', async () => {
    const png = makePng(640, 480, 1);
    shared.picture = await upload({ bytes: png, name: 'sunset.png', caption: 'the **view** from here' });
    const msg = message(lee, shared.picture.seq);
    const thumb = msg.getByRole('button', { name: 'Open the picture sunset.png' });
    await thumb.waitFor();
    const img = thumb.locator('img');
    assert.equal(await img.getAttribute('alt'), 'sunset.png');
    assert.equal(await img.getAttribute('loading'), 'lazy');
    // Its box is 320 × 240 from the start (640 × 480 scaled into 320 × 320), loaded or not.
    assert.deepEqual(await img.evaluate((e) => [e.getAttribute('width'), e.getAttribute('height')]), ['320', '240']);
    await h.eventually(async () => assert.ok(await img.evaluate((e) => e.complete && e.naturalWidth > 0), 'the thumbnail loads'));
    const box = await img.boundingBox();
    assert.deepEqual([Math.round(box.width), Math.round(box.height)], [320, 240]);
    // The caption is the message's text, formatted as any message's, under the picture.
    assert.equal(await msg.locator('.body').textContent(), 'the view from here');
    assert.equal(await msg.locator('.body strong').textContent(), 'view');
    assert.ok(await msg.evaluate((li) => li.querySelector('.file').compareDocumentPosition(li.querySelector('.body')) & Node.DOCUMENT_POSITION_FOLLOWING));

    // Enter on the thumbnail opens the full picture in a dialog; Escape closes it and focus comes back.
    await thumb.focus();
    await lee.keyboard.press('Enter');
    const viewer = lee.getByRole('dialog', { name: 'Picture sunset.png' });
    await viewer.waitFor();
    const full = viewer.locator('img');
    await h.eventually(async () => assert.ok(await full.evaluate((e) => e.complete && e.naturalWidth === 640), 'the full picture loads'));
    assert.equal((await fetchFromPage(lee, await full.evaluate((e) => e.src))).sha256, shared.picture.sha256);
    const download = viewer.getByRole('link', { name: /^Download sunset\.png/ });
    const got = await fetchFromPage(lee, await download.evaluate((e) => e.href));
    assert.equal(got.sha256, shared.picture.sha256);
    assert.match(got.disposition, /^attachment/);
    const saved = await downloadBy(lee, download);
    assert.deepEqual(saved, { sha256: shared.picture.sha256, name: 'sunset.png' });
    await lee.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });
    assert.ok(await thumb.evaluate((e) => e === document.activeElement), 'focus is back on the thumbnail');

    // A click opens it too, and Close closes it.
    await thumb.click();
    await viewer.waitFor();
    await viewer.getByRole('button', { name: 'Close' }).click();
    await viewer.waitFor({ state: 'hidden' });
  });

  it('shows other files as cards with the name, the size and a Download of the same bytes', async () => {
    const text = Buffer.from('shopping list\n- bread\n- milk\n'.repeat(60));
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const zip = Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)]); // an empty zip archive
    const long = `${'a very long name '.repeat(8)}.txt`;
    shared.cards = [];
    for (const [bytes, name, size] of [[text, 'list.txt', '1.7 KB'], [pdf, 'report.pdf', `${pdf.length} bytes`],
      [zip, 'backup.zip', '22 bytes'], [text, long, '1.7 KB']]) {
      const sent = await upload({ bytes, name });
      shared.cards.push({ ...sent, name });
      const card = message(lee, sent.seq).locator('.file-card');
      await card.waitFor();
      assert.equal(await card.locator('.file-name').textContent(), name);
      assert.equal(await card.locator('.file-name').getAttribute('title'), name, 'the whole name, when it is cut short');
      assert.equal(await card.locator('.file-size').textContent(), size);
      const link = card.getByRole('link', { name: `Download ${name} (${size})` });
      assert.equal(await link.getAttribute('download'), name);
      const got = await fetchFromPage(lee, await link.evaluate((e) => e.href));
      assert.equal(got.sha256, sent.sha256);
      assert.match(got.disposition, /^attachment/);
      assert.deepEqual(await downloadBy(lee, link), { sha256: sent.sha256, name });
    }
    // A long name is cut short on one line rather than widening the message.
    const nameBox = message(lee, shared.cards[3].seq).locator('.file-name');
    assert.ok(await nameBox.evaluate((e) => e.scrollWidth > e.clientWidth), 'the long name is ellipsized');
    // No empty bubble under a file shared without text.
    assert.equal(await message(lee, shared.cards[0].seq).locator('.body').isVisible(), false);
  });

  it('gives audio the browser player, playing from the server', async () => {
    shared.audio = await upload({ bytes: makeWav(0.5), name: 'tone.wav' });
    const audio = message(lee, shared.audio.seq).locator('audio');
    await audio.waitFor();
    assert.equal(await audio.evaluate((e) => e.controls && e.preload), 'metadata');
    assert.equal(await audio.evaluate((e) => new URL(e.src).pathname), `/files/${shared.audio.sha256}`);
    await h.eventually(async () => assert.ok(await audio.evaluate((e) => e.duration > 0.4 && e.duration < 0.6), 'the player read the file'));
    assert.equal(await message(lee, shared.audio.seq).locator('.file-name').textContent(), 'tone.wav');
  });

  it('never renders an HTML file or an SVG with script: cards that download as attachments', async () => {
    const html = Buffer.from('<!doctype html><html><body><script>alert("html ran")</script><h1>hi</h1></body></html>');
    const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
      + '<script>alert("svg ran")</script><rect width="10" height="10"/></svg>');
    shared.hostile = [];
    for (const [bytes, name] of [[html, 'page.html'], [svg, 'logo.svg']]) {
      const sent = await upload({ bytes, name });
      shared.hostile.push({ ...sent, name });
      const msg = message(lee, sent.seq);
      await msg.locator('.file-card').waitFor();
      assert.equal(await msg.locator('img, iframe, object, embed, video, audio, svg:not(.file-icon)').count(), 0);
      const link = msg.getByRole('link', { name: new RegExp(`^Download ${name.replace('.', '\\.')}`) });
      for (const url of [await link.evaluate((e) => e.href), new URL(`files/${sent.sha256}`, env.server.url).href]) {
        const got = await fetchFromPage(lee, url);
        assert.equal(got.sha256, sent.sha256);
        assert.match(got.disposition, /^attachment/, `${name} at ${url}`);
      }
      assert.deepEqual(await downloadBy(lee, link), { sha256: sent.sha256, name });
    }
    assert.equal(dialogs, 0, 'no script of theirs ran');
    assert.equal(lee.lastError, undefined);
  });

  it('shows the same files again after a reload and on a new device (history)', async () => {
    const shownNow = (page) => page.locator('#messages .msg .file').evaluateAll((els) =>
      els.map((e) => [e.closest('.msg').dataset.seq, e.dataset.shown, e.querySelector('.file-name, img')?.textContent || e.querySelector('img')?.alt]));
    const before = await shownNow(lee);
    assert.equal(before.length, 8);
    await lee.reload();
    await h.waitStatus(lee, 'open');
    await h.eventually(async () => assert.deepEqual(await shownNow(lee), before));
    const other = await h.openChat(env, { name: 'lee', room: ROOM }); // no cache: from history alone
    await h.eventually(async () => assert.deepEqual(await shownNow(other), before));
    const img = message(other, shared.picture.seq).locator('img');
    await h.eventually(async () => assert.ok(await img.evaluate((e) => e.complete && e.naturalWidth > 0)));
  });

  it('quotes a file shared without text by its name in a reply, and in the reply line', async () => {
    const pdf = shared.cards[1];
    const msg = message(lee, pdf.seq);
    await msg.hover();
    await msg.getByRole('button', { name: 'Reply', exact: true }).click();
    assert.equal(await lee.locator('#compose-mode-text').textContent(), `Replying to ${await msg.locator('.who').textContent()}: 📎 report.pdf`);
    await h.send(lee, 'thanks for the report');
    const reply = lee.locator('#messages .msg').filter({ hasText: 'thanks for the report' });
    await reply.locator('.reply-quote').waitFor();
    assert.match(await reply.locator('.reply-text').textContent(), /^📎 report\.pdf$/);
    assert.match(await reply.locator('.reply-quote').getAttribute('aria-label'), /📎 report\.pdf/);
    // Copy has nothing to copy on a file without text; the other actions are there.
    await msg.hover();
    assert.equal(await msg.getByRole('button', { name: 'Copy', exact: true }).count(), 0);
    assert.equal(await msg.getByRole('button', { name: 'React', exact: true }).count(), 1);
  });

  it('edits the caption of a file, reacts to it and deletes it like any message, the file drawn once', async () => {
    env.identities.set('kim', kim); // kim's page is the uploader: the author may edit and delete
    const sender = await h.openChat(env, { name: 'kim', room: ROOM });
    const sent = await upload({ bytes: makePng(300, 200, 2), name: 'draft.png', caption: 'before' });
    for (const page of [sender, lee]) await message(page, sent.seq).locator('.file-picture img').waitFor();
    // The picture keeps its node through an edit and a reaction (a playing video would restart).
    await message(lee, sent.seq).locator('img').evaluate((e) => { e.dataset.kept = 'yes'; });

    await message(sender, sent.seq).hover();
    await message(sender, sent.seq).getByRole('button', { name: 'Edit', exact: true }).click();
    const box = sender.getByLabel('Message', { exact: true });
    assert.equal(await box.inputValue(), 'before');
    await box.fill('after');
    await box.press('Enter');
    await h.eventually(async () => assert.equal(await message(lee, sent.seq).locator('.body').textContent(), 'after'));
    await message(lee, sent.seq).locator('.edited').waitFor();

    await message(lee, sent.seq).hover();
    await message(lee, sent.seq).getByRole('button', { name: 'React', exact: true }).click();
    await lee.getByRole('button', { name: 'React with 👍' }).click();
    await message(sender, sent.seq).locator('.reaction', { hasText: '👍' }).waitFor();
    await message(lee, sent.seq).locator('.reaction', { hasText: '👍' }).waitFor();
    assert.equal(await message(lee, sent.seq).locator('img').getAttribute('data-kept'), 'yes');

    sender.once('dialog', (d) => d.accept());
    await message(sender, sent.seq).hover();
    await message(sender, sent.seq).getByRole('button', { name: 'Delete', exact: true }).click();
    for (const page of [sender, lee]) {
      await h.eventually(async () => assert.equal(await message(page, sent.seq).locator('.body').textContent(), 'message deleted'));
      assert.equal(await message(page, sent.seq).locator('.file').count(), 0, 'a deleted message shows no file');
    }
    const got = await fetchFromPage(lee, `files/${sent.sha256}`);
    assert.equal(got.status, 404, 'no message shares the picture any more');
    await sender.close();
  });

  it('says a file the server removed is gone, and offers no download', async () => {
    // Retention's size cap, which marks a file `gone`, is not in this server yet: the page's own
    // module draws such a message, in the real browser.
    const gone = await lee.evaluate(async (sha) => {
      const { fileNode } = await import('/file_view.js');
      const li = document.createElement('li');
      li.append(fileNode({ message: '', file: { sha256: sha, name: 'old.png', size: 5, type: 'image/png', thumb: true, gone: true } }));
      // A file that names no stored blob (a pending upload's) shows nothing that fetches.
      const unstored = fileNode({ message: '', file: { name: 'sending.png', size: 5 } });
      return { shown: li.firstChild.dataset.shown, text: li.textContent, links: li.querySelectorAll('a, img').length, unstored };
    }, shared.picture.sha256);
    assert.deepEqual(gone, { shown: 'gone', text: 'old.pngRemoved from the server: no longer available', links: 0, unstored: null });
  });

  it('is accessible and gives every file control 44 × 44 px on a phone', async () => {
    const phone = await h.openChat(env, { name: 'lee', room: ROOM, viewport: { width: 360, height: 720 } });
    await message(phone, shared.audio.seq).locator('audio').waitFor();
    const small = await phone.evaluate(() => {
      const out = [];
      for (const e of document.querySelectorAll('#messages .file a, #messages .file button')) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.width < 44 || r.height < 44) out.push(`${e.className} ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
      return out;
    });
    assert.deepEqual(small, []);
    // The picture fits the phone's column, keeping its shape.
    const box = await message(phone, shared.picture.seq).locator('img').boundingBox();
    assert.ok(box.width <= 320 && Math.abs(box.width / box.height - 4 / 3) < 0.02, `${box.width}×${box.height}`);
    await h.assertAccessible(phone, 'files on a phone');
    await h.assertAccessible(lee, 'files on a desktop');
    await message(lee, shared.picture.seq).getByRole('button', { name: /^Open the picture/ }).click();
    await h.assertAccessible(lee, 'the picture viewer');
    await lee.keyboard.press('Escape');
    assert.deepEqual(lee.cspViolations, []);
  });
});
