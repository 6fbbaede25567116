import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from './fake_storage.js';
import * as store from '../../web/storage.js';
import { AppState } from '../../web/state.js';

beforeEach(() => store.useStorage(new MemoryStorage()));

test('StateStartsARoomAfreshAndKeepsItsCache', () => {
  store.saveHistory('kitchen', [{ seq: 1, id: 'a', message: 'hi', username: 'kim', ts: 1 }]);
  const state = new AppState(store, 'lobby');
  state.dividerAt = 4;
  state.historyInFlight = true;
  state.enterRoom('kitchen');
  assert.equal(state.timeline.maxSeq, 1, 'the cached message is on screen at once');
  assert.equal(state.dividerAt, null);
  assert.equal(state.historyInFlight, false);
  assert.deepEqual(state.knownRooms, ['lobby', 'kitchen']);
});

test('StateMovesReadMarksOnlyUpAndKeepsThem', () => {
  const state = new AppState(store, 'lobby');
  assert.equal(state.readUpTo('lobby', 5), true);
  assert.equal(state.readUpTo('lobby', 3), false, 'another tab read less: no step back');
  assert.equal(new AppState(store, 'lobby').readMarks.lobby, 5);
});

test('StateNotesSeqsOfValidRoomsOnly', () => {
  const state = new AppState(store, 'lobby');
  state.noteSeq('lobby', 7);
  state.noteSeq('lobby', 3);
  state.noteSeq('no spaces', 9);
  state.noteSeq('__proto__', 2);
  assert.equal(state.roomSeqs.lobby, 7);
  assert.equal('no spaces' in state.roomSeqs, false);
  assert.equal(state.roomSeqs.__proto__, 2, 'a room called __proto__ is just a room');
});

test('StateTellsOwnMessagesByIdentityOrElseByDeviceTag', () => {
  const state = new AppState(store, 'lobby');
  assert.equal(state.isOwn({ device: state.tag }), true);
  state.setIdentity('IDENTITY-ONE-234');
  assert.equal(state.tag, 'IDENTI');
  assert.equal(state.isOwn({ identity: 'IDENTITY-ONE-234' }), true);
  assert.equal(state.isOwn({ identity: 'someone-else-123', device: 'IDENTI' }), false);
});

test('StateRemembersAtMost50Rooms', () => {
  const state = new AppState(store, 'lobby');
  for (let i = 0; i < 60; i += 1) state.rememberRoom(`r${i}`);
  assert.equal(state.knownRooms.length, 50);
  assert.equal(state.knownRooms.at(-1), 'r59');
});
