// A Map-backed stand-in for localStorage, for storage.js's useStorage().

export class MemoryStorage {
  constructor() {
    this.map = new Map();
    this.full = false; // true: setItem throws, as a full localStorage does
  }

  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }

  setItem(key, value) {
    if (this.full) throw new Error('QuotaExceededError');
    this.map.set(key, String(value));
  }

  removeItem(key) {
    this.map.delete(key);
  }
}
