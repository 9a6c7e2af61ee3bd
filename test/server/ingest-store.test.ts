// One contract for the ingest store, run against SQLite and PostgreSQL: each rating and event is
// stored once per (device, id), resends are reported as committed, and rejects are kept.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { listMigrations } from '../../server/db/migrate.ts'
import {
  PrismaIngestStore,
  type CommitResult,
  type IncomingRating,
} from '../../server/repositories/ratings.ts'
import { sampleEvent, sampleRating, sampleTransaction } from '../fixtures/messages.ts'
import { INGEST_PATHS, type TestDatabase } from '../helpers/databases.ts'

describe.each(INGEST_PATHS)('ingest store on %s', (_name, make, { direct }) => {
  let tdb: TestDatabase
  let db: Database
  let store: PrismaIngestStore

  beforeAll(async () => {
    tdb = await make()
    db = await tdb.open()
    store = new PrismaIngestStore(db.prisma, direct ? () => db.sqlite : undefined)
    await db.prisma.hall.create({ data: { id: 'h1', name: '大厅', reasons: '[]' } })
    await db.prisma.window.create({ data: { id: 'w1', hallId: 'h1', name: '1号窗口' } })
    for (const id of ['p1', 'p2'])
      await db.prisma.device.create({ data: { id, hallId: 'h1', windowId: 'w1', secretHash: 'x' } })
    await db.prisma.device.create({
      data: { id: 'gone', hallId: 'h1', secretHash: 'x', revokedAt: new Date() },
    })
  })
  afterAll(async () => {
    await db?.close()
    await tdb?.drop()
  })

  const incoming = (deviceId: string, overrides = {}): IncomingRating => ({
    deviceId,
    rating: sampleRating({ id: `r-${randomUUID()}`, ...overrides }),
    receivedAt: new Date('2026-03-02T01:15:09.123Z'),
  })

  it('applied every migration once and recorded it', async () => {
    expect(db.migrated).toEqual(listMigrations(db.provider).map((m) => m.name))
    const again = await tdb.open()
    expect(again.migrated).toEqual([])
    await again.close()
  })

  it('stores new ratings with their attribution and round-trips every field', async () => {
    const a = incoming('p1', {
      transaction: sampleTransaction({ staffNo: 'S9' }),
      staffNo: 'S1',
      reasons: ['skill'],
      scale: 5,
      key: 5,
      level: 1,
      class: 'bad',
    })
    const r = await store.commitBatch([a], [], [])
    expect(r.committed.get('p1')).toEqual([a.rating.id])
    expect(r.newRatings).toHaveLength(1)
    const row = await db.prisma.rating.findUniqueOrThrow({
      where: { deviceId_ratingId: { deviceId: 'p1', ratingId: a.rating.id } },
    })
    expect(row).toMatchObject({
      hallId: 'h1',
      windowId: 'w1',
      staffNo: 'S9',
      signedInStaffNo: 'S1',
      level: 1,
      class: 'bad',
      scale: 5,
      key: 5,
      caseNo: 'BJ-2026-000042',
      replayed: false,
    })
    expect(row.pressedAt.toISOString()).toBe(new Date(a.rating.pressedAt).toISOString())
    expect(row.receivedAt.toISOString()).toBe('2026-03-02T01:15:09.123Z')
  })

  it('reports resends as committed without storing them again, also within one batch', async () => {
    const a = incoming('p1')
    const b = incoming('p2', { id: a.rating.id }) // same id on another pad is another rating
    await store.commitBatch([a], [], [])
    const r = await store.commitBatch([a, { ...a, rating: { ...a.rating, replayed: true } }, b], [], [])
    expect(r.committed.get('p1')).toEqual([a.rating.id, a.rating.id])
    expect(r.newRatings.map((x) => x.deviceId)).toEqual(['p2'])
    expect(await db.prisma.rating.count({ where: { ratingId: a.rating.id } })).toBe(2)
  })

  it('rejects ratings from unknown or revoked pads into rejected messages', async () => {
    const r = await store.commitBatch([incoming('gone'), incoming('never-registered')], [], [])
    expect(r.newRatings).toHaveLength(0)
    expect([...r.rejected.keys()].sort()).toEqual(['gone', 'never-registered'])
    expect(await db.prisma.rejectedMessage.count({ where: { reason: 'unknown or revoked device' } })).toBe(2)
  })

  it('stores events once and keeps raw rejects capped', async () => {
    const ev = {
      deviceId: 'p1',
      event: sampleEvent('unrated', { id: `e-${randomUUID()}` }),
      receivedAt: new Date(),
    }
    await store.commitBatch([], [ev], [])
    const r = await store.commitBatch(
      [],
      [ev],
      [
        {
          topic: 'rp/v1/p1/rating',
          deviceId: 'p1',
          reason: 'payload is not JSON',
          payload: Buffer.alloc(10_000, 'x'),
          receivedAt: new Date(),
          messageId: 'abcdefgh',
        },
      ],
    )
    expect(r.newEvents).toHaveLength(0)
    expect(r.committed.get('p1')).toEqual([ev.event.id])
    expect(r.rejected.get('p1')).toEqual([{ id: 'abcdefgh', reason: 'payload is not JSON' }])
    expect(await db.prisma.padEventRecord.count({ where: { eventId: ev.event.id } })).toBe(1)
    const rej = await db.prisma.rejectedMessage.findFirstOrThrow({ where: { reason: 'payload is not JSON' } })
    expect([rej.payload.length, rej.payloadBytes]).toEqual([4096, 10_000])
  })

  it('commits a batch of 2,000 ratings from several pads in one go', async () => {
    const before = await db.prisma.rating.count()
    const batch = Array.from({ length: 2000 }, (_, i) => incoming(i % 2 ? 'p1' : 'p2'))
    const r = await store.commitBatch(batch, [], [])
    expect(r.newRatings).toHaveLength(2000)
    expect((await db.prisma.rating.count()) - before).toBe(2000)
    expect((await store.commitBatch(batch, [], [])).newRatings).toHaveLength(0)
  })

  it('stores and counts a rating once when two instances commit it at the same moment', async () => {
    // Two server instances each got a copy (a resend after a lost ack went to the other one): both
    // transactions look before either has committed, so the insert itself must tell which is new.
    const other = await tdb.open()
    const store2 = new PrismaIngestStore(other.prisma, direct ? () => other.sqlite : undefined)
    const day = '2026-03-02'
    const countsBefore = await rollupTotals(db, day)
    const casesBefore = await db.prisma.followupCase.count()
    const batch = Array.from({ length: 50 }, (_, i) =>
      incoming('p1', { level: 1 + (i % 5), class: i % 5 < 2 ? 'bad' : 'good', key: 5 - (i % 5), scale: 5 }),
    )
    const unrated = Array.from({ length: 10 }, () => ({
      deviceId: 'p1',
      event: sampleEvent('unrated'),
      receivedAt: new Date('2026-03-02T01:15:09.123Z'),
    }))
    // As the ingest does: a commit that fails (SQLite: the other writer holds the file) is retried.
    const commit = async (s: PrismaIngestStore) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await s.commitBatch(batch, unrated, [])
        } catch (err) {
          if (attempt > 20) throw err
          await new Promise((r) => setTimeout(r, 50))
        }
      }
    }
    let a: CommitResult, b: CommitResult
    if (db.provider === 'postgres') {
      // Force the race: A inserts and then holds its transaction open until B's insert of the same
      // rows is waiting on A's locks (B looked before A committed), then A commits.
      let aInserted!: () => void
      const inserted = new Promise<void>((r) => (aInserted = r))
      let armed = true
      store.onTransaction(async () => {
        if (!armed) return
        armed = false
        aInserted()
        for (let i = 0; i < 600; i++) {
          const [{ n }] = await other.prisma.$queryRaw<{ n: bigint }[]>`
            SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`
          if (n > 0n) return
          await new Promise((r) => setTimeout(r, 50))
        }
        throw new Error('the second commit never waited on the first')
      })
      const first = commit(store)
      await inserted
      ;[b, a] = await Promise.all([commit(store2), first])
    } else {
      // SQLite has one writer: a commit that looked before the other's commit fails and is retried.
      ;[a, b] = await Promise.all([commit(store), commit(store2)])
    }
    await other.close()
    // Each pad hears its ids committed from both; the ratings are new to exactly one of them.
    expect(a.committed.get('p1')).toHaveLength(60)
    expect(b.committed.get('p1')).toHaveLength(60)
    expect(a.newRatings.length + b.newRatings.length).toBe(50)
    expect(a.newEvents.length + b.newEvents.length).toBe(10)
    const ids = batch.map((r) => r.rating.id)
    expect(await db.prisma.rating.count({ where: { deviceId: 'p1', ratingId: { in: ids } } })).toBe(50)
    const counts = await rollupTotals(db, day)
    expect(counts.rated - countsBefore.rated).toBe(50)
    expect(counts.unrated - countsBefore.unrated).toBe(10)
    expect((await db.prisma.followupCase.count()) - casesBefore).toBe(20) // levels 1 and 2
  })
})

async function rollupTotals(db: Database, day: string) {
  const rows = await db.prisma.rollupDay.findMany({ where: { hallId: 'h1', day } })
  return rows.reduce(
    (t, r) => ({
      rated: t.rated + r.level1 + r.level2 + r.level3 + r.level4 + r.level5,
      unrated: t.unrated + r.unrated,
    }),
    { rated: 0, unrated: 0 },
  )
}
