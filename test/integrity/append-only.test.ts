// Ratings feed staff appraisal, so the database itself refuses to change or remove one: triggers on
// "Rating", "RatingVoid" and "AuditEntry" (migration 20261126134731_integrity), on SQLite and
// PostgreSQL, whatever client or SQL is used. The one exception the reports migration needs
// (completing day and hour of rows stored before it, day '') still works and changes nothing else.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { PrismaIngestStore } from '../../server/repositories/ratings.ts'
import { sampleRating } from '../fixtures/messages.ts'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'

describe.each(DATABASES)('append-only tables on %s', (_name, make) => {
  let tdb: TestDatabase
  let db: Database
  let ratingId: string

  beforeAll(async () => {
    tdb = await make()
    db = await tdb.open()
    await db.prisma.hall.create({ data: { id: 'h1', name: '大厅', reasons: '[]' } })
    await db.prisma.window.create({ data: { id: 'w1', hallId: 'h1', name: '1号窗口' } })
    await db.prisma.device.create({ data: { id: 'p1', hallId: 'h1', windowId: 'w1', secretHash: 'x' } })
    const store = new PrismaIngestStore(db.prisma)
    await store.commitBatch(
      [{ deviceId: 'p1', rating: sampleRating({ id: `r-${randomUUID()}` }), receivedAt: new Date() }],
      [],
      [],
    )
    ratingId = (await db.prisma.rating.findFirstOrThrow()).id
  })
  afterAll(async () => {
    await db?.close()
    await tdb?.drop()
  })

  const snapshot = async () => JSON.stringify(await db.prisma.rating.findMany({ orderBy: { id: 'asc' } }))

  it('refuses to update or delete a rating, through Prisma or plain SQL', async () => {
    const before = await snapshot()
    await expect(db.prisma.rating.update({ where: { id: ratingId }, data: { level: 1 } })).rejects.toThrow(
      /append-only/,
    )
    await expect(
      db.prisma.rating.updateMany({ where: { id: ratingId }, data: { staffNo: 'someone-else' } }),
    ).rejects.toThrow(/append-only/)
    await expect(
      db.prisma.rating.update({ where: { id: ratingId }, data: { day: '2020-01-01' } }),
    ).rejects.toThrow(/append-only/)
    await expect(db.prisma.rating.delete({ where: { id: ratingId } })).rejects.toThrow(/append-only/)
    await expect(db.prisma.rating.deleteMany({})).rejects.toThrow(/append-only/)
    await expect(db.prisma.$executeRawUnsafe(`UPDATE "Rating" SET "level" = 1`)).rejects.toThrow(
      /append-only/,
    )
    await expect(db.prisma.$executeRawUnsafe(`DELETE FROM "Rating"`)).rejects.toThrow(/append-only/)
    if (db.provider === 'postgres')
      await expect(db.prisma.$executeRawUnsafe(`TRUNCATE "Rating" CASCADE`)).rejects.toThrow(/append-only/)
    expect(await snapshot()).toBe(before)
  })

  it('keeps a void decision and the audit log the same way', async () => {
    await db.prisma.ratingVoid.create({
      data: {
        id: randomUUID(),
        ratingId,
        hallId: 'h1',
        decidedAt: new Date(),
        decidedBy: 'director',
        reason: 'appeal upheld',
      },
    })
    await expect(db.prisma.ratingVoid.updateMany({ data: { reason: 'never mind' } })).rejects.toThrow(
      /append-only/,
    )
    await expect(db.prisma.ratingVoid.deleteMany({})).rejects.toThrow(/append-only/)
    await db.prisma.auditEntry.create({
      data: {
        id: randomUUID(),
        at: new Date(),
        actor: 'director',
        actorId: 't1',
        role: 'manager',
        method: 'POST',
        route: '/api/v1/followups/:id/steps',
        url: '/api/v1/followups/c1/steps',
        status: 201,
      },
    })
    await expect(db.prisma.auditEntry.updateMany({ data: { actor: 'someone else' } })).rejects.toThrow(
      /append-only/,
    )
    await expect(db.prisma.auditEntry.deleteMany({})).rejects.toThrow(/append-only/)
    expect(await db.prisma.ratingVoid.count()).toBe(1)
    expect(await db.prisma.auditEntry.count()).toBe(1)
  })

  it('still lets the reports migration complete the day of a rating stored before it, and nothing more', async () => {
    const id = randomUUID()
    const at = new Date('2026-03-02T02:00:00.000Z')
    await db.prisma.rating.create({
      data: {
        id,
        deviceId: 'p1',
        ratingId: `legacy-${randomUUID()}`,
        seq: 99,
        hallId: 'h1',
        scale: 5,
        key: 1,
        level: 5,
        class: 'good',
        pressedAt: at,
        receivedAt: at,
        occurredAt: at,
        replayed: false,
        day: '',
        hour: 0,
      },
    })
    await expect(
      db.prisma.rating.update({ where: { id }, data: { day: '2026-03-02', hour: 10, level: 1 } }),
    ).rejects.toThrow(/append-only/)
    await db.prisma.rating.update({ where: { id }, data: { day: '2026-03-02', hour: 10 } })
    // Once it has its day, it is as fixed as any other rating.
    await expect(db.prisma.rating.update({ where: { id }, data: { hour: 11 } })).rejects.toThrow(
      /append-only/,
    )
    expect(await db.prisma.rating.findUniqueOrThrow({ where: { id } })).toMatchObject({
      day: '2026-03-02',
      hour: 10,
      level: 5,
    })
  })
})
