import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from './fake_storage.js';
import * as store from '../../web/storage.js';

let backing;
beforeEach(() => {
  backing = new MemoryStorage();
  store.useStorage(backing);
});

test('StorageKeepsValuesUnderTheMessagePrefix', () => {
  store.saveUsername('kim');
  assert.equal(backing.getItem('message.username'), '"kim"');
  assert.equal(store.loadUsername(), 'kim');
});

test('StorageDegradesToNotKeptWhenItIsFullOrDamaged', () => {
  backing.setItem('message.read', '{not json');
  assert.deepEqual(store.loadReadMarks(), {});
  backing.full = true;
  assert.equal(store.saveUsername('lee'), false);
  store.useStorage({ getItem() { throw new Error('denied'); }, setItem() { throw new Error('denied'); } });
  assert.equal(store.loadUsername(), '');
});

test('StorageMakesAValidIdentityTokenOnceAndKeepsIt', () => {
  const token = store.identityToken();
  assert.match(token, /^[A-Za-z0-9_-]{21}[AQgw]$/);
  assert.equal(store.identityToken(), token);
});

test('StorageCachesAtMostTheNewestMessagesOfARoom', () => {
  const many = Array.from({ length: 250 }, (_, i) => ({ seq: i + 1, message: `m${i}`, extra: 'dropped' }));
  store.saveHistory('lobby', many);
  const kept = store.loadHistory('lobby');
  assert.equal(kept.length, 200);
  assert.equal(kept[0].seq, 51);
  assert.equal('extra' in kept[0], false, 'only the known fields are kept');
});

test('StorageKeepsADraftPerRoom', () => {
  store.saveDraft('kitchen', 'secret note');
  assert.equal(store.loadDraft('kitchen'), 'secret note');
  assert.equal(store.loadDraft('lobby'), '');
  store.saveDraft('kitchen', '');
  assert.equal(store.loadDraft('kitchen'), '');
});
