// Pending uploads kept in IndexedDB across reloads, until done or cancelled: one record per
// upload, {id, room, url, meta, name, size, file?, ts}. The File itself is stored too (it is
// structured-cloneable in Chromium and Firefox), so a reload resumes without asking. When
// IndexedDB is missing or refuses (private modes, a full disk), every call resolves as "not
// kept": the upload still runs, it only does not survive a reload.

const DB_NAME = 'message-uploads';
const STORE = 'uploads';

let opening = null;

function open() {
  opening ??= new Promise((resolve) => {
    try {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return opening;
}

async function run(mode, work) {
  const db = await open();
  if (!db) return undefined;
  return new Promise((resolve) => {
    try {
      const tx = db.transaction(STORE, mode);
      const req = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req?.result);
      tx.onerror = () => resolve(undefined);
      tx.onabort = () => resolve(undefined);
    } catch {
      resolve(undefined);
    }
  });
}

/** Keeps (or replaces) a record; resolves true when stored. */
export async function putUpload(record) {
  const stored = await run('readwrite', (s) => s.put(record));
  if (stored !== undefined) return true;
  // A File some browser cannot store: keep the rest, so a reload can ask for the file again.
  if (record.file) return (await run('readwrite', (s) => s.put({ ...record, file: null }))) !== undefined;
  return false;
}

export async function deleteUpload(id) {
  await run('readwrite', (s) => s.delete(id));
}

/** Every kept upload, oldest first. */
export async function listUploads() {
  const all = (await run('readonly', (s) => s.getAll())) || [];
  return all.sort((a, b) => a.ts - b.ts);
}
