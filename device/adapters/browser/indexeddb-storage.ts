// Pad storage for a browser tablet: the outbox and the settings in one IndexedDB database per device.
//
// Durability: every put and save runs in a readwrite transaction with durability 'strict' and
// resolves only on the transaction's `complete`, so an entry the runtime was told is stored
// survives a reload, a tab crash or a power cut (Chromium's default, 'relaxed', may lose the last
// writes on power loss). A transaction is atomic: a kill mid-write leaves it undone, never torn.
// Removals (acks) use the default durability: losing one only means a resend, which the server
// recognises by the rating's id.
//
// Layout (version 1):
//   outbox  out-of-line auto-increment keys (= put order), value = the OutboxEntry;
//           index 'id' (unique) to find an entry, index 'seq' to list (ties in key order = put order)
//   meta    'settings' → PadSettings, 'maxSeq' → highest seq ever put
import { DEFAULT_OUTBOX_CAPACITY } from '../../core/index.ts'
import {
  DEFAULT_SETTINGS,
  OutboxFullError,
  type Outbox,
  type OutboxEntry,
  type PadSettings,
  type PadStorage,
  type SettingsStore,
} from '../../ports/index.ts'

const DB_VERSION = 1
const OUTBOX = 'outbox'
const META = 'meta'

export interface IndexedDbStorageOptions {
  /** Most entries the outbox holds; default 50,000. */
  capacity?: number
  /** The IndexedDB to use; defaults to the page's (`globalThis.indexedDB`). */
  indexedDB?: IDBFactory
}

/** The database name of a device's storage: one per device id, so a re-provisioned tablet never mixes outboxes. */
export function padDatabaseName(deviceId: string): string {
  return `rating-pad:${deviceId}`
}

/** Opens (creating when new) a pad's storage in IndexedDB. */
export async function openIndexedDbStorage(
  name: string,
  options: IndexedDbStorageOptions = {},
): Promise<PadStorage> {
  const factory = options.indexedDB ?? globalThis.indexedDB
  if (!factory) throw new Error('IndexedDB is not available in this browser')
  const db = await openDatabase(factory, name)
  const outbox = new IndexedDbOutbox(db, options.capacity ?? DEFAULT_OUTBOX_CAPACITY)
  const settings = new IndexedDbSettings(db)
  return { outbox, settings, close: () => outbox.close() }
}

/** Deletes a pad's storage (a tablet handed back, or tests). Resolves once it is gone. */
export function deleteIndexedDbStorage(
  name: string,
  factory: IDBFactory = globalThis.indexedDB,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = factory.deleteDatabase(name)
    req.onsuccess = () => resolve()
    req.onerror = () => reject(req.error)
  })
}

function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, DB_VERSION)
    req.onupgradeneeded = () => {
      const db = req.result
      if (!db.objectStoreNames.contains(OUTBOX)) {
        const outbox = db.createObjectStore(OUTBOX, { autoIncrement: true })
        outbox.createIndex('id', 'id', { unique: true })
        outbox.createIndex('seq', 'seq')
      }
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META)
    }
    req.onsuccess = () => {
      const db = req.result
      // Another tab upgrading or deleting the database: let it, this connection is done.
      db.onversionchange = () => db.close()
      resolve(db)
    }
    req.onerror = () => reject(req.error ?? new Error(`cannot open IndexedDB ${name}`))
    req.onblocked = () => {} // waits for the other connection to close
  })
}

/**
 * Runs one transaction: `body` queues its requests and returns a function reading the result,
 * which is called once the transaction has completed (committed), never before.
 */
