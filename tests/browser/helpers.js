// Shared by the browser tests: starts the real server on a free port with a fresh data
// directory, launches Debian's Chromium through playwright-core, and offers small helpers that
// wait for what a person would see. Every wait is bounded; nothing sleeps a fixed time.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = process.env.MESSAGE_BIN || path.join(ROOT, 'build', 'message');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const WAIT_MS = 10_000;
/** Resolves to 127.0.0.1 in the browser, which treats it as a LAN address (not a secure context). */
const LAN_HOST = 'lan.test';

// A server's port comes from below the kernel's ephemeral range (32768-60999 by default), never
// from `--port 0`: a test that restarts its server on the same port (the page reconnects to its
// origin) must not find it taken meanwhile by another test's outgoing connection or `--port 0`
// server while the browser tests run two files at a time. A port another test holds already
// makes the start fail at once, and the next one is tried.
const PORT_FLOOR = 20000;
const PORT_SPAN = 12000;
const PORT_TRIES = 20;

/**
 * Starts `build/message` (or $MESSAGE_BIN) and resolves once it prints its port.
 * By default on a free port with a fresh data directory; pass both to restart a stopped one.
 */
async function startServer({ port: wantedPort = 0, data: wantedData, args = [] } = {}) {
  if (!fs.existsSync(BIN)) {
    throw new Error(`server binary not found at ${BIN}: build it first (make build), or set MESSAGE_BIN`);
  }
  const data = wantedData || fs.mkdtempSync(path.join(os.tmpdir(), 'message-browser-'));
  if (wantedPort !== 0) return launchServer(wantedPort, data, args);
  for (let attempt = 1; ; attempt++) {
    const port = PORT_FLOOR + Math.floor(Math.random() * PORT_SPAN);
    try {
      return await launchServer(port, data, args);
    } catch (err) {
      if (!err.portBusy || attempt >= PORT_TRIES) throw err;
    }
  }
}

/** Starts the server on `port` (an exit before it is ready rejects; `portBusy` when the port was taken). */
async function launchServer(wantedPort, data, args) {
  const child = spawn(BIN, ['--host', '127.0.0.1', '--port', String(wantedPort), '--data', data, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not print its port within ${WAIT_MS} ms:\n${output}`)), WAIT_MS);
    const onData = (chunk) => {
      output += chunk;
      const m = /Server start on port (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const err = new Error(`server exited (${code}) before it was ready:\n${output}`);
      err.portBusy = code === 1 && /in use|busy/i.test(output);
      reject(err);
    });
  });
  const readyAt = Date.now(); // it printed its port: it accepts connections from now on
  child.stdout.resume();
  child.stderr.resume();
  return {
    port,
    readyAt,
    data,
    url: `http://127.0.0.1:${port}/`,
    /** Stops the server; keeps its data directory when `keepData` (for a restart). */
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      if (!keepData) fs.rmSync(data, { recursive: true, force: true });
    },
  };
}

async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
      // LAN_HOST: a name for 127.0.0.1 that is not loopback to the page, so it is not a secure
      // context over plain http, as on a real LAN address (docs: PITFALLS, secure contexts).
      `--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`],
  });
}

/**
 * Server + browser for one test file; call `close()` in `after`. `args` go to the server
 * (a file that pre-fills history from one socket passes --no-rate-limit: that is a flood).
 */
async function setup({ args = [] } = {}) {
  const server = await startServer({ args });
  let browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await server.stop();
    throw err;
  }
  const contexts = [];
  const env = {
    server,
    browser,
    contexts,
    /** name -> identity token: every page opened as one name is one person (its devices). */
    identities: new Map(),
    /**
     * Stops the server and starts it again on the same port with the same data (and `newArgs`,
     * e.g. another --key, when given).
     */
    async restartServer(whileDown = async () => {}, newArgs = args) {
      await env.server.stop({ keepData: true });
      await whileDown();
      env.server = await startServer({ port: env.server.port, data: env.server.data, args: newArgs });
    },
    /** Closes the contexts that openChat made, so one test's pages do not slow the next. */
    async closeContexts() {
      await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => {})));
    },
    async close() {
      await browser.close().catch(() => {});
      await env.server.stop();
    },
  };
  return env;
}

