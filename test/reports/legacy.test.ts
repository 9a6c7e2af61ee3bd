// A database that already held ratings before the reports migration: the migration keeps them,
// and the server's start gives them their local day and builds the rollups, once.
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { listMigrations } from '../../server/db/migrate.ts'
import { completeLegacyRows } from '../../server/reports/rollups.ts'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'

const INIT = '20261126123159_init'

const statements = [
  `INSERT INTO "Hall" ("id", "name", "timeZone", "reasons", "updatedAt") VALUES ('h1', '大厅', 'Asia/Shanghai', '[]', '2026-03-01T00:00:00.000+00:00')`,
  // 23:30 Beijing time on 03-02, pressed by a pad whose clock ran ahead of receipt.
  `INSERT INTO "Rating" ("id", "deviceId", "ratingId", "seq", "hallId", "windowId", "staffNo", "scale", "key", "level", "class", "reasons", "pressedAt", "receivedAt", "replayed")
   VALUES ('r1', 'p1', 'rating-0001', 1, 'h1', 'w1', 'S1', 5, 5, 1, 'bad', '["attitude"]', '2026-03-02T15:30:00.000+00:00', '2026-03-02T15:29:00.000+00:00', false)`,
  `INSERT INTO "Rating" ("id", "deviceId", "ratingId", "seq", "hallId", "windowId", "staffNo", "scale", "key", "level", "class", "pressedAt", "receivedAt", "replayed")
   VALUES ('r2', 'p1', 'rating-0002', 2, 'h1', 'w1', 'S1', 5, 1, 5, 'good', '2026-03-02T16:30:00.000+00:00', '2026-03-02T16:30:02.000+00:00', false)`,
  `INSERT INTO "PadEventRecord" ("id", "deviceId", "eventId", "type", "hallId", "windowId", "staffNo", "payload", "at", "receivedAt")
   VALUES ('e1', 'p1', 'event-0001', 'unrated', 'h1', 'w1', 'S1', '{"type":"unrated","transaction":{"id":"T1","serviceCode":"A","serviceName":"事项A"}}', '2026-03-02T02:00:00.000+00:00', '2026-03-02T02:00:01.000+00:00')`,
]

describe.each(DATABASES)('ratings stored before the reports migration on %s', (_name, make) => {
  let tdb: TestDatabase
  afterAll(async () => tdb?.drop())

  it('get their local day, rollups and nothing else changed', async () => {
    tdb = await make()
    const init = listMigrations(tdb.config.provider).find((m) => m.name === INIT)!
    const record = `INSERT INTO "_rp_migrations" ("name", "checksum", "appliedAt") VALUES ('${init.name}', '${init.checksum}', 'x')`
    const ddl = `CREATE TABLE "_rp_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`
    if (tdb.config.provider === 'sqlite') {
      const raw = new BetterSqlite3(tdb.config.file)
      raw.exec(init.sql)
      raw.exec(ddl)
      raw.exec(record)
      for (const s of statements) raw.exec(s.replace(/\bfalse\b/, '0'))
      raw.close()
    } else {
      const c = new pg.Client({ connectionString: tdb.config.url })
      await c.connect()
      await c.query(init.sql)
      await c.query(ddl)
      await c.query(record)
      for (const s of statements) await c.query(s)
      await c.end()
    }

    const db = await tdb.open()
    try {
      expect(db.migrated).toEqual(
        listMigrations(db.provider)
          .map((m) => m.name)
          .filter((n) => n !== INIT),
      )
      expect(await completeLegacyRows(db.prisma, db.provider)).toEqual(['h1'])
      const ratings = await db.prisma.rating.findMany({ orderBy: { id: 'asc' } })
      expect(ratings.map((r) => [r.id, r.occurredAt.toISOString(), r.day, r.hour, r.level])).toEqual([
        ['r1', '2026-03-02T15:29:00.000Z', '2026-03-02', 23, 1], // capped at receipt
        ['r2', '2026-03-02T16:30:00.000Z', '2026-03-03', 0, 5],
      ])
      const event = await db.prisma.padEventRecord.findUniqueOrThrow({ where: { id: 'e1' } })
      expect(event).toMatchObject({ day: '2026-03-02', hour: 10, serviceCode: 'A', serviceName: '事项A' })
      const days = await db.prisma.rollupDay.findMany({ orderBy: { day: 'asc' } })
      expect(days.map((d) => [d.day, d.level1, d.level5, d.unrated])).toEqual([
        ['2026-03-02', 1, 0, 1],
        ['2026-03-03', 0, 1, 0],
      ])
      expect(await db.prisma.rollupReason.findMany({ select: { reason: true, count: true } })).toEqual([
        { reason: 'attitude', count: 1 },
      ])
      // Once only: the marker is gone.
      expect(await completeLegacyRows(db.prisma, db.provider)).toEqual([])
      expect(await db.prisma.rollupDay.count()).toBe(2)
    } finally {
      await db.close()
    }
  })
})
