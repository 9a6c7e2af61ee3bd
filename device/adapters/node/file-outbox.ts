// Outbox and settings on a Node box's disk.
//
// outbox.log is append-only, one JSON record per line: {"p":entry} puts, {"d":[ids]} removes.
// A put is fsynced before it resolves, and the pad says 谢谢 only after that, so a kill or power
// cut can lose only a record whose put never resolved: on open a torn last line (no newline, or
// not JSON) is ignored and cut off. Removes are not fsynced: a lost remove only means a resend the
// server deduplicates, and the next put's fsync flushes it anyway. When removed entries dominate,
// the log is compacted: live entries written to a temp file, fsynced, renamed over the log.
//
// settings.json is replaced whole the same way (temp + fsync + rename), so it is always the old
// or the new version, never a mix. The runtime saves a rating's seq here before using it.
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
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

export const OUTBOX_FILE = 'outbox.log'
export const SETTINGS_FILE = 'settings.json'

type LogRecord = { p: OutboxEntry } | { d: string[] }

/** Runs async work one at a time, in call order; a failure does not block what comes after. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve()
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn)
    this.tail = next.catch(() => {})
    return next
  }
}

/** Makes a rename durable: the directory entry must reach the disk too. Not possible on Windows. */
async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined
  try {
    fh = await open(dir, 'r')
    await fh.sync()
  } catch {
    // EISDIR/EPERM on platforms that cannot fsync a directory: the rename is as durable as it gets.
  } finally {
    await fh?.close().catch(() => {})
  }
}

/** Writes a whole file so that after a crash it is either the old or the new content. */
async function replaceFile(dir: string, name: string, data: string): Promise<void> {
  const tmp = join(dir, `${name}.tmp`)
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, join(dir, name))
  await fsyncDir(dir)
}

export interface FileOutboxOptions {
  capacity?: number
  /** Compact when at least this many dead records and more dead than live ones. */
  compactMinDead?: number
}

export class FileOutbox implements Outbox {
  private readonly serial = new Serial()
  private dead = 0
  private highestSeq = 0
  private closed = false

  private constructor(
    private readonly dir: string,
    private fh: FileHandle,
    private readonly entries: Map<string, OutboxEntry>,
    readonly capacity: number,
    private readonly compactMinDead: number,
  ) {}

