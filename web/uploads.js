// Sending files: drop onto the conversation, paste (a screenshot), or the paperclip; each file
// is its own tus upload (upload.js) with a pending card (upload_view.js), kept in IndexedDB
// (upload_store.js) so a reload resumes it. The card gives way to the real message when the
// room's `message` with the upload's id arrives, as the outbox does for text. The composer's
// text is left alone: a file goes without a caption.

import { TusUpload, askMaxSize } from './upload.js';
import { CHUNK_BYTES, HASH_FIRST_MAX_BYTES, SpeedMeter, progressText, tooBigText, formatBytes } from './upload_plan.js';
import { deleteUpload, listUploads, putUpload } from './upload_store.js';
import { createDropTarget, createUploadList, drawCard, removeCard } from './upload_view.js';
import { savedKey, sessionHeaders } from './access.js';

/** A test knob (docs/architecture.md): a smaller PATCH size, so a small file takes several. */
function chunkBytes() {
  try {
    const knob = Number(localStorage.getItem('message.uploadChunkBytes'));
    return knob > 0 ? knob : CHUNK_BYTES;
  } catch {
    return CHUNK_BYTES;
  }
}

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 of a Blob in hex, or '' where crypto.subtle is missing (plain http from the LAN). */
async function sha256Of(blob) {
  if (!globalThis.crypto?.subtle) return '';
  try {
    return hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  } catch {
    return '';
  }
}

