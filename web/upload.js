// A hand-written tus 1.0.0 client (docs/protocol.md, "Files") for one file: POST creates the
// upload, PATCHes send slices of the File from the stored offset. XMLHttpRequest, not fetch,
// because only XHR reports upload progress. A network error or a 5xx waits (doubling, and
// until the browser is online again), asks HEAD for the stored offset and continues; a 409
// does the same at once. So a Wi-Fi drop or a server restart resumes by itself.
// Single-threaded like the page: one request of an upload is in flight at a time.

import { encodeMetadata, nextChunk, retryDelayMs, describeRefusal } from './upload_plan.js';

const COLLECTION = 'files/uploads';

/** One request; resolves with {status, header(name), text} (status 0: the network failed). */
function request(method, url, headers, body, { onProgress, onXhr } = {}) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.withCredentials = true; // same origin: the session cookie goes along anyway
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded);
    const done = () => resolve({ status: xhr.status, header: (n) => xhr.getResponseHeader(n), text: xhr.responseText || '' });
    xhr.onload = done;
    xhr.onerror = () => resolve({ status: 0, header: () => null, text: '' });
    xhr.onabort = () => resolve({ status: 0, aborted: true, header: () => null, text: '' });
    onXhr?.(xhr);
    xhr.send(body ?? null);
  });
}

/** Resolves after `ms`, or at once when `signal` says stop; waits for `online` first when offline. */
function pause(ms, stopped) {
  return new Promise((resolve) => {
    const go = () => {
      window.removeEventListener('online', go);
      // Back online: the network often needs a moment; the delay still applies after it.
      setTimeout(resolve, stopped() ? 0 : ms);
    };
    if (navigator.onLine === false && !stopped()) window.addEventListener('online', go);
    else go();
  });
}

/**
 * One file's upload. `o.file` the File (or Blob with a name), `o.meta` {filename, room, id,
 * caption?, sha256?}, `o.url` an upload URL to resume (else one is created), `o.headers()` the
 * auth headers, `o.chunkBytes`. Callbacks: onCreated(url), onProgress(stored, inFlight),
 * onState(state, detail) with state 'sending' | 'waiting' | 'done' | 'failed'.
 */
export class TusUpload {
  constructor(o) {
    this.o = o;
    this.url = o.url || '';
    this.offset = 0;
    this.length = o.file.size;
    this.stopped = false;
    this.xhr = null;
    this.result = null;
  }

  headers(extra = {}) {
    return { 'Tus-Resumable': '1.0.0', ...this.o.headers(), ...extra };
  }

  /** Runs until the upload is done, failed or cancelled. */
  async run() {
    let attempt = 0;
    this.stopped = false;
    let needHead = Boolean(this.url);
    while (!this.stopped) {
      let res;
      if (!this.url) {
        res = await this.create();
      } else if (needHead) {
        res = await this.head();
      } else {
        res = await this.patch();
      }
      if (this.stopped) return;
      const outcome = this.judge(res, needHead);
      if (outcome === 'done') return;
      if (outcome === 'failed') return;
      if (outcome === 'next') {
        attempt = 0;
        needHead = false;
        continue;
      }
      if (outcome === 'head') {
        needHead = true;
        continue;
      }
      // 'wait': a network error or a 5xx: wait, then ask the server where it stands.
      this.o.onState('waiting', navigator.onLine === false ? 'Waiting for the network…' : 'Trying again…');
      const retryAfter = Number(res.header('Retry-After'));
      await pause(retryAfter > 0 ? retryAfter * 1000 : retryDelayMs(attempt), () => this.stopped);
      attempt += 1;
      needHead = Boolean(this.url);
    }
  }

  /** What to do after an answer: 'next', 'head', 'wait', 'done' or 'failed'. */
  judge(res, wasHead) {
    if (res.aborted && this.stopped) return 'failed';
    if (res.status === 0 || (res.status >= 500 && res.status !== 507) || (res.status === 429 && this.url)) return 'wait';
    if (res.status === 409) return 'head';
    if (res.status === 460) return 'next'; // the slice was damaged on its way: send it again
    const ok = res.status === 200 || res.status === 201 || res.status === 204;
    if (!ok) {
      const why = describeRefusal(res.status, res.text);
      if (res.status === 404) this.url = ''; // expired: a retry starts over
      this.o.onState('failed', why.text, why.retry);
      return 'failed';
    }
    if (res.status === 201) {
      const location = res.header('Location');
      this.url = new URL(location, window.location.href).pathname;
      this.o.onCreated(this.url);
    }
    const offset = Number(res.header('Upload-Offset'));
    if (Number.isFinite(offset)) this.offset = offset;
    this.o.onProgress(this.offset, 0);
    if (wasHead && res.status === 200) this.storedSha256 = res.header('Upload-Stored-Sha256') || '';
    const seq = res.header('Message-Seq');
    // Complete when the server says so (Message-Seq), or when a 201 ("already there") says the
    // whole length is stored: the message then comes over the WebSocket.
    if (seq || (res.status === 201 && this.offset >= this.length)) {
      this.result = { seq: seq ? Number(seq) : null, id: res.header('Message-Id') || this.o.meta.id };
      this.o.onState('done', '');
      return 'done';
    }
    this.o.onState('sending', '');
    return 'next';
  }

  create() {
    this.o.onState('sending', '');
    return request('POST', COLLECTION, this.headers({
      'Upload-Length': String(this.length),
      'Upload-Metadata': encodeMetadata(this.o.meta),
    }), null, { onXhr: (x) => { this.xhr = x; } });
  }

  head() {
    return request('HEAD', this.url, this.headers(), null, { onXhr: (x) => { this.xhr = x; } });
  }

  /**
   * The next slice from the stored offset; at the end (every byte stored but no message yet:
   * the room refused it before) an empty PATCH asks for the message again.
   */
  patch() {
    const { start, end } = nextChunk(this.offset, this.length, this.o.chunkBytes);
    const body = this.o.file.slice(start, end);
    return request('PATCH', this.url, this.headers({
      'Upload-Offset': String(start),
      'Content-Type': 'application/offset+octet-stream',
    }), body, {
      onProgress: (loaded) => this.o.onProgress(this.offset, loaded),
      onXhr: (x) => { this.xhr = x; },
    });
  }

  /** Asks the server for its offset and the digest of the stored bytes (resume checks). */
  async probe() {
    const res = await this.head();
    if (res.status !== 200) return null;
    return { offset: Number(res.header('Upload-Offset')), sha256: res.header('Upload-Stored-Sha256') || '' };
  }

  /** Stops sending (the bytes stored stay) */
  stop() {
    this.stopped = true;
    this.xhr?.abort();
  }

  /** Stops and removes the upload from the server (tus termination). */
  async cancel() {
    this.stop();
    if (!this.url) return;
    await request('DELETE', this.url, this.headers(), null);
  }
}

/** The server's `Tus-Max-Size` (OPTIONS), or null when it cannot be asked now. */
export async function askMaxSize() {
  const res = await request('OPTIONS', COLLECTION, {}, null);
  const max = Number(res.header('Tus-Max-Size'));
  return res.status === 204 && Number.isFinite(max) && max > 0 ? max : null;
}