function transact<T>(
  db: IDBDatabase,
  stores: string[],
  mode: IDBTransactionMode,
  durability: IDBTransactionDurability,
  body: (tx: IDBTransaction) => () => T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let tx: IDBTransaction
    try {
      tx = db.transaction(stores, mode, { durability })
    } catch (e) {
      reject(e) // closed connection, or the browser deleted the database
      return
    }
    let result: () => T
    tx.oncomplete = () => {
      try {
        resolve(result())
      } catch (e) {
        reject(e)
      }
    }
    tx.onerror = (ev) => {
      ev.preventDefault() // the abort event follows and rejects
    }
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'))
    try {
      result = body(tx)
    } catch (e) {
      tx.abort()
      reject(e)
    }
  })
}

export class IndexedDbOutbox implements Outbox {
  constructor(
    private readonly db: IDBDatabase,
    readonly capacity: number = DEFAULT_OUTBOX_CAPACITY,
  ) {}

  put(entry: OutboxEntry): Promise<void> {
    return transact(this.db, [OUTBOX, META], 'readwrite', 'strict', (tx) => {
      const store = tx.objectStore(OUTBOX)
      const meta = tx.objectStore(META)
      let full = false
      const existing = store.index('id').getKey(entry.id)
      existing.onsuccess = () => {
        if (existing.result !== undefined) return // already there: the first entry stays
        const count = store.count()
        count.onsuccess = () => {
          if (count.result >= this.capacity) {
            full = true
            return
          }
          store.add(entry)
          const max = meta.get('maxSeq')
          max.onsuccess = () => {
            if (typeof max.result !== 'number' || entry.seq > max.result) meta.put(entry.seq, 'maxSeq')
          }
        }
      }
      return () => {
        if (full) throw new OutboxFullError(this.capacity)
      }
    })
  }

  list(options: { fromSeq?: number; limit?: number } = {}): Promise<OutboxEntry[]> {
    return transact(this.db, [OUTBOX], 'readonly', 'default', (tx) => {
      const index = tx.objectStore(OUTBOX).index('seq')
      const range = options.fromSeq === undefined ? null : IDBKeyRange.lowerBound(options.fromSeq)
      const req = index.getAll(range, options.limit)
      return () => req.result as OutboxEntry[]
    })
  }

  remove(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0)
    return transact(this.db, [OUTBOX], 'readwrite', 'default', (tx) => {
      const store = tx.objectStore(OUTBOX)
      const byId = store.index('id')
      let removed = 0
      for (const id of new Set(ids)) {
        const key = byId.getKey(id)
        key.onsuccess = () => {
          if (key.result === undefined) return
          removed++
          store.delete(key.result)
        }
      }
      return () => removed
    })
  }

  size(): Promise<number> {
    return transact(this.db, [OUTBOX], 'readonly', 'default', (tx) => {
      const req = tx.objectStore(OUTBOX).count()
      return () => req.result
    })
  }

  maxSeq(): Promise<number> {
    return transact(this.db, [META], 'readonly', 'default', (tx) => {
      const req = tx.objectStore(META).get('maxSeq')
      return () => (typeof req.result === 'number' ? req.result : 0)
    })
  }

  async close(): Promise<void> {
    this.db.close() // pending transactions still complete
  }
}

export class IndexedDbSettings implements SettingsStore {
  constructor(private readonly db: IDBDatabase) {}

  load(): Promise<PadSettings> {
    return transact(this.db, [META], 'readonly', 'default', (tx) => {
      const req = tx.objectStore(META).get('settings')
      // IndexedDB hands back a structured clone: a caller changing it changes nothing stored.
      return () => ({ ...DEFAULT_SETTINGS, ...(req.result as Partial<PadSettings> | undefined) })
    })
  }

  save(patch: Partial<PadSettings>): Promise<void> {
    return transact(this.db, [META], 'readwrite', 'strict', (tx) => {
      const meta = tx.objectStore(META)
      const req = meta.get('settings')
      req.onsuccess = () => {
        const current = (req.result as Partial<PadSettings> | undefined) ?? {}
        meta.put({ ...DEFAULT_SETTINGS, ...current, ...patch }, 'settings')
      }
      return () => undefined
    })
  }
}
