// In-memory storage for the simulator and tests. "Durable" means: it survives the pad runtime being
// dropped and a new one opened over the same MemoryDisk, which is how the simulator models a reboot.
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

/** What a pad's flash would hold. Keep one per simulated pad to let it "reboot". */
export class MemoryDisk {
  readonly entries = new Map<string, OutboxEntry>()
  maxSeq = 0
  settings: PadSettings = { ...DEFAULT_SETTINGS }
}

/** Entries are kept by reference, not copied: 10,000 pads in one process; treat them as immutable. */
export class MemoryOutbox implements Outbox {
  constructor(
    private readonly disk: MemoryDisk,
    readonly capacity: number = DEFAULT_OUTBOX_CAPACITY,
  ) {}

  async put(entry: OutboxEntry): Promise<void> {
    const entries = this.disk.entries
    if (entries.has(entry.id)) return
    if (entries.size >= this.capacity) throw new OutboxFullError(this.capacity)
    entries.set(entry.id, entry)
    if (entry.seq > this.disk.maxSeq) this.disk.maxSeq = entry.seq
  }

  async list(options: { fromSeq?: number; limit?: number } = {}): Promise<OutboxEntry[]> {
    const from = options.fromSeq ?? -Infinity
    const out: OutboxEntry[] = []
    for (const e of this.disk.entries.values()) if (e.seq >= from) out.push(e)
    // Map order is put order and sort is stable, so ties stay in put order.
    out.sort((a, b) => a.seq - b.seq)
    return options.limit === undefined ? out : out.slice(0, options.limit)
  }

  async remove(ids: readonly string[]): Promise<number> {
    let n = 0
    for (const id of ids) if (this.disk.entries.delete(id)) n++
    return n
  }

  async size(): Promise<number> {
    return this.disk.entries.size
  }

  async maxSeq(): Promise<number> {
    return this.disk.maxSeq
  }

  async close(): Promise<void> {}
}

export class MemorySettings implements SettingsStore {
  constructor(private readonly disk: MemoryDisk) {}

  async load(): Promise<PadSettings> {
    return structuredClone(this.disk.settings)
  }

  async save(patch: Partial<PadSettings>): Promise<void> {
    this.disk.settings = { ...this.disk.settings, ...structuredClone(patch) }
  }
}

export function openMemoryStorage(
  disk: MemoryDisk = new MemoryDisk(),
  options: { capacity?: number } = {},
): PadStorage {
  return {
    outbox: new MemoryOutbox(disk, options.capacity),
    settings: new MemorySettings(disk),
    close: async () => {},
  }
}
