// The conversation on the page (issue 30; docs/protocol.md, "Conversation", "Read state"): two
// real Chromium pages of two people edit, delete, reply (jumping into history that is not
// loaded), react and take reactions back, mention each other, see where they left off and who
// has seen their messages; formatting is built from the text, and markup stays text.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

/** The message list as a person reads it: texts, and "New messages" where it is. */
function listed(page) {
  return page.locator('#messages > li.msg, #messages > li.new-divider').evaluateAll((els) => els.map((e) =>
    (e.classList.contains('new-divider') ? '— New messages —' : e.querySelector('.body').textContent)));
}

/** The message whose text is `text`, on `page`. */
const message = (page, text) => page.locator('#messages .msg', { has: page.locator('.body', { hasText: text }) });

/** Sends one frame over a socket of `name`'s identity (what another client of theirs would send). */
async function sendAs(env, page, name, frame) {
  const token = env.identities.get(name);
  await page.evaluate(async ({ token, frame }) => {
    const url = new URL('ws', location.href);
    url.protocol = 'ws:';
    url.search = `?room=${frame.room}`;
    const ws = new WebSocket(url, ['message.v1', `id.${token}`]);
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const answered = new Promise((resolve) => {
      ws.onmessage = (e) => {
        for (const line of e.data.split('\n')) {
          const f = JSON.parse(line);
          if ((f.type === 'ack' || f.type === 'error') && f.id === frame.id) resolve(f);
        }
      };
    });
    ws.send(JSON.stringify(frame));
    const f = await Promise.race([answered, new Promise((_, reject) => setTimeout(() => reject(new Error('no ack')), 10000))]);
    ws.close();
    if (f.type === 'error') throw new Error(`${f.code}: ${f.message}`);
  }, { token, frame });
}

