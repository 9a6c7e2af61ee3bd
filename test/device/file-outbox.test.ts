import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  FileOutbox,
  FileSettings,
  OUTBOX_FILE,
  SETTINGS_FILE,
} from '../../device/adapters/node/file-outbox.ts'
import { openFileStorage } from '../../device/adapters/node/file-outbox.ts'
import { rating, runOutboxContract } from './outbox-contract.ts'

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'pad-outbox-'))
}

runOutboxContract('file', async () => {
  const dir = await tempDir()
  return {
    // A small compaction threshold so the contract's put/remove run compacts.
    open: (options) => openFileStorage(dir, { ...options, compactMinDead: 20 }),
    // What a kill during write() leaves: the start of a record and no newline.
    tearWrite: () => appendFile(join(dir, OUTBOX_FILE), '{"p":{"id":"rating-torn01","seq":3,"chan'),
    dispose: () => rm(dir, { recursive: true, force: true }),
  }
})

describe('file outbox on disk', () => {
  const dirs: string[] = []
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
  })
  async function dir(): Promise<string> {
    const d = await tempDir()
    dirs.push(d)
    return d
  }

  it('cuts a torn tail so the next record starts on its own line', async () => {
    const d = await dir()
    const a = await FileOutbox.open(d)
    await a.put(rating(1))
    await a.close()
    await appendFile(join(d, OUTBOX_FILE), '{"p":{"id":"rat')
    const b = await FileOutbox.open(d)
    await b.put(rating(2))
    await b.close()
    const lines = (await readFile(join(d, OUTBOX_FILE), 'utf8')).split('\n')
    expect(lines.filter((l) => l !== '').map((l) => JSON.parse(l).p.seq)).toEqual([1, 2])
  })

  it('skips a damaged line in the middle and keeps the rest', async () => {
    const d = await dir()
    const a = await FileOutbox.open(d)
    await a.put(rating(1))
    await a.close()
    await appendFile(join(d, OUTBOX_FILE), '\u0000\u0000garbage\n')
    const b = await FileOutbox.open(d)
    await b.put(rating(2))
    const c = await FileOutbox.open(d)
    expect((await c.list()).map((e) => e.seq)).toEqual([1, 2])
    await b.close()
    await c.close()
  })

  it('compacts when removed entries dominate, leaving no temp file behind', async () => {
    const d = await dir()
    const o = await FileOutbox.open(d, { compactMinDead: 50 })
    for (let seq = 1; seq <= 100; seq++) await o.put(rating(seq))
    const before = (await stat(join(d, OUTBOX_FILE))).size
    await o.remove(Array.from({ length: 90 }, (_, i) => rating(i + 1).id))
    const after = (await stat(join(d, OUTBOX_FILE))).size
    expect(after).toBeLessThan(before / 5)
    expect(await readdir(d)).toEqual([OUTBOX_FILE])
    await o.put(rating(101))
    await o.close()
    const again = await FileOutbox.open(d)
    expect((await again.list()).map((e) => e.seq)).toEqual(Array.from({ length: 11 }, (_, i) => 91 + i))
    await again.close()
  })

  it('ignores a settings temp file left by a crash mid-save', async () => {
    const d = await dir()
    const a = await FileSettings.open(d)
    await a.save({ seq: 12, connectCount: 4 })
    await writeFile(join(d, `${SETTINGS_FILE}.tmp`), '{"seq":13,"conn')
    const b = await FileSettings.open(d)
    expect(await b.load()).toMatchObject({ seq: 12, connectCount: 4 })
    expect(await readdir(d)).toEqual([SETTINGS_FILE])
  })
})
