// Pure helpers of the page's file sending (upload.js, upload_view.js): chunk planning, the
// tus metadata header, how progress and errors read. No DOM, no network: tests/web covers them.

/**
 * A PATCH carries at most this many bytes. A drop loses nothing whatever the size (the server
 * keeps every byte of a cut request, and HEAD says how many), and progress comes from the
 * request's upload events; but each PATCH ends with the server syncing its bytes to disk before
 * it answers, and nothing is sent meanwhile, so fewer PATCHes upload faster (bench/upload.sh;
 * docs/architecture.md, Decisions). A test may set a smaller one (localStorage
 * `message.uploadChunkBytes`, a test knob only).
 */
export const CHUNK_BYTES = 1024 * 1024 * 1024;

/**
 * The page hashes a file before sending (so the server can answer "already there") only up to
 * this size: crypto.subtle.digest takes the whole file as one buffer in memory, which a phone
 * cannot spare for bigger ones.
 */
export const HASH_FIRST_MAX_BYTES = 256 * 1024 * 1024;

/** Waits between tries after a network error or 5xx: doubling from 1 s, at most 30 s. */
export function retryDelayMs(attempt) {
  return Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
}

/** The slice [start, end) to send next from `offset` of a file of `length` bytes. */
export function nextChunk(offset, length, chunkBytes = CHUNK_BYTES) {
  const size = Math.max(1, Math.floor(chunkBytes));
  return { start: offset, end: Math.min(length, offset + size) };
}

/** Standard base64 of a string's UTF-8 bytes (tus metadata values). */
export function base64Utf8(text) {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `Upload-Metadata`: `key base64(value)` pairs, comma-separated; empty values are left out. */
export function encodeMetadata(meta) {
  return Object.entries(meta)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k} ${base64Utf8(String(v))}`)
    .join(',');
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** A size as people read it: 0 B, 512 B, 1.5 MB, 24 MB (powers of 1024, one decimal under 10). */
export function formatBytes(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = unit === 0 || value >= 10 ? String(Math.round(value)) : value.toFixed(1);
  return `${text} ${UNITS[unit]}`;
}

/** Time left as people read it: "5 s left", "3 min left", "2 h 5 min left"; '' when unknown. */
export function formatTimeLeft(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s left`;
  const min = Math.ceil(s / 60);
  if (min < 60) return `${min} min left`;
  return `${Math.floor(min / 60)} h ${min % 60} min left`;
}

/**
 * Speed over the last few seconds of samples ({t: ms, bytes}): a moving window, so a stall
 * shows at once and an old burst does not linger.
 */
export class SpeedMeter {
  constructor(windowMs = 3000) {
    this.windowMs = windowMs;
    this.samples = [];
  }

  add(t, bytes) {
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[0].t > this.windowMs) this.samples.shift();
  }

  reset() {
    this.samples = [];
  }

  /** Bytes per second, 0 when not known yet. */
  bytesPerSecond() {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const ms = last.t - first.t;
    return ms > 0 ? ((last.bytes - first.bytes) * 1000) / ms : 0;
  }
}

/** "1.2 MB/s · 20 s left" for a card, from the speed and what is left. */
export function progressText(bytesPerSecond, left) {
  if (bytesPerSecond <= 0) return '';
  return `${formatBytes(bytesPerSecond)}/s · ${formatTimeLeft(left / bytesPerSecond)}`.replace(/ · $/, '');
}

/**
 * What a refusal means to the person, and whether trying again may help. `body` is the
 * server's text (it names the limit or the code).
 */
export function describeRefusal(status, body = '') {
  const said = body.trim();
  switch (status) {
    case 413: return { text: `Too big: ${said || 'larger than this server takes'}`, retry: false };
    case 507: return { text: 'The server’s disk is full', retry: true };
    case 403: return { text: 'Not sent: you are not a member of this room', retry: false };
    case 429: return { text: 'Too many uploads at once: finish or cancel one first', retry: true };
    case 404: return { text: 'The server no longer has this upload (it expired)', retry: true };
    case 401: return { text: 'Not allowed: the access key or identity was refused', retry: true };
    default: return { text: `Not sent (${status}${said ? `: ${said}` : ''})`, retry: true };
  }
}

/** The server's limit in words, for a file refused before any byte is sent. */
export function tooBigText(size, max) {
  return `Too big: ${formatBytes(size)}, and this server takes at most ${formatBytes(max)} (${max} bytes)`;
}