/** A fresh identity token, as the page makes one: 128 random bits in base64url. */
function newToken() {
  return crypto.randomBytes(16).toString('base64url');
}

/**
 * Opens the page as `name` in `room` in a browser context of its own (its own localStorage,
 * so its own device id) unless `context` is given, and waits until the status says open.
 * Every page opened as one name in one env shares that name's identity token (one person on
 * several devices), unless `person: 'new'` asks for another person (who cannot own the name).
 */
async function openChat(env, { name, room = 'lobby', context, viewport = { width: 1100, height: 760 }, beforeLoad, person } = {}) {
  const ctx = context || await env.browser.newContext({ viewport });
  if (!env.contexts.includes(ctx)) env.contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (err) => { page.lastError = err; });
  page.cspViolations = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) page.cspViolations.push(msg.text());
  });
  if (name) {
    let token = person === 'new' ? newToken() : env.identities.get(name);
    if (!token) {
      token = newToken();
      env.identities.set(name, token);
    }
    await page.addInitScript(({ n, t }) => {
      if (!localStorage.getItem('message.username')) localStorage.setItem('message.username', JSON.stringify(n));
      if (!localStorage.getItem('message.identity')) localStorage.setItem('message.identity', JSON.stringify(t));
    }, { n: name, t: token });
  }
  if (beforeLoad) await beforeLoad(page);
  await page.goto(`${env.server.url}#/room/${room}`);
  await waitStatus(page, 'open');
  return page;
}

async function waitStatus(page, state) {
  await page.locator(`#status[data-state="${state}"]`).waitFor({ timeout: WAIT_MS });
}

async function send(page, text) {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
}

/** The texts of the messages on screen, top to bottom. */
function texts(page) {
  return page.locator('#messages .msg .body').allTextContents();
}

/** Retries `check` (which throws or returns false) until it passes or `timeout` runs out. */
async function eventually(check, { timeout = WAIT_MS, interval = 50 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const ok = await check();
      if (ok !== false) return ok;
      last = new Error('condition still false');
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw last;
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits until the page shows exactly `expected` as its message texts. */
async function waitTexts(page, expected, opts) {
  await eventually(async () => assert.deepEqual(await texts(page), expected), opts);
}

/**
 * Posts messages straight over a WebSocket from the page's origin (no UI), waiting for each ack.
 * Used to pre-fill rooms quickly.
 */
async function postMessages(page, room, username, messages) {
  await page.evaluate(async ({ room, username, messages }) => {
    const url = new URL('ws', location.href);
    url.protocol = 'ws:';
    url.search = `?room=${room}&device=filler`;
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const acked = new Set();
    let done;
    const all = new Promise((resolve) => { done = resolve; });
    ws.onmessage = (e) => {
      for (const line of e.data.split('\n')) {
        const f = JSON.parse(line);
        if (f.type === 'ack') acked.add(f.id);
        if (acked.size === messages.length) done();
      }
    };
    const prefix = Math.random().toString(36).slice(2);
    messages.forEach((message, i) => ws.send(JSON.stringify({ type: 'send', id: `${prefix}-${i}`, username, message })));
    await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error('no acks')), 10000))]);
    ws.close();
  }, { room, username, messages });
}

let axeSource;
/** axe-core's WCAG 2.1 A/AA findings on the page as it is now (empty: none). */
async function axeViolations(page) {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does not apply.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

/** Checks axe-core finds nothing in light and in dark. */
async function assertAccessible(page, what) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await axeViolations(page), [], `${what}, ${scheme}, ${page.viewportSize().width} px`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Pretends the tab was hidden or shown again (headless pages are always visible). */
async function setVisibility(page, state) {
  await page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

/** The desktop and phone sizes every page test of the trust issue runs at. */
const SIZES = [
  { name: 'desktop', viewport: { width: 1100, height: 760 } },
  { name: 'phone', viewport: { width: 360, height: 720 } },
];

module.exports = { SIZES, axeViolations, assertAccessible, setVisibility, ROOT, WAIT_MS, LAN_HOST, setup, openChat, waitStatus, send, texts, eventually, waitTexts, postMessages };
