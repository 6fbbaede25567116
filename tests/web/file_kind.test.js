import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PICTURE_MAX_SIDE, boxSize, fileOf, fileUrls, formatSize, iconKind, messageSummary, shownAs } from '../../web/file_kind.js';
import { Timeline } from '../../web/timeline.js';

const SHA = 'ab'.repeat(32);
const file = (extra = {}) => ({ sha256: SHA, name: 'a.bin', size: 10, type: 'application/octet-stream', ...extra });

test('FormatSizeSaysBytesThenOneDecimalPlaceInBinaryUnits', () => {
  assert.equal(formatSize(0), '0 bytes');
  assert.equal(formatSize(1), '1 byte');
  assert.equal(formatSize(1023), '1023 bytes');
  assert.equal(formatSize(1024), '1.0 KB');
  assert.equal(formatSize(1536), '1.5 KB');
  assert.equal(formatSize(12 * 1024 * 1024 + 100), '12.0 MB');
  assert.equal(formatSize(2 * 1024 ** 3), '2.0 GB');
  assert.equal(formatSize(5 * 1024 ** 4), '5.0 TB');
});

test('FormatSizeRoundsIntoTheNextUnitRatherThanSay1024', () => {
  assert.equal(formatSize(1024 * 1024 - 1), '1.0 MB');
  assert.equal(formatSize(1024 ** 3 - 1), '1.0 GB');
  assert.equal(formatSize(1024 * 1023.9), '1023.9 KB');
});

test('FormatSizeOfNothingSensibleIsEmpty', () => {
  assert.equal(formatSize(-1), '');
  assert.equal(formatSize(Number.NaN), '');
  assert.equal(formatSize(undefined), '');
});

test('FileOfKeepsAWellFormedFileAndRefusesTheRest', () => {
  assert.deepEqual(fileOf(file({ width: 640, height: 480, thumb: true, extra: 'x' })),
    { sha256: SHA, name: 'a.bin', size: 10, type: 'application/octet-stream', width: 640, height: 480, thumb: true });
  assert.deepEqual(fileOf(file({ gone: true })).gone, true);
  assert.equal(fileOf(undefined), null);
  assert.equal(fileOf('x'), null);
  assert.equal(fileOf(file({ sha256: '../etc/passwd' })), null, 'the hash goes into a URL: only 64 hex digits');
  assert.equal(fileOf(file({ sha256: SHA.toUpperCase() })), null);
  const odd = fileOf({ sha256: SHA, name: 7, size: -3, type: null, width: 5, thumb: 'yes' });
  assert.deepEqual(odd, { sha256: SHA, name: 'file', size: 0, type: 'application/octet-stream' });
});

test('ShownAsPicturesWithThumbnailsPlayersForMediaAndCardsForTheRest', () => {
  assert.equal(shownAs(file({ type: 'image/png', thumb: true })), 'picture');
  assert.equal(shownAs(file({ type: 'image/webp', thumb: true })), 'picture');
  assert.equal(shownAs(file({ type: 'image/png' })), 'card', 'too many pixels: no thumbnail, a card');
  assert.equal(shownAs(file({ type: 'image/svg+xml', thumb: true })), 'card', 'SVG never shows as a picture');
  assert.equal(shownAs(file({ type: 'video/mp4' })), 'video');
  assert.equal(shownAs(file({ type: 'video/webm' })), 'video');
  assert.equal(shownAs(file({ type: 'audio/wav' })), 'audio');
  assert.equal(shownAs(file({ type: 'audio/x-wav' })), 'audio', 'what libmagic calls a WAV file');
  assert.equal(shownAs(file({ type: 'audio/mpeg' })), 'audio');
  assert.equal(shownAs(file({ type: 'video/quicktime' })), 'card', 'only what the server serves inline plays');
  assert.equal(shownAs(file({ type: 'text/html' })), 'card');
  assert.equal(shownAs(file({ type: 'image/png', thumb: true, gone: true })), 'gone');
});

test('IconKindBySniffedTypeThenName', () => {
  assert.equal(iconKind(file({ type: 'application/pdf' })), 'document');
  assert.equal(iconKind(file({ type: 'text/plain', name: 'notes.txt' })), 'document');
  assert.equal(iconKind(file({ type: 'application/zip', name: 'x.zip' })), 'archive');
  assert.equal(iconKind(file({ type: 'application/gzip' })), 'archive');
  assert.equal(iconKind(file({ type: 'application/octet-stream', name: 'backup.7z' })), 'archive');
  assert.equal(iconKind(file({ type: 'text/html', name: 'page.html' })), 'code');
  assert.equal(iconKind(file({ type: 'image/svg+xml', name: 'logo.svg' })), 'code');
  assert.equal(iconKind(file({ type: 'text/plain', name: 'main.cpp' })), 'code');
  assert.equal(iconKind(file({ type: 'image/png' })), 'picture');
  assert.equal(iconKind(file({ type: 'video/quicktime' })), 'video');
  assert.equal(iconKind(file({ type: 'application/octet-stream', name: 'data.bin' })), 'file');
});

test('BoxSizeFitsThePictureInTheMaximumKeepingItsShape', () => {
  assert.deepEqual(boxSize(640, 480), { width: 320, height: 240 });
  assert.deepEqual(boxSize(480, 1920), { width: 80, height: 320 });
  assert.deepEqual(boxSize(100, 50), { width: 100, height: 50 }, 'never scaled up');
  assert.deepEqual(boxSize(10000, 1), { width: 320, height: 1 }, 'at least one pixel high');
  assert.deepEqual(boxSize(undefined, undefined), { width: PICTURE_MAX_SIDE, height: PICTURE_MAX_SIDE });
  assert.deepEqual(boxSize(800, 600, 100), { width: 100, height: 75 });
});

test('MessageSummaryNamesAFileSharedWithoutText', () => {
  assert.equal(messageSummary({ message: 'look', file: file() }), 'look');
  assert.equal(messageSummary({ message: '', file: file({ name: 'plan.pdf' }) }), '📎 plan.pdf');
  assert.equal(messageSummary({ message: '' }), '');
});

test('FileUrlsAreTheServersDownloadPaths', () => {
  assert.deepEqual(fileUrls(file()), { full: `files/${SHA}`, thumb: `files/${SHA}/thumb`, download: `files/${SHA}?download=1` });
});

test('TimelineKeepsAMessagesFileAndDropsItWhenTheMessageIsDeleted', () => {
  const t = new Timeline('lobby', []);
  t.add([{ seq: 1, id: 'a', username: 'kim', message: '', ts: 1, file: file({ type: 'image/png', thumb: true, width: 2, height: 1 }) },
    { seq: 2, id: 'b', username: 'kim', message: 'x', ts: 2, file: { sha256: 'nope' } }]);
  assert.equal(t.get(1).file.name, 'a.bin');
  assert.equal(t.get(2).file, undefined, 'a malformed file is left out');
  // History's copy of a message whose blob retention removed says so.
  t.add([{ seq: 1, id: 'a', username: 'kim', message: '', ts: 1, file: file({ gone: true }) }]);
  assert.equal(t.get(1).file.gone, true);
  t.applyEvent({ type: 'delete', seq: 3, target: 1 });
  assert.equal(t.get(1).file, undefined);
});
