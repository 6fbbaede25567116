// A resume the server cannot serve whole is said on the page: messages that retention removed
// while the page was away show as "Some messages from X to Y are no longer available", in place.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('gaps', () => {
  let env;
  // Keeps 2 messages per room: a restart applies it before the first resume is answered.
  before(async () => { env = await h.setup({ args: ['--keep-messages', '2', '--no-rate-limit'] }); });
  after(async () => { await env?.close(); });

  it('shows the messages retention removed while the page was away, in place', async () => {
    const a = await h.openChat(env, { name: 'kim', room: 'gaps' });
    const b = await h.openChat(env, { name: 'lee', room: 'gaps' });
    await h.send(a, 'first');
    await h.waitTexts(b, ['first']);

    await b.context().setOffline(true);
    await h.waitStatus(b, 'offline');
    for (const t of ['two', 'three', 'four', 'five', 'six']) await h.send(a, t);
    await h.waitTexts(a, ['first', 'two', 'three', 'four', 'five', 'six']);
    await env.restartServer(); // Retention leaves seqs 5 and 6.

    await b.context().setOffline(false);
    await h.waitTexts(b, ['first', 'five', 'six']);
    const note = b.getByRole('note');
    await note.waitFor({ timeout: h.WAIT_MS });
    assert.equal((await note.textContent()).trim(), 'Some messages from 2 to 4 are no longer available');
    // In place: between the last message the page had and the first one after the gap.
    const order = await b.locator('#messages > li.msg, #messages > li.gap').evaluateAll((els) =>
      els.map((e) => (e.classList.contains('gap') ? 'gap' : e.querySelector('.body').textContent)));
    assert.deepEqual(order, ['first', 'gap', 'five', 'six']);
  });
});

describe('a replaced history', () => {
  let env;
  // A memory store starts a new history of every room at each start: a new epoch.
  before(async () => { env = await h.setup({ args: ['--store', 'memory', '--no-rate-limit'] }); });
  after(async () => { await env?.close(); });

  it('drops the cached messages and shows the server’s new history, not a mix of both', async () => {
    const a = await h.openChat(env, { name: 'kim', room: 'reset' });
    const b = await h.openChat(env, { name: 'lee', room: 'reset' });
    for (const t of ['old one', 'old two', 'old three']) await h.send(a, t);
    await h.waitTexts(b, ['old one', 'old two', 'old three']);

    await b.context().setOffline(true);
    await h.waitStatus(b, 'offline');
    await env.restartServer();
    await h.waitStatus(a, 'open');
    // Seqs 1..4 again, other messages: past the 3 that b holds.
    await h.postMessages(a, 'reset', 'sam', ['new one', 'new two', 'new three', 'new four']);

    await b.context().setOffline(false);
    await h.waitTexts(b, ['new one', 'new two', 'new three', 'new four']);
    const seqs = await b.locator('#messages .msg').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
    assert.deepEqual(seqs, [1, 2, 3, 4]);
  });
});
