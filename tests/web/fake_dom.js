// Just enough of the DOM for the modules that build nodes (format.js, linkify.js): elements
// with children, attributes, dataset and textContent; text nodes. Installed as globalThis.document.

class Node {
  constructor() {
    this.childNodes = [];
  }

  append(...nodes) {
    for (const n of nodes) this.childNodes.push(typeof n === 'string' ? new Text(n) : n);
  }

  get textContent() {
    return this.childNodes.map((n) => n.textContent).join('');
  }

  set textContent(text) {
    this.childNodes = text === '' ? [] : [new Text(text)];
  }
}

class Text extends Node {
  constructor(data) {
    super();
    this.data = String(data);
  }

  get textContent() {
    return this.data;
  }
}

class Element extends Node {
  constructor(tag) {
    super();
    this.tagName = tag.toUpperCase();
    this.attributes = {};
    this.dataset = {};
    this.listeners = {};
  }

  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }

  getAttribute(name) {
    return this.attributes[name] ?? null;
  }

  addEventListener(type, fn) {
    this.listeners[type] = fn;
  }

  /** The element children with `tag` (upper case), depth first. */
  all(tag) {
    const out = [];
    for (const c of this.childNodes) {
      if (c instanceof Element) {
        if (c.tagName === tag) out.push(c);
        out.push(...c.all(tag));
      }
    }
    return out;
  }
}

export function installFakeDom() {
  globalThis.document = {
    createElement: (tag) => new Element(tag),
    createTextNode: (text) => new Text(text),
  };
  return globalThis.document;
}

export const isText = (n) => n instanceof Text;
