// A database that held 差评 before follow-up cases existed: the backfill migration marks it, and the
// server's start opens their cases once; later starts look for nothing.
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { listMigrations } from '../../server/db/migrate.ts'
import { openLegacyCases } from '../../server/followup/cases.ts'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'

const FOLLOWUP = '20261126131631_followup'

const statements = [
  `INSERT INTO "Hall" ("id", "name", "timeZone", "reasons", "updatedAt") VALUES ('h1', '大厅', 'Asia/Shanghai', '[]', '2026-03-01T00:00:00.000+00:00')`,
  // Received 00:30 on Friday 2026-02-13 Beijing time (Thursday in UTC): 回访 due the make-up Saturday.
  `INSERT INTO "Rating" ("id", "deviceId", "ratingId", "seq", "hallId", "windowId", "staffNo", "scale", "key", "level", "class", "reasons", "pressedAt", "receivedAt", "replayed", "occurredAt", "day", "hour")
   VALUES ('r1', 'p1', 'rating-0001', 1, 'h1', 'w1', 'S1', 5, 5, 1, 'bad', '["attitude"]', '2026-02-12T16:30:00.000+00:00', '2026-02-12T16:30:01.000+00:00', false, '2026-02-12T16:30:00.000+00:00', '2026-02-13', 0)`,
  `INSERT INTO "Rating" ("id", "deviceId", "ratingId", "seq", "hallId", "windowId", "staffNo", "scale", "key", "level", "class", "pressedAt", "receivedAt", "replayed", "occurredAt", "day", "hour")
   VALUES ('r2', 'p1', 'rating-0002', 2, 'h1', 'w1', 'S1', 5, 1, 5, 'good', '2026-02-12T16:40:00.000+00:00', '2026-02-12T16:40:01.000+00:00', false, '2026-02-12T16:40:00.000+00:00', '2026-02-13', 0)`,
]

describe.each(DATABASES)('差评 stored before follow-up on %s', (_name, make) => {
  let tdb: TestDatabase
  afterAll(async () => tdb?.drop())

  it('get their cases at start, once', async () => {
    tdb = await make()
    const earlier = listMigrations(tdb.config.provider).filter((m) => m.name < FOLLOWUP)
    const ddl = `CREATE TABLE "_rp_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`
    const records = earlier.map(
      (m) =>
        `INSERT INTO "_rp_migrations" ("name", "checksum", "appliedAt") VALUES ('${m.name}', '${m.checksum}', 'x')`,
    )
    if (tdb.config.provider === 'sqlite') {
      const raw = new BetterSqlite3(tdb.config.file)
      for (const m of earlier) raw.exec(m.sql)
      for (const s of [ddl, ...records, ...statements]) raw.exec(s.replace(/\bfalse\b/, '0'))
      raw.close()
    } else {
      const c = new pg.Client({ connectionString: tdb.config.url })
      await c.connect()
      for (const m of earlier) await c.query(m.sql)
      for (const s of [ddl, ...records, ...statements]) await c.query(s)
      await c.end()
    }

    const db = await tdb.open()
    try {
      expect(db.migrated[0]).toBe(FOLLOWUP)
      expect(await openLegacyCases(db.prisma)).toBe(1)
      const c = await db.prisma.followupCase.findUniqueOrThrow({ where: { ratingId: 'r1' } })
      expect([c.state, c.ratedDay, c.openedDay, c.callbackDueDay, c.rectifyDueDay]).toEqual([
        'pending_callback',
        '2026-02-13',
        '2026-02-13',
        '2026-02-14',
        '2026-02-27',
      ])
      expect(await db.prisma.followupCase.count()).toBe(1) // none for the 好评
      expect(await openLegacyCases(db.prisma)).toBe(0) // the marker is gone
    } finally {
      await db.close()
    }
  })
})
