// Shares a file from node the way any tus 1.0.0 client does (docs/protocol.md, "Files"): a POST
// that creates the upload with its metadata, then one PATCH with every byte. The last byte
// makes the message; its seq and id come back in the PATCH's answer. Also the small files the
// browser tests share: a PNG and a WAV made here, so no fixture is checked in.

const crypto = require('node:crypto');
const zlib = require('node:zlib');

const b64 = (text) => Buffer.from(String(text), 'utf8').toString('base64');

/** A fresh identity token, as the page makes one: 128 random bits in base64url. */
function newToken() {
  return crypto.randomBytes(16).toString('base64url');
}

function sha256(bytes) {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/**
 * Uploads `bytes` as `name` into `room` of the server at `baseUrl` ("http://127.0.0.1:PORT/")
 * as the identity `token` (and the access `key`, when the server has one). Resolves to
 * {seq, id, sha256, location} once the server answered the last byte with 204; rejects with
 * the status and body of any other answer.
 */
async function tusUpload(baseUrl, { bytes, name, room = 'lobby', token = newToken(), key, caption, replyTo, id } = {}) {
  const auth = { Authorization: key ? `Identity ${token}, Bearer ${key}` : `Identity ${token}`, 'Tus-Resumable': '1.0.0' };
  const meta = [['filename', name], ['room', room]];
  if (caption !== undefined) meta.push(['caption', caption]);
  if (replyTo !== undefined) meta.push(['reply_to', String(replyTo)]);
  if (id !== undefined) meta.push(['id', id]);
  const created = await fetch(new URL('files/uploads', baseUrl), {
    method: 'POST',
    headers: { ...auth, 'Upload-Length': String(bytes.length), 'Upload-Metadata': meta.map(([k, v]) => `${k} ${b64(v)}`).join(',') },
  });
  if (created.status !== 201) throw new Error(`POST answered ${created.status}: ${await created.text()}`);
  const location = new URL(created.headers.get('location'), baseUrl);
  const patched = await fetch(location, {
    method: 'PATCH',
    headers: { ...auth, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
    body: bytes,
  });
  if (patched.status !== 204) throw new Error(`PATCH answered ${patched.status}: ${await patched.text()}`);
  return {
    seq: Number(patched.headers.get('message-seq')),
    id: patched.headers.get('message-id'),
    sha256: sha256(bytes),
    location: location.href,
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid `width` × `height` RGB PNG of a colour gradient (each call's pixels differ by `seed`). */
function makePng(width, height, seed = 0) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bits per sample
  ihdr[9] = 2; // RGB
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    for (let x = 0; x < width; x++) {
      rows[row + 1 + x * 3] = (x * 255 / width + seed) & 0xff;
      rows[row + 2 + x * 3] = (y * 255 / height) & 0xff;
      rows[row + 3 + x * 3] = (seed * 37) & 0xff;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A valid mono 8 kHz 16-bit PCM WAV of a `seconds`-long 440 Hz tone. */
function makeWav(seconds = 0.5) {
  const rate = 8000;
  const samples = Math.round(rate * seconds);
  const out = Buffer.alloc(44 + samples * 2);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16); // the fmt chunk's size
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28); // bytes per second
  out.writeUInt16LE(2, 32); // bytes per frame
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(8000 * Math.sin(2 * Math.PI * 440 * i / rate)), 44 + i * 2);
  return out;
}

module.exports = { tusUpload, newToken, sha256, makePng, makeWav };