/** @param {object} page  the page's parts (app.js) */
export function installUploads(page) {
  const { state, ui } = page;
  const uploads = new Map(); // message id -> upload
  const list = createUploadList(ui.list);
  const dropTarget = createDropTarget(ui.box);
  let maxSize = null;

  const actions = { cancel, retry, dismiss, repick };
  const draw = (u) => {
    u.hidden = u.room !== state.room;
    drawCard(list, u, actions);
  };

  function forget(u) {
    uploads.delete(u.id);
    removeCard(u);
    deleteUpload(u.id);
  }

  function keep(u) {
    putUpload({ id: u.id, room: u.room, url: u.url, meta: u.meta, name: u.name, size: u.size, file: u.file, ts: u.ts });
  }

  function setState(u, s, detail = '', canRetry = false) {
    u.state = s;
    u.detail = detail;
    u.canRetry = canRetry;
    draw(u);
  }

  function start(u) {
    u.speed = new SpeedMeter();
    u.tus = new TusUpload({
      file: u.file,
      meta: u.meta,
      url: u.url,
      chunkBytes: chunkBytes(),
      headers: () => sessionHeaders(savedKey(), state.identityToken),
      onCreated: (url) => { u.url = url; keep(u); },
      onProgress: (stored, inFlight) => {
        u.shown = stored + inFlight;
        u.speed.add(performance.now(), u.shown);
        if (u.state === 'sending') u.detail = progressText(u.speed.bytesPerSecond(), u.size - u.shown);
        draw(u);
      },
      onState: (s, detail, canRetry) => {
        if (s === 'done') return finished(u);
        if (s === 'waiting') u.speed.reset();
        setState(u, s, detail, canRetry);
      },
    });
    u.tus.run();
  }

  // Every byte is stored and the message made: the card stays until the message is on screen
  // (the WebSocket brings it), and goes at once when it already is or the room is not shown.
  function finished(u) {
    u.shown = u.size;
    setState(u, 'done', 'Sent');
    deleteUpload(u.id);
    if (u.room !== state.room || state.timeline.list.some((m) => m.id === u.id)) forget(u);
  }

  async function add(file) {
    const room = state.room;
    const u = {
      id: page.store.newMessageId(state.device), room, name: file.name || 'pasted file', size: file.size,
      file, url: '', shown: 0, ts: Date.now(), state: 'sending', detail: 'Starting…', canRetry: false, hidden: false,
    };
    u.meta = { filename: u.name, room, id: u.id };
    uploads.set(u.id, u);
    draw(u);
    ui.box.scrollTop = ui.box.scrollHeight;
    maxSize ??= state.limits.max_file_bytes || await askMaxSize();
    if (maxSize !== null && u.size > maxSize) {
      setState(u, 'failed', tooBigText(u.size, maxSize));
      return;
    }
    if (u.size <= HASH_FIRST_MAX_BYTES) {
      const digest = await sha256Of(file); // lets the server answer "already there"
      if (digest) u.meta.sha256 = digest;
    }
    if (!uploads.has(u.id)) return; // cancelled while hashing
    keep(u);
    start(u);
  }

  function addFiles(files) {
    for (const file of files) add(file);
  }

  async function cancel(u) {
    forget(u);
    if (u.tus) await u.tus.cancel();
    else if (u.url) await new TusUpload({ file: new Blob(), meta: u.meta, url: u.url, headers: () => sessionHeaders(savedKey(), state.identityToken) }).cancel();
  }

  function retry(u) {
    if (u.tus) u.url = u.tus.url; // '' once the server said the upload is gone: start over
    setState(u, 'sending', 'Starting…');
    if (!u.url) keep(u);
    u.tus = null;
    start(u);
  }

  function dismiss(u) {
    cancel(u); // an upload left half-done on the server would only count against the limit
  }

  // A reload lost the File: the person picks it again, and it must be the same one (name,
  // size, and where crypto.subtle exists, the SHA-256 of what the server already holds).
  async function repick(u, file) {
    if (file.name !== u.name || file.size !== u.size) {
      setState(u, 'needs-file', `That is not the same file: pick ${u.name} (${formatBytes(u.size)}).`);
      return;
    }
    const probe = await new TusUpload({ file, meta: u.meta, url: u.url, headers: () => sessionHeaders(savedKey(), state.identityToken) }).probe();
    if (!probe) {
      u.file = file;
      u.url = '';
      retry(u); // the server no longer has the start: send the whole file again
      return;
    }
    if (probe.sha256 && globalThis.crypto?.subtle) {
      const mine = await sha256Of(file.slice(0, probe.offset));
      if (mine !== probe.sha256) {
        setState(u, 'needs-file', `The bytes differ from what was sent: pick the same ${u.name}.`);
        return;
      }
    }
    u.file = file;
    keep(u);
    retry(u);
  }

  // ---- the three ways in ----
  const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
  let depth = 0;
  ui.box.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth += 1;
    dropTarget.show();
  });
  ui.box.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  ui.box.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) dropTarget.hide();
  });
  ui.box.addEventListener('drop', (e) => {
    depth = 0;
    dropTarget.hide();
    if (!e.dataTransfer?.files.length) return;
    e.preventDefault();
    addFiles(e.dataTransfer.files);
  });
  // A file dropped beside the conversation is not opened in place of the page.
  window.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
  window.addEventListener('drop', (e) => { if (hasFiles(e)) e.preventDefault(); });

  document.addEventListener('paste', (e) => {
    const files = e.clipboardData?.files;
    if (!files?.length) return; // text pastes as text
    e.preventDefault();
    addFiles(files);
  });

  const attach = document.getElementById('attach');
  const input = document.getElementById('attach-input');
  attach?.addEventListener('click', () => input.click());
  input?.addEventListener('change', () => {
    addFiles([...input.files]);
    input.value = ''; // the same file can be picked again
  });

  // ---- the message that replaces a card; rooms ----
  page.hooks.message.push((f) => {
    const u = uploads.get(f.id);
    if (u && u.state === 'done') forget(u);
    else if (u && f.file) { u.tus?.stop(); forget(u); } // made by another tab of this browser
  });
  page.hooks.roomEntered.push(() => { for (const u of uploads.values()) draw(u); });
  page.hooks.roomLeaving.push(() => {
    for (const u of [...uploads.values()]) if (u.state === 'done') forget(u);
  });

  // ---- across a reload ----
  // A stored File whose bytes the browser dropped cannot be read: ask for it like a lost one.
  const readable = async (file) => {
    try {
      await file.slice(0, 1).arrayBuffer();
      return true;
    } catch {
      return false;
    }
  };
  listUploads().then(async (records) => {
    for (const r of records) {
      if (uploads.has(r.id)) continue;
      const u = { ...r, shown: 0, state: 'sending', detail: 'Resuming…', canRetry: false, hidden: false };
      uploads.set(u.id, u);
      if (u.file && await readable(u.file)) {
        draw(u);
        start(u);
      } else {
        setState(u, 'needs-file', `Pick ${u.name} again to finish sending it.`);
      }
    }
  });

  return { addFiles };
}
