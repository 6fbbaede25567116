// A live count of the message's characters once it nears the server's limit, counted as the
// server counts them: in Unicode code points (an emoji is one, not JavaScript's two).

const SHOW_FROM = 0.9; // shown from this share of the limit on

/** @param {object} page  the page's parts (app.js) */
export function installCharCount(page) {
  const { ui, state } = page;
  const counter = document.getElementById('char-count');

  const update = () => {
    const max = state.limits.max_message_chars;
    const used = [...ui.message.value].length;
    const show = used >= max * SHOW_FROM;
    counter.hidden = !show;
    counter.classList.toggle('over', used > max);
    if (!show) {
      if (counter.textContent) counter.textContent = '';
      return;
    }
    const text = used > max ? `${used - max} characters too many` : `${max - used} characters left`;
    if (counter.textContent !== text) counter.textContent = text;
  };

  ui.message.addEventListener('input', update);
  page.hooks.sent.push(update);
  page.hooks.limitsChanged.push(update);
  page.charCount = { update };
}
