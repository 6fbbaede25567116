import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHUNK_BYTES, SpeedMeter, describeRefusal, encodeMetadata, formatBytes,
  formatTimeLeft, nextChunk, progressText, retryDelayMs, tooBigText,
} from '../../web/upload_plan.js';

test('ChunksCoverTheFileFromTheStoredOffsetWithoutPassingItsEnd', () => {
  const length = 24 * 1024 * 1024 + 5;
  const piece = 8 * 1024 * 1024;
  const slices = [];
  for (let at = 0; at < length;) {
    const c = nextChunk(at, length, piece);
    slices.push(c.end - c.start);
    at = c.end;
  }
  assert.deepEqual(slices, [piece, piece, piece, 5]);
  assert.deepEqual(nextChunk(0, length), { start: 0, end: length }, 'by default a file under a gibibyte is one PATCH');
  assert.deepEqual(nextChunk(CHUNK_BYTES, CHUNK_BYTES + 7), { start: CHUNK_BYTES, end: CHUNK_BYTES + 7 });
  assert.deepEqual(nextChunk(1000, 1000, 64), { start: 1000, end: 1000 }, 'all stored: an empty PATCH asks for the message');
  assert.deepEqual(nextChunk(10, 100, 0), { start: 10, end: 11 }, 'a nonsense knob still moves on');
});

test('MetadataIsBase64OfUtf8AndLeavesOutEmptyValues', () => {
  const header = encodeMetadata({ filename: 'café ☕.png', room: 'lobby', id: 'abc', caption: '', sha256: undefined });
  assert.equal(header, `filename ${Buffer.from('café ☕.png').toString('base64')},room bG9iYnk=,id YWJj`);
});

test('SizesSpeedsAndTimeLeftReadAsPeopleSayThem', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(24 * 1024 * 1024), '24 MB');
  assert.equal(formatBytes(2 * 1024 ** 3), '2.0 GB');
  assert.equal(formatTimeLeft(4.2), '5 s left');
  assert.equal(formatTimeLeft(150), '3 min left');
  assert.equal(formatTimeLeft(2 * 3600 + 5 * 60), '2 h 5 min left');
  assert.equal(formatTimeLeft(Infinity), '');
  assert.equal(progressText(0, 100), '', 'no speed known yet: nothing rather than "Infinity"');
  assert.equal(progressText(1024 * 1024, 20 * 1024 * 1024), '1.0 MB/s · 20 s left');
});

test('SpeedFollowsTheLastSecondsOnly', () => {
  const m = new SpeedMeter(3000);
  assert.equal(m.bytesPerSecond(), 0);
  m.add(0, 0);
  m.add(1000, 10_000_000); // a fast start...
  for (let t = 2000; t <= 10_000; t += 1000) m.add(t, 10_000_000 + (t - 1000)); // ...then 1 KB/s
  assert.equal(Math.round(m.bytesPerSecond()), 1000);
});

test('RetriesBackOffToThirtySeconds', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map(retryDelayMs), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});

test('RefusalsSayWhatHappenedAndWhetherRetryingHelps', () => {
  assert.deepEqual(describeRefusal(413, 'the file is larger than this server takes (1000 bytes at most)'),
    { text: 'Too big: the file is larger than this server takes (1000 bytes at most)', retry: false });
  assert.equal(describeRefusal(403).retry, false);
  assert.match(describeRefusal(507).text, /disk is full/);
  assert.equal(describeRefusal(429).retry, true);
  assert.equal(describeRefusal(400, 'filename: bad').text, 'Not sent (400: filename: bad)');
  assert.equal(tooBigText(5000, 1000), 'Too big: 4.9 KB, and this server takes at most 1000 B (1000 bytes)');
});