describe('conversation', () => {
  let env;
  // The reply test fills a room from one socket: a flood for the rate limit.
  before(async () => { env = await h.setup({ args: ['--no-rate-limit'] }); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  it('formats bold, italic, code, code blocks and links, and shows a <script> in a code block as text', async () => {
    const kim = await h.openChat(env, { name: 'kim', room: 'format' });
    const lee = await h.openChat(env, { name: 'lee', room: 'format' });
    await h.send(kim, 'this is *bold*, **very bold**, _italic_ and `x < y`; 2*3*4, __init__ and snake_case_name stay; see www.example.org or https://example.org/a_b_c.');
    const hostile = '```html\n<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">\n```';
    await h.send(kim, hostile);
    for (const page of [kim, lee]) {
      const first = message(page, 'this is');
      await first.waitFor({ timeout: h.WAIT_MS });
      assert.deepEqual(await first.locator('.body strong').allTextContents(), ['bold', 'very bold']);
      assert.deepEqual(await first.locator('.body em').allTextContents(), ['italic']);
      assert.deepEqual(await first.locator('.body code').allTextContents(), ['x < y']);
      assert.deepEqual(await first.locator('.body a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')])),
        [['www.example.org', 'http://www.example.org/'], ['https://example.org/a_b_c', 'https://example.org/a_b_c']]);
      assert.match(await first.locator('.body').textContent(), /2\*3\*4, __init__ and snake_case_name stay/);

      const block = page.locator('#messages .msg .codeblock');
      await block.waitFor({ timeout: h.WAIT_MS });
      assert.equal(await block.locator('pre code').textContent(),
        '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">');
      assert.equal(await page.locator('#messages script, #messages img').count(), 0);
      await block.getByRole('button', { name: 'Copy code' }).waitFor();
      assert.equal(await page.evaluate(() => window.pwned), undefined);
      assert.equal(page.lastError, undefined);
    }
  });

  it('shows "New messages" where you left off, after a reload and on another device', async () => {
    const kim = await h.openChat(env, { name: 'kim', room: 'divider' });
    const lee = await h.openChat(env, { name: 'lee', room: 'divider' });
    for (const text of ['one', 'two', 'three']) await h.send(lee, text);
    await h.waitTexts(kim, ['one', 'two', 'three']);
    // kim read them (the page is at the bottom): the server holds kim's position.
    await h.eventually(async () => assert.match(await message(lee, 'three').locator('.seen').textContent(), /Seen by 1/));
    await kim.close();
    for (const text of ['four', 'five']) await h.send(lee, text);

    // Another device of kim's (its own storage, the same identity) shows where kim left off.
    const phone = await h.openChat(env, { name: 'kim', room: 'divider' });
    await h.eventually(async () => assert.deepEqual(await listed(phone), ['one', 'two', 'three', '— New messages —', 'four', 'five']));
    await h.eventually(async () => assert.match(await message(lee, 'five').locator('.seen').textContent(), /Seen by 1/));
    await phone.close();
    for (const text of ['six', 'seven']) await h.send(lee, text);

    // The first device, reloaded (its cache holds one to three), follows the phone's reading.
    const again = await h.openChat(env, { name: 'kim', room: 'divider', context: kim.context() });
    await h.eventually(async () => assert.deepEqual(await listed(again),
      ['one', 'two', 'three', 'four', 'five', '— New messages —', 'six', 'seven']));
  });

  it('shows "New messages" where you left off when you come back to the tab', async () => {
    const kim = await h.openChat(env, { name: 'kim', room: 'back' });
    const lee = await h.openChat(env, { name: 'lee', room: 'back' });
    for (const text of ['one', 'two']) await h.send(lee, text);
    await h.waitTexts(kim, ['one', 'two']);
    await h.setVisibility(kim, 'hidden'); // kim switches to another tab
    for (const text of ['three', 'four']) await h.send(lee, text);
    await h.waitTexts(kim, ['one', 'two', 'three', 'four']);
    await h.setVisibility(kim, 'visible');
    await h.eventually(async () => assert.deepEqual(await listed(kim), ['one', 'two', '— New messages —', 'three', 'four']));
  });

  it('says under your own message who has seen it', async () => {
    const kim = await h.openChat(env, { name: 'kim', room: 'seen' });
    await h.send(kim, 'did you read this?');
    await h.waitTexts(kim, ['did you read this?']);
    const lee = await h.openChat(env, { name: 'lee', room: 'seen' });
    await h.waitTexts(lee, ['did you read this?']);
    const seen = message(kim, 'did you read this?').locator('.seen');
    await h.eventually(async () => assert.equal(await seen.textContent(), 'Seen by 1'));
    assert.equal(await seen.getAttribute('title'), 'lee');
    // Not under other people's messages.
    assert.equal(await message(lee, 'did you read this?').locator('.seen').count(), 0);
  });

  it('shows the actions of a message on a long press on a phone, and copies its text', async () => {
    const ctx = await env.browser.newContext({ viewport: { width: 360, height: 720 }, hasTouch: true, isMobile: true });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
    const kim = await h.openChat(env, { name: 'kim', room: 'phone-actions', context: ctx });
    await h.send(kim, 'copy *me*');
    await h.waitTexts(kim, ['copy me']);
    const msg = message(kim, 'copy me');
    // Out of sight (clipped to its border, still in the tab order) until the long press.
    const width = async () => (await msg.locator('.actions').boundingBox())?.width ?? 0;
    assert.ok(await width() < 10);
    await msg.locator('.body').dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true });
    await h.eventually(async () => assert.ok(await width() > 100));
    await msg.locator('.body').dispatchEvent('pointerup', { pointerType: 'touch', isPrimary: true });
    await msg.getByRole('button', { name: 'Copy', exact: true }).click();
    await h.eventually(async () => assert.equal(await kim.evaluate(() => navigator.clipboard.readText()), 'copy *me*'));
    await h.eventually(async () => assert.equal(await kim.locator('#announce').textContent(), 'Text copied'));
  });

  it('highlights a message that mentions you and notifies you of it while you are in another room', async () => {
    const ctx = await env.browser.newContext();
    await ctx.grantPermissions(['notifications']);
    await ctx.addInitScript(() => {
      // Records the notifications the page shows; the permission is the context's (granted).
      window.notes = [];
      const Real = window.Notification;
      function Recording(title, options) { window.notes.push({ title, body: options.body }); }
      Object.defineProperty(Recording, 'permission', { get: () => Real.permission });
      Recording.requestPermission = () => Real.requestPermission();
      window.Notification = Recording;
      localStorage.setItem('message.notify', 'true');
    });
    // kim wrote in the kitchen once (so follows it and is a recent author there), then sits in the lobby.
    const kim = await h.openChat(env, { name: 'kim', room: 'kitchen', context: ctx });
    await h.send(kim, 'I will cook');
    await h.waitTexts(kim, ['I will cook']);
    await kim.evaluate(() => { window.location.hash = '#/room/lobby'; });
    await h.waitStatus(kim, 'open');
    await kim.locator('#room-list a', { hasText: 'kitchen' }).waitFor();

    const lee = await h.openChat(env, { name: 'lee', room: 'kitchen' });
    await h.waitTexts(lee, ['I will cook']);
    const box = lee.getByLabel('Message', { exact: true });
    await box.pressSequentially('@ki');
    const option = lee.getByRole('option', { name: '@kim' });
    await option.waitFor({ timeout: h.WAIT_MS });
    await box.press('Enter'); // takes the suggestion, does not send
    assert.equal(await box.inputValue(), '@kim ');
    await box.pressSequentially('dinner is ready');
    await box.press('Enter');
    await h.waitTexts(lee, ['I will cook', '@kim dinner is ready']);

    await h.eventually(async () => assert.deepEqual(await kim.evaluate(() => window.notes),
      [{ title: 'You were mentioned in #kitchen', body: 'Open the room to read it.' }]));
    // The room's badge counts the mention apart from the unread messages.
    const marker = kim.locator('#room-list a', { hasText: 'kitchen' }).locator('.mention:not([hidden])');
    await marker.waitFor({ timeout: h.WAIT_MS });
    assert.equal(await marker.getAttribute('data-count'), '1');
    await kim.locator('#room-list a', { hasText: 'kitchen' }).click();
    await h.waitTexts(kim, ['I will cook', '@kim dinner is ready']);
    assert.equal(await message(kim, 'dinner is ready').evaluate((li) => li.classList.contains('mentioned')), true);
    assert.equal(await message(kim, 'I will cook').evaluate((li) => li.classList.contains('mentioned')), false);
    // lee is not highlighted for a message naming kim.
    assert.equal(await message(lee, 'dinner is ready').evaluate((li) => li.classList.contains('mentioned')), false);
  });

  it('edits a message in place on every page, from its Edit action and with the up arrow', async () => {
    const kim = await h.openChat(env, { name: 'kim', room: 'edit' });
    const lee = await h.openChat(env, { name: 'lee', room: 'edit' });
    await h.send(kim, 'helo wrld');
    await h.waitTexts(lee, ['helo wrld']);
    // Only the author is offered Edit and Delete.
    await message(lee, 'helo wrld').hover();
    await message(lee, 'helo wrld').getByRole('button', { name: 'Reply', exact: true }).waitFor();
    assert.equal(await message(lee, 'helo wrld').getByRole('button', { name: 'Edit', exact: true }).count(), 0);

    await message(kim, 'helo wrld').hover();
    await message(kim, 'helo wrld').getByRole('button', { name: 'Edit', exact: true }).click();
    const box = kim.getByLabel('Message', { exact: true });
    assert.equal(await box.inputValue(), 'helo wrld');
    await box.fill('hello world');
    await box.press('Enter');
    for (const page of [kim, lee]) {
      await h.waitTexts(page, ['hello world']);
      await message(page, 'hello world').locator('.edited', { hasText: '(edited)' }).waitFor({ timeout: h.WAIT_MS });
      assert.match(await message(page, 'hello world').locator('.edited').getAttribute('title'), /^edited /);
    }

    // Up in the empty box edits the last message of one's own; Escape leaves it as it was.
    await box.press('ArrowUp');
    assert.equal(await box.inputValue(), 'hello world');
    assert.equal(await kim.locator('#compose-mode-text').textContent(), 'Editing your message (Escape cancels)');
    await box.press('Escape');
    assert.equal(await box.inputValue(), '');
    assert.equal(await kim.locator('#compose-mode').isHidden(), true);
    await box.press('ArrowUp');
    await box.fill('hello, world');
    await box.press('Enter');
    await h.waitTexts(lee, ['hello, world']);

    // And after a reload the edit is still there.
    await lee.reload();
    await h.waitStatus(lee, 'open');
    await h.waitTexts(lee, ['hello, world']);
    await message(lee, 'hello, world').locator('.edited').waitFor({ timeout: h.WAIT_MS });
  });

  it('deletes a message after asking, on every page, and a reply to it says so', async () => {
    const kim = await h.openChat(env, { name: 'kim', room: 'delete' });
    const lee = await h.openChat(env, { name: 'lee', room: 'delete' });
    await h.send(kim, 'oops, wrong room');
    await h.send(kim, 'this one stays');
    await h.waitTexts(lee, ['oops, wrong room', 'this one stays']);
    // lee answers it: the message box says so, and the answer quotes it.
    await message(lee, 'oops').hover();
    await message(lee, 'oops').getByRole('button', { name: 'Reply', exact: true }).click();
    assert.equal(await lee.locator('#compose-mode-text').textContent(), 'Replying to kim: oops, wrong room');
    await h.send(lee, 'which room then?');
    const quote = (page) => message(page, 'which room').locator('.reply-quote');
    for (const page of [kim, lee]) {
      await h.eventually(async () => assert.equal(await quote(page).textContent(), 'kim oops, wrong room'));
    }
    assert.equal(await lee.locator('#compose-mode').isHidden(), true);

    kim.once('dialog', (dialog) => dialog.accept());
    await message(kim, 'oops').hover();
    await message(kim, 'oops').getByRole('button', { name: 'Delete', exact: true }).click();
    for (const page of [kim, lee]) {
      await h.waitTexts(page, ['message deleted', 'this one stays', 'which room then?']);
      await h.eventually(async () => assert.equal(await quote(page).textContent(), 'kim deleted message'));
    }
    await lee.reload();
    await h.waitStatus(lee, 'open');
    await h.waitTexts(lee, ['message deleted', 'this one stays', 'which room then?']);
    assert.equal(await lee.getByText('oops, wrong room').count(), 0);
    // A page that reads the room anew gets the tombstone and a quote that says it is deleted.
    const fresh = await h.openChat(env, { name: 'lee', room: 'delete' });
    await h.waitTexts(fresh, ['message deleted', 'this one stays', 'which room then?']);
    assert.equal(await quote(fresh).textContent(), 'kim deleted message');
    assert.equal(await fresh.getByText('oops, wrong room').count(), 0);
  });

  it('jumps from a reply to its original, loading the history around it', async () => {
    const kim = await h.openChat(env, { name: 'kim', room: 'reply' });
    await h.postMessages(kim, 'reply', 'bot', Array.from({ length: 230 }, (_, i) => `filler ${i + 1}`));
    await h.eventually(async () => assert.equal((await h.texts(kim)).at(-1), 'filler 230'));
    // kim answers message 1, which no page has loaded (the page holds the last 50).
    await sendAs(env, kim, 'kim', { type: 'send', id: 'reply-1', room: 'reply', username: 'kim', message: 'about the first one', reply_to: 1 });
    const lee = await h.openChat(env, { name: 'lee', room: 'reply' });
    const reply = message(lee, 'about the first one');
    await reply.waitFor({ timeout: h.WAIT_MS });
    const quote = reply.locator('.reply-quote');
    assert.equal(await quote.textContent(), 'bot filler 1');
    assert.equal(await lee.locator('#messages .msg[data-seq="1"]').count(), 0);

    await quote.click();
    const original = lee.locator('#messages .msg[data-seq="1"]');
    await original.waitFor({ timeout: h.WAIT_MS });
    await h.eventually(async () => assert.equal(await original.evaluate((li) => li.classList.contains('flash')), true));
    assert.ok(await original.isVisible());
    // What lies between is loaded on request, a page at a time.
    assert.equal((await h.texts(lee)).includes('filler 51'), false);
    await lee.getByRole('button', { name: 'Load the messages in between' }).click();
    await h.eventually(async () => assert.ok((await h.texts(lee)).includes('filler 51')));
    const seqs = await lee.locator('#messages .msg').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
    assert.deepEqual(seqs.slice(0, 100), Array.from({ length: 100 }, (_, i) => i + 1));
    await lee.getByRole('button', { name: 'Load the messages in between' }).waitFor();
  });

  it('adds a reaction from the quick set or typed, and takes it back', async () => {
    const kim = await h.openChat(env, { name: 'kim', room: 'react' });
    const lee = await h.openChat(env, { name: 'lee', room: 'react' });
    await h.send(kim, 'lunch at noon?');
    await h.waitTexts(lee, ['lunch at noon?']);
    await message(lee, 'lunch').hover();
    await message(lee, 'lunch').getByRole('button', { name: 'React', exact: true }).click();
    await lee.getByRole('button', { name: 'React with 👍' }).click();
    const chip = (page, emoji) => message(page, 'lunch').locator('.reaction', { hasText: emoji });
    for (const page of [kim, lee]) {
      await h.eventually(async () => assert.equal(await chip(page, '👍').locator('.reaction-count').textContent(), '1'));
      assert.equal(await chip(page, '👍').getAttribute('title'), 'lee');
    }
    assert.equal(await chip(lee, '👍').getAttribute('aria-pressed'), 'true');
    assert.equal(await chip(kim, '👍').getAttribute('aria-pressed'), 'false');

    // kim adds one too, and any emoji typed.
    await chip(kim, '👍').click();
    await h.eventually(async () => assert.equal(await chip(lee, '👍').locator('.reaction-count').textContent(), '2'));
    assert.equal(await chip(lee, '👍').getAttribute('title'), 'lee and kim');
    await message(kim, 'lunch').hover();
    await message(kim, 'lunch').getByRole('button', { name: 'React', exact: true }).click();
    await kim.getByLabel('Any emoji').fill('🦀');
    await kim.getByLabel('Any emoji').press('Enter');
    await chip(lee, '🦀').waitFor({ timeout: h.WAIT_MS });

    // lee takes the 👍 back.
    await chip(lee, '👍').click();
    for (const page of [kim, lee]) {
      await h.eventually(async () => assert.equal(await chip(page, '👍').locator('.reaction-count').textContent(), '1'));
      assert.equal(await chip(page, '👍').getAttribute('title'), 'kim');
    }
    // A new page of lee's reads the same from the server's folded history.
    const fresh = await h.openChat(env, { name: 'lee', room: 'react' });
    await h.eventually(async () => assert.equal(await chip(fresh, '👍').locator('.reaction-count').textContent(), '1'));
    assert.equal(await chip(fresh, '👍').getAttribute('aria-pressed'), 'false');
    assert.equal(await chip(fresh, '👍').getAttribute('title'), 'kim');
    await chip(fresh, '🦀').waitFor({ timeout: h.WAIT_MS });
  });
});