  static async open(dir: string, options: FileOutboxOptions = {}): Promise<FileOutbox> {
    await mkdir(dir, { recursive: true })
    const path = join(dir, OUTBOX_FILE)
    let data: Buffer
    try {
      data = await readFile(path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      data = Buffer.alloc(0)
    }
    // Everything after the last newline is a record whose write was cut short.
    const end = data.lastIndexOf(0x0a) + 1
    const entries = new Map<string, OutboxEntry>()
    let dead = 0
    let highestSeq = 0
    for (const line of data.subarray(0, end).toString('utf8').split('\n')) {
      if (line === '') continue
      let rec: LogRecord
      try {
        rec = JSON.parse(line) as LogRecord
      } catch {
        dead++ // a damaged line; nothing acknowledged can be in it, since its put never resolved
        continue
      }
      if ('p' in rec && rec.p && typeof rec.p.id === 'string') {
        if (entries.has(rec.p.id)) dead++
        else entries.set(rec.p.id, rec.p)
        if (rec.p.seq > highestSeq) highestSeq = rec.p.seq
      } else if ('d' in rec && Array.isArray(rec.d)) {
        dead++
        for (const id of rec.d) if (entries.delete(id)) dead++
      } else dead++
    }
    const fh = await open(path, 'a+')
    if (end < data.length) {
      // Cut the torn tail so the next record starts on a line of its own.
      await fh.truncate(end)
      await fh.sync()
    }
    const outbox = new FileOutbox(
      dir,
      fh,
      entries,
      options.capacity ?? DEFAULT_OUTBOX_CAPACITY,
      options.compactMinDead ?? 1000,
    )
    outbox.dead = dead
    outbox.highestSeq = highestSeq
    return outbox
  }

  put(entry: OutboxEntry): Promise<void> {
    return this.serial.run(async () => {
      this.assertOpen()
      if (this.entries.has(entry.id)) return
      if (this.entries.size >= this.capacity) throw new OutboxFullError(this.capacity)
      await this.fh.write(JSON.stringify({ p: entry } satisfies LogRecord) + '\n')
      await this.fh.datasync()
      // Visible only once durable: list() never shows what a crash could still take away.
      this.entries.set(entry.id, entry)
      if (entry.seq > this.highestSeq) this.highestSeq = entry.seq
    })
  }

  async list(options: { fromSeq?: number; limit?: number } = {}): Promise<OutboxEntry[]> {
    const from = options.fromSeq ?? -Infinity
    const out: OutboxEntry[] = []
    for (const e of this.entries.values()) if (e.seq >= from) out.push(e)
    out.sort((a, b) => a.seq - b.seq)
    return options.limit === undefined ? out : out.slice(0, options.limit)
  }

  remove(ids: readonly string[]): Promise<number> {
    return this.serial.run(async () => {
      this.assertOpen()
      const present = [...new Set(ids)].filter((id) => this.entries.has(id))
      if (present.length === 0) return 0
      await this.fh.write(JSON.stringify({ d: present } satisfies LogRecord) + '\n')
      for (const id of present) this.entries.delete(id)
      this.dead += present.length + 1
      if (this.dead >= this.compactMinDead && this.dead > this.entries.size) await this.compact()
      return present.length
    })
  }

  async size(): Promise<number> {
    return this.entries.size
  }

  async maxSeq(): Promise<number> {
    return this.highestSeq
  }

  close(): Promise<void> {
    return this.serial.run(async () => {
      if (this.closed) return
      this.closed = true
      await this.fh.sync()
      await this.fh.close()
    })
  }

  private async compact(): Promise<void> {
    let text = ''
    for (const e of this.entries.values()) text += JSON.stringify({ p: e } satisfies LogRecord) + '\n'
    // Flush pending removes first: if the rename does not happen, the old log must be complete.
    await this.fh.sync()
    await replaceFile(this.dir, OUTBOX_FILE, text)
    await this.fh.close()
    this.fh = await open(join(this.dir, OUTBOX_FILE), 'a+')
    this.dead = 0
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('outbox closed')
  }
}

export class FileSettings implements SettingsStore {
  private readonly serial = new Serial()

  private constructor(
    private readonly dir: string,
    private current: PadSettings,
  ) {}

  static async open(dir: string): Promise<FileSettings> {
    await mkdir(dir, { recursive: true })
    let current: PadSettings = { ...DEFAULT_SETTINGS }
    try {
      current = {
        ...current,
        ...(JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8')) as Partial<PadSettings>),
      }
    } catch (e) {
      // Missing on first boot. A damaged file cannot come from replaceFile; refuse rather than reuse seqs.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    // A temp file left by a crash mid-save is not the settings; the rename never happened.
    await rm(join(dir, `${SETTINGS_FILE}.tmp`), { force: true })
    return new FileSettings(dir, current)
  }

  async load(): Promise<PadSettings> {
    return structuredClone(this.current)
  }

  save(patch: Partial<PadSettings>): Promise<void> {
    return this.serial.run(async () => {
      const next = { ...this.current, ...patch }
      await replaceFile(this.dir, SETTINGS_FILE, JSON.stringify(next))
      this.current = next
    })
  }
}

export interface FileStorageOptions extends FileOutboxOptions {}

/** Opens (or creates) a pad's storage in `dir`. Only one process may open a directory at a time. */
export async function openFileStorage(dir: string, options: FileStorageOptions = {}): Promise<PadStorage> {
  const outbox = await FileOutbox.open(dir, options)
  const settings = await FileSettings.open(dir)
  return { outbox, settings, close: () => outbox.close() }
}
