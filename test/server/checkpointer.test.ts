// The SQLite file's WAL is checkpointed by a worker thread, not inside the server's commits; if the
// worker stops, the server's connection checkpoints for itself again.
import { statSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.ts'
import { waitFor } from '../helpers/server.ts'

let tdb: TestDatabase
let db: Database
afterEach(async () => {
  await db?.close()
  await tdb?.drop()
})

async function open() {
  tdb = sqliteDatabase()
  db = await tdb.open()
  await db.prisma.hall.create({ data: { id: 'h1', name: '大厅', reasons: '[]' } })
  return tdb.config.provider === 'sqlite' ? tdb.config.file : ''
}

/** Enough rows to fill hundreds of WAL pages. */
async function write(rows: number) {
  for (let i = 0; i < rows; i += 500)
    await db.prisma.auditEntry.createMany({
      data: Array.from({ length: 500 }, (_, j) => ({
        id: `a-${i + j}-${Math.random()}`,
        at: new Date(),
        actor: 'test',
        actorId: 'user:test',
        role: 'admin',
        method: 'POST',
        route: '/api/v1/x',
        url: `/api/v1/x?${'padding'.repeat(40)}`,
        status: 200,
      })),
    })
}

// The connection gives integers as BigInt (Prisma's adapter sets safe integers).
const autocheckpoint = () => Number(db.sqlite!.pragma('wal_autocheckpoint', { simple: true }))

describe('WAL checkpoints', () => {
  it('are made by the worker: the server connection never checkpoints, yet the database file takes the pages', async () => {
    const file = await open()
    expect(autocheckpoint()).toBe(0)
    const before = statSync(file).size
    await write(5000)
    await waitFor(() => statSync(file).size > before + 1_000_000, 'pages checkpointed into the file')
  })

  it('go back to the server connection when the worker stops', async () => {
    await open()
    const warned = new Promise<string>((resolve) => process.once('warning', (w) => resolve(w.message)))
    await db.checkpointer!.worker.terminate()
    expect(await warned).toMatch(/WAL checkpoint worker stopped/)
    expect(autocheckpoint()).toBe(1000)
  })

  it('end with a last checkpoint when the database is closed', async () => {
    const file = await open()
    await write(2000)
    await db.close()
    expect(statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0).toBe(0)
    db = undefined as never
  })
})
