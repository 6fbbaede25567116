// The access key of a private server (`--key`), asked for whenever the server refuses it: at
// the start (access.js's ensureAccess), and when an open page's reconnects are refused because
// the key changed. A browser is not told why an upgrade failed, so after a failed attempt the
// connection asks /auth (access.js's accessAnswer): 401 asks the person for the key, then the
// page reconnects and sends what is pending; 429 waits, counting, and tries again by itself.

import { accessAnswer, saveKey } from './access.js';

const CHANGED = 'The access key has changed: ask the person who runs this chat for the new one.';
const WRONG = 'That key is not right.';

const form = () => document.getElementById('access');
const problemLine = () => document.getElementById('access-problem');

/** Shows the access key form with `problem`; resolves with what the person typed. */
export function askForKey(ui, problem) {
  const input = document.getElementById('access-key');
  problemLine().textContent = problem;
  ui.app.hidden = true;
  form().hidden = false;
  input.value = '';
  input.focus();
  return new Promise((resolve) => {
    form().addEventListener('submit', () => {
      form().hidden = true;
      ui.app.hidden = false;
      resolve(input.value);
    }, { once: true });
  });
}

/** Too many wrong keys: counts the server's wait down on the form, resolving at its end. */
export function waitOnForm(ui, seconds) {
  ui.app.hidden = true;
  form().hidden = false;
  return new Promise((resolve) => {
    let left = Math.max(1, Math.ceil(seconds));
    const draw = () => { problemLine().textContent = `Too many wrong keys: trying again in ${left} s.`; };
    draw();
    const timer = setInterval(() => {
      left -= 1;
      if (left > 0) {
        draw();
        return;
      }
      clearInterval(timer);
      problemLine().textContent = 'Trying again…';
      resolve();
    }, 1_000);
  });
}

/** @param {object} page  the page's parts (app.js) */
export function installKeyRecovery(page) {
  const { ui, state } = page;
  let typed = false; // the key on trial is one the person just typed (not the remembered one)

  // The form is only ever submitted by script: never let the browser send it (the key in a URL).
  form().addEventListener('submit', (event) => event.preventDefault());

  page.hooks.opened.push(() => {
    typed = false;
    if (!form().hidden) {
      form().hidden = true;
      ui.app.hidden = false;
    }
  });

  /** The connection's question after a failed attempt (connection.js, hooks.whyRefused). */
  page.whyRefused = async () => {
    const answer = await accessAnswer(state.identityToken);
    if (answer.refused) return { refused: typed ? WRONG : CHANGED };
    if (answer.wait) return { wait: answer.wait };
    return {};
  };

  /** The connection stopped on a refused key: ask for it, then reconnect. */
  page.hooks.status.push(async (status, detail) => {
    if (status !== 'refused') return;
    const key = await askForKey(ui, detail);
    saveKey(key);
    typed = true;
    page.conn.keyGiven();
  });
}
