import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from './fake_storage.js';
import * as store from '../../web/storage.js';
import { Outbox } from '../../web/outbox.js';

beforeEach(() => store.useStorage(new MemoryStorage()));

const entry = (id, ts, room = 'lobby') => ({ id, room, username: 'kim', message: `text ${id}`, ts });

test('OutboxSurvivesAReload', () => {
  const a = new Outbox();
  a.add(entry('a', 1));
  const after = new Outbox();
  assert.deepEqual(after.pending().map((e) => e.id), ['a']);
});

test('OutboxKeepsAnotherTabsEntriesWhenSaving', () => {
  const tab1 = new Outbox();
  const tab2 = new Outbox();
  tab1.add(entry('one', 1));
  tab2.add(entry('two', 2));
  assert.deepEqual(new Outbox().entries.map((e) => e.id), ['one', 'two']);
  tab2.remove('two');
  tab1.save();
  assert.deepEqual(new Outbox().entries.map((e) => e.id), ['one'], 'a removed entry does not come back');
});

test('OutboxRetriesRetryableErrorsAndFailsOthers', () => {
  const o = new Outbox();
  o.add(entry('a', 1));
  o.add(entry('b', 2));
  assert.equal(o.reject('a', 'rate_limited', 'slow down'), 'retry');
  assert.equal(o.reject('b', 'too_long', 'too long'), 'failed');
  assert.deepEqual(o.pending().map((e) => e.id), ['a']);
  o.retry('b');
  assert.deepEqual(o.pending().map((e) => e.id), ['a', 'b']);
});

test('OutboxFrameResendsTheSameId', () => {
  const frame = Outbox.frame({ ...entry('a', 1), reply_to: 4, mentions: ['X'] });
  assert.deepEqual(frame, { type: 'send', id: 'a', room: 'lobby', username: 'kim', message: 'text a', reply_to: 4, mentions: ['X'] });
});
