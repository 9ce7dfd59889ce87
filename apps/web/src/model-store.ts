/**
 * The last model the user chose to keep (trained in the page or uploaded), in IndexedDB, so that a reload restores
 * it. One record under one key: a put replaces it in a single transaction, so a reader never sees half a model.
 */
import type { ModelFile } from './model-file.js';

const DB_NAME = 'cnn-web';
const STORE = 'models';
const KEY = 'current';

export interface StoredModel extends ModelFile {
  /** When it was stored (ms since the epoch). */
  savedAt: number;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

async function open(): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') throw new Error('this browser has no IndexedDB');
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => {
    if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
  };
  return request(req);
}

async function withStore<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    const tx = db.transaction(STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    });
    done.catch(() => undefined); // when the request fails, its own error is the one reported
    const result = await request(fn(tx.objectStore(STORE)));
    await done; // a write counts only once its transaction has committed
    return result;
  } finally {
    db.close();
  }
}

function isStoredModel(v: unknown): v is StoredModel {
  const r = v as Partial<StoredModel> | null;
  return !!r && r.bytes instanceof Uint8Array && typeof r.source === 'string' && typeof r.savedAt === 'number';
}

/** The stored model, or null when there is none (or the record is not one this page wrote). */
export async function loadStoredModel(): Promise<StoredModel | null> {
  const v = await withStore('readonly', (s) => s.get(KEY));
  return isStoredModel(v) ? v : null;
}

export async function storeModel(file: ModelFile): Promise<void> {
  const record: StoredModel = { bytes: file.bytes.slice(), source: file.source, savedAt: Date.now(), ...(file.format ? { format: file.format } : {}) };
  await withStore('readwrite', (s) => s.put(record, KEY));
}

export async function clearStoredModel(): Promise<void> {
  await withStore('readwrite', (s) => s.delete(KEY));
}
