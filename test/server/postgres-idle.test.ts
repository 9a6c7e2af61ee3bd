// PostgreSQL ending the server's idle connections (a restart, an administrator) must not end the
// server: the pool opens new ones for the next queries.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { postgresDatabase, PG_ADMIN_URL, type TestDatabase } from '../helpers/databases.ts'

let tdb: TestDatabase
let db: Database
beforeAll(async () => {
  tdb = await postgresDatabase()
  db = await tdb.open()
})
afterAll(async () => {
  await db?.close()
  await tdb?.drop()
})

describe('PostgreSQL connections', () => {
  it('survive the database ending the idle ones', async () => {
    // Several idle connections in the pool.
    await Promise.all(
      Array.from({ length: 4 }, () => db.prisma.$queryRaw`SELECT 1 AS one FROM pg_sleep(0.05)`),
    )
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.message)
    process.on('warning', onWarning)
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
    await admin.connect()
    const name = tdb.config.provider === 'postgres' ? new URL(tdb.config.url).pathname.slice(1) : ''
    const ended = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    )
    await admin.end()
    expect(ended.rowCount).toBeGreaterThan(0)
    await new Promise((r) => setTimeout(r, 300))
    process.off('warning', onWarning)
    expect(warnings.some((w) => /PostgreSQL closed an idle connection/.test(w))).toBe(true)
    // Still serving.
    expect(await db.prisma.hall.count()).toBe(0)
  })
})
