// The app-level ping: every ~25 s while open; a socket that does not answer within ~10 s is
// treated as dead and replaced. Time is driven by Playwright's fake clock, not waited for.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers.js');

describe('liveness', () => {
  let env;
  before(async () => { env = await h.setup(); });
  afterEach(async () => { await env?.closeContexts(); });
  after(async () => { await env?.close(); });

  it('pings while open and reconnects when pongs stop coming', async () => {
    const ctx = await env.browser.newContext();
    let sockets = 0;
    let pings = 0;
    let pongs = 0;
    let swallowPongs = false;
    await ctx.routeWebSocket(/\/ws/, (ws) => {
      sockets += 1;
      const server = ws.connectToServer();
      ws.onMessage((msg) => {
        if (/"type":"ping"/.test(String(msg))) pings += 1;
        server.send(msg);
      });
      server.onMessage((msg) => {
        const text = String(msg);
        if (swallowPongs && text.split('\n').every((l) => /"type":"pong"/.test(l))) return;
        if (/"type":"pong"/.test(text)) pongs += 1;
        ws.send(msg);
      });
    });
    const page = await ctx.newPage();
    await page.clock.install();
    await page.goto(`${env.server.url}#/room/alive`);
    await h.waitStatus(page, 'open');
    assert.equal(sockets, 1);

    // Fake time moves in 1 s steps so that frames arriving in real time are handled in between.
    const advance = async (ms) => {
      for (let t = 0; t < ms; t += 1_000) await page.clock.runFor(1_000);
    };

    // Answered pings keep the same socket.
    await advance(26_000);
    await h.eventually(() => pings >= 1);
    // The answer travels in real time: let it reach the page before fake time passes its
    // deadline (on a busy machine 12 fake seconds can pass before the pong is back).
    await h.eventually(() => pongs >= 1);
    await advance(12_000);
    await h.waitStatus(page, 'open');
    assert.equal(sockets, 1, 'an answered ping does not reconnect');

    // Unanswered: within ~10 s of the next ping the page gives up on this socket and opens another.
    swallowPongs = true;
    await advance(15_000);
    await h.eventually(() => pings >= 2);
    await advance(11_000);
    await advance(2_000); // the first retry waits 0.5–1 s
    await h.eventually(() => sockets === 2);
    await h.waitStatus(page, 'open');
    await ctx.close();
  });
});
