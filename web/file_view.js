// How a shared file looks in its message (docs/protocol.md, "Files"): a picture's thumbnail,
// laid out at its final size before it loads, that opens the full picture in a dialog; the
// browser's player for video and audio; a card with an icon, the name, the size and a Download
// link for anything else; a card saying so for a file the server removed. Built as DOM nodes:
// the name only ever goes into textContent and attributes. The bytes come from /files/<sha256>
// with the page's session cookie, which the server serves inline only for its allowlist of
// picture, video and audio types, so nothing here can make the browser run an uploaded file.

import { boxSize, fileOf, fileUrls, formatSize, iconKind, shownAs } from './file_kind.js';

const SVG = 'http://www.w3.org/2000/svg';

// One outline per icon kind (24 × 24): a page with a folded corner, and what sits on it.
const PAGE = 'M6 2h8l5 5v15H6z M14 2v5h5';
const ICONS = {
  file: PAGE,
  document: `${PAGE} M9 12h7 M9 15h7 M9 18h5`,
  archive: `${PAGE} M11 4h2 M11 7h2 M11 10h2 M10.5 13h3v4h-3z`,
  code: `${PAGE} M10 12l-2 2.5 2 2.5 M14 12l2 2.5-2 2.5`,
  picture: `${PAGE} M8 19l3-4 2 2 2-3 3 5z`,
  video: `${PAGE} M10 11v7l6-3.5z`,
  audio: `${PAGE} M11 18a1.5 1.5 0 1 1 0-.01V11l5-1v6`,
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function icon(kind) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'file-icon');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[kind] || ICONS.file);
  svg.append(path);
  return svg;
}

function downloadLink(file, className = 'file-download') {
  const a = el('a', className, 'Download');
  a.href = fileUrls(file).download;
  a.download = file.name;
  a.setAttribute('aria-label', `Download ${file.name} (${formatSize(file.size)})`);
  return a;
}

/** The name (ellipsized, whole in its title), the size, and what can be done with the file. */
function infoLine(file, className) {
  const box = el('div', className);
  box.append(icon(file.gone ? 'file' : iconKind(file)));
  const text = el('span', 'file-text');
  const name = el('span', 'file-name', file.name);
  name.title = file.name;
  name.dir = 'auto';
  text.append(name);
  if (file.gone) text.append(el('span', 'file-gone', 'Removed from the server: no longer available'));
  else text.append(el('span', 'file-size', formatSize(file.size)));
  box.append(text);
  if (!file.gone) box.append(downloadLink(file));
  return box;
}

function picture(file) {
  const box = boxSize(file.width, file.height);
  const open = el('button', 'file-picture');
  open.type = 'button';
  open.setAttribute('aria-label', `Open the picture ${file.name}`);
  open.setAttribute('aria-haspopup', 'dialog');
  const img = el('img');
  // Its size is known before it loads (width and height, scaled down by CSS on a narrow
  // column keeping the shape), so the conversation never jumps.
  img.width = box.width;
  img.height = box.height;
  img.loading = 'lazy';
  img.decoding = 'async';
  img.alt = file.name;
  img.src = fileUrls(file).thumb;
  open.append(img);
  open.addEventListener('click', () => openViewer(file, open));
  return open;
}

function player(file, tag) {
  const box = el('div', `file-player file-${tag}`);
  const media = el(tag);
  media.controls = true;
  media.preload = 'metadata';
  media.src = fileUrls(file).full;
  media.setAttribute('aria-label', file.name);
  box.append(media, infoLine(file, 'file-info'));
  return box;
}

/**
 * The file part of message `m`: a new node, or null for a message without a (live) file. The
 * file is checked again here: an item that did not come through timeline.js (a pending one of
 * this page) may carry one that names no stored blob yet.
 */
export function fileNode(m) {
  const file = m.deleted ? null : fileOf(m.file);
  if (!file) return null;
  const how = shownAs(file);
  let node;
  if (how === 'picture') node = picture(file);
  else if (how === 'video' || how === 'audio') node = player(file, how);
  else node = infoLine(file, 'file-card');
  node.classList.add('file');
  node.dataset.shown = how;
  return node;
}

/**
 * Draws the file part of `li` (render.js's message node) for message `m`, before its text. Only
 * when the file changed (it went, or the message was deleted): redrawing for a reaction would
 * restart a playing video.
 */
export function drawFile(li, m) {
  const key = m.deleted || !fileOf(m.file) ? '' : JSON.stringify(m.file);
  const old = li.querySelector(':scope > .file');
  if ((old?.dataset.key ?? '') === key) return;
  old?.remove();
  const node = fileNode(m);
  if (!node) return;
  node.dataset.key = key;
  li.querySelector(':scope > .body').before(node);
}

let viewer = null;

/** The one dialog of the page that shows a full picture; made on first use. */
function viewerDialog() {
  if (viewer) return viewer;
  const dialog = el('dialog', 'file-viewer');
  const img = el('img', 'file-viewer-picture');
  const bar = el('div', 'file-viewer-bar');
  const name = el('span', 'file-viewer-name');
  name.dir = 'auto';
  const download = el('a', 'small-button file-viewer-download', 'Download');
  const close = el('button', 'small-button file-viewer-close', 'Close');
  close.type = 'button';
  close.addEventListener('click', () => dialog.close());
  // A click on the dimmed page around the picture closes it too.
  dialog.addEventListener('click', (event) => { if (event.target === dialog) dialog.close(); });
  bar.append(name, download, close);
  dialog.append(img, bar);
  document.body.append(dialog);
  viewer = { dialog, img, name, download, close, opener: null };
  dialog.addEventListener('close', () => viewer.opener?.focus());
  return viewer;
}

/** Opens the full picture of `file` over the page (Esc or Close closes; focus comes back to `opener`). */
export function openViewer(file, opener) {
  const v = viewerDialog();
  const urls = fileUrls(file);
  v.opener = opener;
  v.dialog.setAttribute('aria-label', `Picture ${file.name}`);
  v.img.alt = file.name;
  v.img.src = urls.full;
  v.name.textContent = file.name;
  v.name.title = file.name;
  v.download.href = urls.download;
  v.download.download = file.name;
  v.download.setAttribute('aria-label', `Download ${file.name} (${formatSize(file.size)})`);
  v.dialog.showModal();
  v.close.focus();
}
