// The ingest's statements run directly on Prisma's SQLite connection (bulk.ts): they must belong to
// the Prisma transaction they were bound in, and never be written outside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bindSqliteConnection, insertRows, queryRows } from '../../server/db/bulk.ts'
import type { Database } from '../../server/db/client.ts'
import { Prisma } from '../../server/db/generated/sqlite/client.ts'
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.ts'

let tdb: TestDatabase
let db: Database
beforeAll(async () => {
  tdb = sqliteDatabase()
  db = await tdb.open()
})
afterAll(async () => {
  await db?.close()
  await tdb?.drop()
})

const row = (id: string) => ({
  id,
  topic: 'rp/v1/p1/rating',
  deviceId: 'p1',
  reason: 'test',
  payload: '{}',
  payloadBytes: 2,
  receivedAt: new Date('2026-03-02T01:15:09.123Z'),
})
const stored = (id: string) => db.prisma.rejectedMessage.count({ where: { id } })

describe('statements on Prisma’s SQLite connection', () => {
  it('are part of the transaction: committed with it, in the format Prisma reads back', async () => {
    await db.prisma.$transaction(async (tx) => {
      bindSqliteConnection(tx, db.sqlite)
      expect(await insertRows(tx, 'RejectedMessage', [row('direct-1'), row('direct-1')])).toEqual(
        new Set(['direct-1']),
      )
      // Seen inside the transaction, by a direct query and by Prisma's own.
      expect(
        await queryRows(tx, Prisma.sql`SELECT "id" FROM "RejectedMessage" WHERE "id" = ${'direct-1'}`),
      ).toEqual([{ id: 'direct-1' }])
      expect(await tx.rejectedMessage.count({ where: { id: 'direct-1' } })).toBe(1)
    })
    const back = await db.prisma.rejectedMessage.findUniqueOrThrow({ where: { id: 'direct-1' } })
    expect(back.receivedAt.toISOString()).toBe('2026-03-02T01:15:09.123Z')
  })

  it('are rolled back with it', async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        bindSqliteConnection(tx, db.sqlite)
        await insertRows(tx, 'RejectedMessage', [row('direct-2')])
        throw new Error('the batch failed')
      }),
    ).rejects.toThrow('the batch failed')
    expect(await stored('direct-2')).toBe(0)
  })

  it('are refused, not written on their own, once Prisma has ended the transaction for its timeout', async () => {
    let late: unknown = null
    await expect(
      db.prisma.$transaction(
        async (tx) => {
          bindSqliteConnection(tx, db.sqlite)
          await new Promise((r) => setTimeout(r, 400))
          try {
            await insertRows(tx, 'RejectedMessage', [row('direct-3')])
          } catch (e) {
            late = e
          }
        },
        { timeout: 100 },
      ),
    ).rejects.toThrow()
    expect(String(late)).toMatch(/transaction has ended/)
    expect(await stored('direct-3')).toBe(0)
    // The connection is fine for the next transaction.
    await db.prisma.$transaction(async (tx) => {
      bindSqliteConnection(tx, db.sqlite)
      await insertRows(tx, 'RejectedMessage', [row('direct-4')])
    })
    expect(await stored('direct-4')).toBe(1)
  })
})
