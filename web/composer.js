// The chat box's inputs: the message (Enter sends, Shift+Enter adds a line, grows with its text,
// announces typing at most every 2 s) and the username (checked, then handed on).

const TYPING_EVERY_MS = 2_000;
const MAX_HEIGHT_PX = 160;

/**
 * @param {object} o
 * @param {HTMLFormElement} o.form
 * @param {HTMLTextAreaElement} o.message
 * @param {HTMLInputElement} o.username
 * @param {() => {max_message_chars: number, max_username_chars: number}} o.limits  from `welcome`
 * @param {(text: string, username: string) => void} o.onSend   a valid message to post
 * @param {(username: string) => boolean} o.onTyping  returns false when it could not be sent
 * @param {(username: string) => void} o.onName      a valid new username
 * @param {(text: string) => void} o.onProblem       something to tell the user
 * @param {() => void} [o.onCleared]  the box was emptied by a send
 * @param {(event: KeyboardEvent) => boolean} [o.onKeyDown]  a key in the message box: true when
 *        handled (mention suggestions, editing, replying), so Enter does not send
 */
export function setupComposer(o) {
  let lastTyping = 0;

  const autosize = () => {
    o.message.style.height = 'auto'; // CSSOM, which the page's CSP allows (style attributes it does not)
    o.message.style.height = `${Math.min(o.message.scrollHeight + 2, MAX_HEIGHT_PX)}px`;
  };

  o.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = o.message.value.replace(/^\s*\n|\s+$/g, ''); // keep inner lines and indentation
    if (text.trim() === '') return;
    const username = o.username.value.trim();
    if (!username) {
      o.onProblem('Choose a username first.');
      o.username.focus();
      return;
    }
    const max = o.limits().max_message_chars;
    if ([...text].length > max) {
      o.onProblem(`A message can have at most ${max} characters.`);
      return;
    }
    if (o.onSend(text, username) === false) return; // kept, to try again
    o.message.value = '';
    autosize();
    o.onCleared?.();
    o.message.focus();
  });

  o.message.addEventListener('keydown', (event) => {
    if (o.onKeyDown?.(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      o.form.requestSubmit();
    }
  });

  o.message.addEventListener('input', () => {
    autosize();
    const username = o.username.value.trim();
    const now = Date.now();
    if (o.message.value.trim() && username && now - lastTyping >= TYPING_EVERY_MS && o.onTyping(username)) {
      lastTyping = now;
    }
  });

  o.username.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault(); // Enter here means "this is my name", not "send the message"
    o.message.focus(); // blurring fires 'change', which checks and hands on the name
  });

  o.username.addEventListener('change', () => {
    const name = o.username.value.trim();
    o.username.value = name;
    const max = o.limits().max_username_chars;
    if ([...name].length > max) {
      o.onProblem(`A username can have at most ${max} characters.`);
      return;
    }
    o.onName(name);
  });

  return { autosize };
}
