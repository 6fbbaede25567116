import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Timeline } from '../../web/timeline.js';

const msg = (seq, extra = {}) => ({ seq, id: `id-${seq}`, username: 'kim', message: `m${seq}`, ts: seq, ...extra });

test('TimelineKeepsOneCopyOfEachSeqInOrder', () => {
  const t = new Timeline('lobby', []);
  assert.deepEqual(t.add([msg(3), msg(1)]).map((m) => m.seq), [3, 1]);
  assert.deepEqual(t.add([msg(2), msg(3)]).map((m) => m.seq), [2], 'seq 3 is not added twice');
  assert.deepEqual(t.list.map((m) => m.seq), [1, 2, 3]);
  assert.equal(t.minSeq, 1);
  assert.equal(t.maxSeq, 3);
  assert.equal(t.hasOlder, false, 'nothing is older than seq 1');
});

test('TimelineReplacesAProvisionalCopyWithTheServersOne', () => {
  const t = new Timeline('lobby', []);
  t.add([msg(5, { provisional: true })]);
  t.add([msg(5, { message: 'from the server' })]);
  assert.equal(t.list.length, 1);
  assert.equal(t.get(5).provisional, false);
  assert.equal(t.get(5).message, 'from the server');
});

test('TimelineAppliesAnEditAndRemembersTheEventsSeq', () => {
  const t = new Timeline('lobby', [msg(1, { identity: 'A' })]);
  const changed = t.applyEvent({ type: 'edit', seq: 2, target: 1, message: 'fixed' }, 'A');
  assert.equal(changed.message, 'fixed');
  assert.equal(t.lastSeq, 2, 'a resume starts after the event');
  assert.equal(t.applyEvent({ type: 'edit', seq: 3, target: 99, message: 'x' }, 'A'), null);
});

test('TimelineRelabelsAnIdentitysMessages', () => {
  const t = new Timeline('lobby', [msg(1, { identity: 'A' }), msg(2, { identity: 'B' })]);
  assert.equal(t.relabel('A', 'kimberly'), true);
  assert.deepEqual(t.list.map((m) => m.username), ['kimberly', 'kim']);
});

test('TimelineRefusesAMalformedGap', () => {
  const t = new Timeline('lobby', []);
  assert.equal(t.addGap(5, 3), false);
  assert.equal(t.addGap(2, 4), true);
  assert.equal(t.addGap(2, 4), false, 'told once');
});
