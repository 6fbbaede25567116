// What a shared file is, for the page (docs/protocol.md, "Files"): the `file` field of a
// message checked, its size in human units, how it shows (thumbnail, player or card), the
// icon of a card, and the box a picture takes before it loads. Pure: no DOM, tested in
// tests/web/file_kind.test.js.

/** The widest and tallest a picture shows in the conversation, in CSS px (the server's
 * thumbnails are at most 480 px a side: sharp up to 1.5x screens at this size). */
export const PICTURE_MAX_SIDE = 320;

// The types the server serves inline (docs/protocol.md, "Download"): only these may show as a
// picture or play; everything else is a card with a download. `audio/x-wav` is how files
// stored before the server named WAV `audio/wav` carry it: a media element plays it whatever its
// disposition, so it gets the player too.
const PICTURES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const VIDEOS = new Set(['video/mp4', 'video/webm']);
const AUDIOS = new Set(['audio/mpeg', 'audio/ogg', 'audio/wav', 'audio/x-wav', 'audio/webm']);

const SHA256 = /^[0-9a-f]{64}$/;

/** The `file` field of a server `message` frame, checked (null when absent or malformed). */
export function fileOf(f) {
  if (!f || typeof f !== 'object' || typeof f.sha256 !== 'string' || !SHA256.test(f.sha256)) return null;
  const out = {
    sha256: f.sha256,
    name: typeof f.name === 'string' && f.name !== '' ? f.name : 'file',
    size: Number.isSafeInteger(f.size) && f.size >= 0 ? f.size : 0,
    type: typeof f.type === 'string' ? f.type : 'application/octet-stream',
  };
  if (Number.isInteger(f.width) && Number.isInteger(f.height) && f.width > 0 && f.height > 0) {
    out.width = f.width;
    out.height = f.height;
  }
  if (f.thumb === true) out.thumb = true;
  if (f.gone === true) out.gone = true;
  return out;
}

const UNITS = ['KB', 'MB', 'GB', 'TB'];

/**
 * A size as people read it: "1 byte", "512 bytes", "1.5 KB", "12.0 MB", "2.0 GB": binary
 * units (1 KB = 1024 bytes, as file managers on Windows and Linux count) with one decimal place.
 */
export function formatSize(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${Math.floor(bytes)} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  // Rounded first, so 1023.96 KB reads "1.0 MB" rather than "1024.0 KB".
  while (Math.round(value * 10) / 10 >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** How a file shows in a message: 'gone', 'picture' (its thumbnail), 'video', 'audio' or 'card'. */
export function shownAs(file) {
  if (file.gone) return 'gone';
  if (PICTURES.has(file.type) && file.thumb) return 'picture';
  if (VIDEOS.has(file.type)) return 'video';
  if (AUDIOS.has(file.type)) return 'audio';
  return 'card';
}

const ARCHIVE_TYPES = /^application\/(zip|x-zip|gzip|x-gzip|x-tar|x-7z-compressed|x-rar|vnd\.rar|x-bzip2|x-xz|zstd|x-zstd|java-archive|vnd\.debian\.binary-package)/;
const ARCHIVE_NAMES = /\.(zip|tar|tgz|gz|bz2|xz|zst|7z|rar|jar|deb|rpm|iso)$/i;
const CODE_TYPES = /^(text\/(html|css|javascript|x-[a-z+]*(script|src|c|c\+\+|python|java|shellscript|makefile))|application\/(javascript|json|xml|x-sh|x-shellscript)|image\/svg\+xml)/;
const CODE_NAMES = /\.(c|h|cc|cpp|hpp|cxx|js|mjs|ts|py|rb|go|rs|java|kt|sh|css|html?|json|xml|svg|ya?ml|toml|sql|cmake)$/i;
const DOCUMENT_TYPES = /^(text\/|application\/(pdf|rtf|msword|vnd\.(oasis\.opendocument|openxmlformats-officedocument|ms-)))/;

/**
 * The icon of a card: 'archive', 'code', 'document', 'picture', 'video', 'audio' or 'file'. By
 * the sniffed type first; the name only tells apart what sniffing cannot (source code is text).
 */
export function iconKind(file) {
  const { type, name } = file;
  if (ARCHIVE_TYPES.test(type) || (type === 'application/octet-stream' && ARCHIVE_NAMES.test(name))) return 'archive';
  if (CODE_TYPES.test(type) || (type.startsWith('text/') && CODE_NAMES.test(name))) return 'code';
  if (DOCUMENT_TYPES.test(type)) return 'document';
  if (type.startsWith('image/')) return 'picture';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'file';
}

/**
 * The box (CSS px, whole numbers) a picture of `width` × `height` takes in the conversation:
 * scaled down to fit `max` × `max`, never up, keeping its shape; a square of `max` when the
 * size is unknown. Known before the picture loads, so the conversation never jumps.
 */
export function boxSize(width, height, max = PICTURE_MAX_SIDE) {
  if (!(width > 0) || !(height > 0)) return { width: max, height: max };
  const scale = Math.min(1, max / width, max / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A message's text as one line says it: its text, or "📎 name" for a file shared without one. */
export function messageSummary(m) {
  if (m.message) return m.message;
  return m.file ? `📎 ${m.file.name}` : '';
}

/**
 * Where the page fetches a file, its thumbnail, and a download of it (an attachment); relative
 * to the page, as its WebSocket address is.
 */
export function fileUrls(file) {
  const base = `files/${file.sha256}`;
  return { full: base, thumb: `${base}/thumb`, download: `${base}?download=1` };
}
