// Keeps the message box where the reader wants it: stuck to the bottom while they are there,
// still while they read older messages (even when older ones are inserted above), with a
// button to jump down whenever they are not at the bottom ("N new messages" when some came,
// "Jump to latest" otherwise), and a call for older messages near the top.

const NEAR_PX = 48;

export class Scroller {
  /**
   * @param {HTMLElement} box     the scrolling element
   * @param {HTMLButtonElement} jump  the "Jump to latest" / "N new messages" button
   * @param {{nearTop: () => void, atBottom: () => void}} hooks
   */
  constructor(box, jump, hooks) {
    this.box = box;
    this.jump = jump;
    this.hooks = hooks;
    this.unseen = 0;
    box.addEventListener('scroll', () => this.onScroll(), { passive: true });
    jump.addEventListener('click', () => {
      this.toBottom();
      this.hooks.atBottom();
    });
  }

  isAtBottom() {
    const { scrollTop, scrollHeight, clientHeight } = this.box;
    return scrollHeight - scrollTop - clientHeight < NEAR_PX;
  }

  onScroll() {
    if (this.isAtBottom()) {
      this.clearUnseen();
      this.hooks.atBottom();
    } else {
      this.drawJump();
    }
    if (this.box.scrollTop < NEAR_PX * 2) this.hooks.nearTop();
  }

  /** The jump button: shown while the reader is not at the bottom, saying what lies below. */
  drawJump() {
    const away = !this.isAtBottom();
    const text = this.unseen > 0 ? `${this.unseen} new message${this.unseen === 1 ? '' : 's'} ↓` : 'Jump to latest';
    if (this.jump.textContent !== text) this.jump.textContent = text;
    this.jump.hidden = !away;
  }

  /** Call before the list changes; pass the result to restore() after. */
  snapshot() {
    if (this.isAtBottom()) return { bottom: true };
    const top = this.box.getBoundingClientRect().top;
    const nodes = this.box.querySelectorAll('.msg');
    // Binary search for the first message whose bottom is below the top edge: the one being read.
    let lo = 0;
    let hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (nodes[mid].getBoundingClientRect().bottom > top) hi = mid;
      else lo = mid + 1;
    }
    if (lo === nodes.length) return { bottom: false };
    const anchor = nodes[lo];
    return { bottom: false, anchor, offset: anchor.getBoundingClientRect().top - top };
  }

  restore(snap, forceBottom) {
    if (snap.bottom || forceBottom) {
      this.toBottom();
      return;
    }
    if (snap.anchor && snap.anchor.isConnected) {
      const top = this.box.getBoundingClientRect().top;
      this.box.scrollTop += snap.anchor.getBoundingClientRect().top - top - snap.offset;
    }
    this.drawJump();
  }

  /** `n` messages arrived below while the reader is scrolled up. */
  addUnseen(n) {
    this.unseen += n;
    this.drawJump();
  }

  clearUnseen() {
    this.unseen = 0;
    this.drawJump();
  }

  toBottom() {
    this.box.scrollTop = this.box.scrollHeight;
    this.clearUnseen();
  }

  /** True when the content does not fill the box, so no scroll can ask for older messages. */
  underfilled() {
    return this.box.scrollHeight <= this.box.clientHeight + NEAR_PX;
  }
}
