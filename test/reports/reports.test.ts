// Every metric against values computed by hand on a small fixture fed through the real ingest
// store, on SQLite and PostgreSQL alike; then the two databases' reports are compared whole.
//
// Hall h1 (Asia/Shanghai). 2026-03-02 is a Monday. Pads: p1 at w1 and p2 at w2 (5 keys; p2's clock
// runs 60 s fast), p3 at w3 (2 keys: 满意 → level 4, 不满意 → level 2). S1 serves at w1 in the
// morning and at w2 after lunch; S2 at w3; S3 is registered and never rated.
//
//   r1  p1 S1 03-02 09:10  5        SVC-A          r6  p3 S2 03-02 09:30  4 (key 1)  SVC-A
//   r2  p1 S1 03-02 10:20  4        SVC-A          r7  p3 S2 03-02 10:00  2 (key 2)  SVC-A  skill
//   r3  p1 S1 03-02 11:05  1        SVC-B  attitude, efficiency — voided by applyVoid
//   r4  p2 S1 03-02 14:30  2        SVC-A  efficiency
//   r5  p2 S1 03-02 15:00  5        SVC-B
//   r8  p1 S1 03-02 23:30  3        (none)   15:30 UTC
//   r9  p1 S1 03-03 00:30  4        (none)   16:30 UTC, the same UTC day as r8
//   r10 p2 S1 pad says 03-03 00:00:30, 60 s fast → 03-02 23:59:30, level 5
//   u1  p1 S1 03-02 12:00 unrated SVC-A;  u2 p3 S2 03-02 10:30 unrated SVC-A;  u3 p3 S2 03-10 unrated SVC-A
//   February (previous period): p3 S2 02-10 level 4 (key 1); p1 S1 02-11 level 2
//   April, across 清明 (04-04 to 04-06 off): p1 S1 04-04 level 5, 04-06 level 4, 04-07 level 1
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../server/auth/principal.ts'
import type { Database } from '../../server/db/client.ts'
import {
  PrismaIngestStore,
  type IncomingEvent,
  type IncomingRating,
} from '../../server/repositories/ratings.ts'
import { RatingRepository } from '../../server/repositories/ratings.ts'
import { applyVoid, rebuildRollups } from '../../server/reports/rollups.ts'
import { ReportService } from '../../server/reports/service.ts'
import { sampleEvent, sampleRating, sampleTransaction } from '../fixtures/messages.ts'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'

const admin: Principal = { tokenId: 't', name: 'test admin', role: 'admin', halls: 'all' }
/** "Now" for the reports: 2026-03-12 12:00 in Beijing. */
const NOW = new Date('2026-03-12T04:00:00Z')

const bj = (local: string) => `${local}+08:00`
function rating(
  pad: string,
  local: string,
  o: { level?: number; key?: number; scale?: 2 | 5; staffNo: string; service?: string; reasons?: string[] },
): IncomingRating {
  const scale = o.scale ?? 5
  const key = o.key ?? 6 - o.level!
  const t = bj(local)
  return {
    deviceId: pad,
    rating: sampleRating({
      id: `r-${randomUUID()}`,
      scale,
      key,
      reasons: o.reasons,
      transaction: sampleTransaction({
        id: `T-${randomUUID().slice(0, 8)}`,
        staffNo: o.staffNo,
        serviceCode: o.service,
        serviceName: o.service ? `事项${o.service}` : undefined,
      }),
      staffNo: o.staffNo,
      promptedAt: t,
      pressedAt: t,
    }),
    receivedAt: new Date(Date.parse(t) + 2000),
  }
}
function unrated(pad: string, local: string, staffNo: string, service: string): IncomingEvent {
  return {
    deviceId: pad,
    event: sampleEvent('unrated', {
      id: `e-${randomUUID()}`,
      at: bj(local),
      promptedAt: bj(local),
      transaction: sampleTransaction({ staffNo, serviceCode: service, serviceName: `事项${service}` }),
    }),
    receivedAt: new Date(Date.parse(bj(local)) + 1000),
  }
}

/** Whole reports per database, compared at the end. */
const results = new Map<string, unknown[]>()

describe.each(DATABASES)('reports on %s', (name, make) => {
  let tdb: TestDatabase
  let db: Database
  let reports: ReportService
  let voidedId: string
  const collected: unknown[] = []

  beforeAll(async () => {
    tdb = await make()
    db = await tdb.open()
    const p = db.prisma
    for (const id of ['h1', 'h2'])
      await p.hall.create({ data: { id, name: id === 'h1' ? '市民服务中心' : '空大厅', reasons: '[]' } })
    for (const [id, hallId, n] of [
      ['w1', 'h1', '1号窗口'],
      ['w2', 'h1', '2号窗口'],
      ['w3', 'h1', '3号窗口'],
      ['x1', 'h2', '1号窗口'],
    ])
      await p.window.create({ data: { id, hallId, name: n } })
    for (const [staffNo, name] of [
      ['S1', '张敏'],
      ['S2', '李强'],
      ['S3', '王芳'],
    ])
      await p.staff.create({ data: { id: staffNo, staffNo, hallId: 'h1', name } })
    await p.device.create({ data: { id: 'p1', hallId: 'h1', windowId: 'w1', secretHash: 'x' } })
    await p.device.create({
      data: { id: 'p2', hallId: 'h1', windowId: 'w2', secretHash: 'x', clockSkewMs: 60_000 },
    })
    await p.device.create({ data: { id: 'p3', hallId: 'h1', windowId: 'w3', secretHash: 'x' } })

    const store = new PrismaIngestStore(p)
    const r3 = rating('p1', '2026-03-02T11:05:00', {
      level: 1,
      staffNo: 'S1',
      service: 'B',
      reasons: ['attitude', 'efficiency'],
    })
    const r1 = rating('p1', '2026-03-02T09:10:00', { level: 5, staffNo: 'S1', service: 'A' })
    const r10 = rating('p2', '2026-03-03T00:00:30', { level: 5, staffNo: 'S1' })
    r10.receivedAt = new Date(Date.parse(bj('2026-03-02T23:59:32'))) // the server's clock
    await store.commitBatch(
      [
        r1,
        rating('p1', '2026-03-02T10:20:00', { level: 4, staffNo: 'S1', service: 'A' }),
        r3,
        rating('p3', '2026-03-02T09:30:00', { scale: 2, key: 1, staffNo: 'S2', service: 'A' }),
        rating('p3', '2026-03-02T10:00:00', {
          scale: 2,
          key: 2,
          staffNo: 'S2',
          service: 'A',
          reasons: ['skill'],
        }),
      ],
      [unrated('p1', '2026-03-02T12:00:00', 'S1', 'A'), unrated('p3', '2026-03-02T10:30:00', 'S2', 'A')],
      [],
    )
    await store.commitBatch(
      [
        rating('p2', '2026-03-02T14:30:00', {
          level: 2,
          staffNo: 'S1',
          service: 'A',
          reasons: ['efficiency'],
        }),
        rating('p2', '2026-03-02T15:00:00', { level: 5, staffNo: 'S1', service: 'B' }),
        rating('p1', '2026-03-02T23:30:00', { level: 3, staffNo: 'S1' }),
        rating('p1', '2026-03-03T00:30:00', { level: 4, staffNo: 'S1' }),
        r10,
        { ...r1, rating: { ...r1.rating, replayed: true } }, // a resend changes nothing
        rating('p3', '2026-02-10T10:00:00', { scale: 2, key: 1, staffNo: 'S2' }),
        rating('p1', '2026-02-11T10:00:00', { level: 2, staffNo: 'S1' }),
        rating('p1', '2026-04-04T10:00:00', { level: 5, staffNo: 'S1' }),
        rating('p1', '2026-04-06T10:00:00', { level: 4, staffNo: 'S1' }),
        rating('p1', '2026-04-07T10:00:00', { level: 1, staffNo: 'S1' }),
      ],
      [unrated('p3', '2026-03-10T10:00:00', 'S2', 'A')],
      [],
    )
    const row = await p.rating.findUniqueOrThrow({
      where: { deviceId_ratingId: { deviceId: 'p1', ratingId: r3.rating.id } },
    })
    voidedId = row.id
    await applyVoid(p, [
      { ratingId: voidedId, decidedAt: NOW, decidedBy: '督查室', reason: '申诉属实：误按', caseId: 'case-1' },
    ])
    reports = new ReportService(p, () => NOW)
  })
  afterAll(async () => {
    results.set(name, collected)
    await db?.close()
    await tdb?.drop()
  })

  const keep = <T>(r: T): T => {
    collected.push(r)
    return r
  }
  const month = { hallId: 'h1', period: 'month' as const, date: '2026-03-02' }
  const ranked = { ...month, by: 'satisfaction' as const, minRated: 1 }

  it('counts a day: levels, rates, average, 参评率, voided and reasons', async () => {
    const r = keep(await reports.summary(admin, { hallId: 'h1', period: 'day', date: '2026-03-02' }))
    expect(r.metrics).toEqual({
      levels: { '1': 0, '2': 2, '3': 1, '4': 2, '5': 3 },
      rated: 8,
      defaulted: 0,
      good: 6,
      bad: 2,
      satisfaction: 0.75,
      badRate: 0.25,
      average: 3.75,
      unrated: 2,
      transactions: 10,
      participation: 0.8,
      voided: 1,
    })
    // The voided 差评's reasons count as voided, not in the breakdown.
    expect(r.reasons).toEqual([
      { code: 'efficiency', label: '办事效率', count: 1, share: 0.5, voided: 1 },
      { code: 'skill', label: '业务水平', count: 1, share: 0.5, voided: 0 },
      { code: 'attitude', label: '服务态度', count: 0, share: 0, voided: 1 },
    ])
    expect(r.unratedPolicy).toEqual({ mode: 'keep', asOf: '2026-03-12', countedThrough: null })
  })

  it('splits 23:30 and 00:30 Beijing time into their own days, and corrects a fast pad clock', async () => {
    const next = keep(await reports.summary(admin, { hallId: 'h1', period: 'day', date: '2026-03-03' }))
    expect(next.metrics.rated).toBe(1) // r9 only: r10 (pad 00:00:30, 60 s fast) belongs to 03-02
    expect(next.metrics.levels['4']).toBe(1)
    const ratings = new RatingRepository(db.prisma)
    const drill = await ratings.list(admin, {
      hallId: 'h1',
      days: { from: '2026-03-03', to: '2026-03-03' },
      limit: 10,
    })
    expect(drill.items.map((i) => i.occurredAt)).toEqual(['2026-03-02T16:30:00.000Z'])
    const late = await ratings.list(admin, {
      hallId: 'h1',
      windowId: 'w2',
      days: { from: '2026-03-02', to: '2026-03-02' },
      limit: 10,
    })
    expect(late.items[0]).toMatchObject({
      occurredAt: '2026-03-02T15:59:30.000Z',
      day: '2026-03-02',
      level: 5,
    })
  })

  it('counts the month', async () => {
    const r = keep(await reports.summary(admin, month))
    expect(r.metrics).toMatchObject({
      levels: { '1': 0, '2': 2, '3': 1, '4': 3, '5': 3 },
      rated: 9,
      good: 7,
      bad: 2,
      unrated: 3,
      transactions: 12,
      participation: 0.75,
      voided: 1,
    })
    expect(r.metrics.satisfaction).toBeCloseTo(7 / 9, 12)
    expect(r.metrics.average).toBeCloseTo(34 / 9, 12)
    expect(r.period).toMatchObject({ label: '2026-03', from: '2026-03-01', to: '2026-03-31' })
  })

  it('filters by window, staff and service item', async () => {
    const w3 = keep(await reports.summary(admin, { ...month, windowId: 'w3' }))
    expect(w3.metrics).toMatchObject({
      rated: 2,
      good: 1,
      bad: 1,
      satisfaction: 0.5,
      unrated: 2,
      participation: 0.5,
    })
    const s1 = keep(await reports.summary(admin, { ...month, staffNo: 'S1' }))
    expect(s1.metrics).toMatchObject({ rated: 7, good: 6, bad: 1, average: 4, unrated: 1, voided: 1 })
    const a = keep(await reports.summary(admin, { ...month, serviceCode: 'A' }))
    expect(a.metrics).toMatchObject({ rated: 5, good: 3, bad: 2, satisfaction: 0.6, unrated: 3, voided: 0 })
    expect(a.reasons.map((x) => [x.code, x.count])).toEqual([
      ['efficiency', 1],
      ['skill', 1],
    ])
  })

  it('ranks windows, with the change since February and the difference from the hall average', async () => {
    const r = keep(await reports.breakdown(admin, 'window', ranked))
    expect(r.rows.map((x) => [x.windowId, x.metrics.rated, x.rank, x.previousRank, x.rankChange])).toEqual([
      ['w1', 4, 1, 2, 1],
      ['w2', 3, 2, null, null],
      ['w3', 2, 3, 1, -2],
    ])
    const w1 = r.rows[0]
    expect(w1).toMatchObject({
      name: '1号窗口',
      metrics: { satisfaction: 1, average: 4, participation: 0.8, voided: 1 },
    })
    expect(w1.vsHall.satisfaction).toBeCloseTo(1 - 7 / 9, 12)
    expect(r.hallAverage.rated).toBe(9)
    // By 差评率, lower first: w1 0, then w2 and w3 (1/3 < 1/2).
    const bad = keep(await reports.breakdown(admin, 'window', { ...ranked, by: 'badRate' }))
    expect(bad.rows.map((x) => [x.windowId, x.rank])).toEqual([
      ['w1', 1],
      ['w2', 2],
      ['w3', 3],
    ])
    // Fewer than minRated counted ratings: shown, not ranked.
    const min = keep(await reports.breakdown(admin, 'window', { ...ranked, minRated: 3 }))
    expect(min.rows.map((x) => [x.windowId, x.rank])).toEqual([
      ['w1', 1],
      ['w2', 2],
      ['w3', null],
    ])
  })

  it('follows staff across windows', async () => {
    const r = keep(await reports.breakdown(admin, 'staff', ranked))
    expect(
      r.rows.map((x) => [x.staffNo, x.name, x.windowIds, x.metrics.rated, x.rank, x.previousRank]),
    ).toEqual([
      ['S1', '张敏', ['w1', 'w2'], 7, 1, 2],
      ['S2', '李强', ['w3'], 2, 2, 1],
      ['S3', '王芳', [], 0, null, null],
    ])
    expect(r.rows[0].metrics).toMatchObject({
      levels: { '1': 0, '2': 1, '3': 1, '4': 2, '5': 3 },
      average: 4,
      unrated: 1,
    })
    expect(r.rows[0].metrics.satisfaction).toBeCloseTo(6 / 7, 12)
  })

  it('breaks down by service item', async () => {
    const r = keep(await reports.breakdown(admin, 'service', ranked))
    expect(
      r.rows.map((x) => [x.serviceCode, x.serviceName, x.metrics.rated, x.metrics.unrated, x.rank]),
    ).toEqual([
      ['B', '事项B', 1, 0, 1],
      ['A', '事项A', 5, 3, 2],
      [null, null, 3, 0, null],
    ])
    expect(r.rows[0].metrics.voided).toBe(1)
  })

  it('applies a hall’s unrated policy at report time and says so', async () => {
    await reports.setUnratedPolicy(admin, 'h1', { mode: 'default', level: 3, afterDays: 7 })
    try {
      const r = keep(await reports.summary(admin, month))
      // 03-12 − 7 days = 03-05: u1 and u2 (03-02) count as 基本满意, u3 (03-10) stays unrated.
      expect(r.unratedPolicy).toEqual({
        mode: 'default',
        level: 3,
        afterDays: 7,
        asOf: '2026-03-12',
        countedThrough: '2026-03-05',
      })
      expect(r.metrics).toMatchObject({
        levels: { '1': 0, '2': 2, '3': 3, '4': 3, '5': 3 },
        rated: 9,
        defaulted: 2,
        good: 9,
        bad: 2,
        unrated: 1,
        transactions: 12,
        participation: 0.75,
      })
      expect(r.metrics.satisfaction).toBeCloseTo(9 / 11, 12)
      expect(r.metrics.average).toBeCloseTo(40 / 11, 12)
      // Asked as of a later day, u3 counts too.
      const later = keep(await reports.summary(admin, { ...month, asOf: '2026-03-17' }))
      expect(later.metrics).toMatchObject({ defaulted: 3, unrated: 0 })
      const w3 = keep(await reports.breakdown(admin, 'window', ranked)).rows.find((x) => x.windowId === 'w3')!
      expect(w3.metrics).toMatchObject({ rated: 2, defaulted: 1, unrated: 1, good: 2 })
    } finally {
      await reports.setUnratedPolicy(admin, 'h1', { mode: 'keep' })
    }
  })

  it('draws the trend per day and per week', async () => {
    const days = keep(await reports.trend(admin, { ...month, interval: 'day' }))
    expect(days.points).toHaveLength(31)
    expect(days.points[1]).toMatchObject({
      label: '2026-03-02',
      metrics: { rated: 8, unrated: 2, voided: 1 },
    })
    expect(days.points[2].metrics.rated).toBe(1)
    expect(days.points[0].metrics.satisfaction).toBeNull()
    const weeks = keep(await reports.trend(admin, { ...month, interval: 'week' }))
    expect(weeks.points.map((p) => [p.label, p.from, p.to, p.metrics.rated, p.metrics.unrated])).toEqual([
      ['2026-W09', '2026-03-01', '2026-03-01', 0, 0],
      ['2026-W10', '2026-03-02', '2026-03-08', 9, 2],
      ['2026-W11', '2026-03-09', '2026-03-15', 0, 1],
      ['2026-W12', '2026-03-16', '2026-03-22', 0, 0],
      ['2026-W13', '2026-03-23', '2026-03-29', 0, 0],
      ['2026-W14', '2026-03-30', '2026-03-31', 0, 0],
    ])
  })

  it('maps hour of day × weekday in the hall’s zone', async () => {
    const r = keep(await reports.heatmap(admin, month))
    const cell = (weekday: number, hour: number) =>
      r.cells.find((c) => c.weekday === weekday && c.hour === hour)!.metrics
    expect(r.cells).toHaveLength(7 * 24)
    expect(cell(1, 9).rated).toBe(2) // r1, r6
    expect(cell(1, 10)).toMatchObject({ rated: 2, unrated: 1 }) // r2, r7; u2
    expect(cell(1, 11)).toMatchObject({ rated: 0, voided: 1 }) // r3
    expect(cell(1, 23)).toMatchObject({ rated: 2, levels: { '3': 1, '5': 1 } }) // r8, r10
    expect(cell(2, 0).rated).toBe(1) // r9
    expect(cell(2, 10).unrated).toBe(1) // u3 (03-10 is a Tuesday)
    expect(r.daysPerWeekday).toEqual([5, 5, 4, 4, 4, 4, 5])
  })

  it('counts a period across a public holiday by calendar days', async () => {
    const q = { hallId: 'h1', period: 'custom' as const, from: '2026-04-03', to: '2026-04-07' }
    const r = keep(await reports.summary(admin, q))
    expect(r.metrics).toMatchObject({ rated: 3, good: 2, bad: 1, average: 10 / 3 })
    expect(r.period).toMatchObject({ days: 5, previous: { from: '2026-03-29', to: '2026-04-02' } })
    const t = keep(await reports.trend(admin, { ...q, interval: 'day' }))
    expect(t.points.map((p) => p.metrics.rated)).toEqual([0, 1, 0, 1, 1])
  })

  it('reports an empty hall with zero counts and no rates', async () => {
    const r = keep(await reports.summary(admin, { hallId: 'h2', period: 'year', date: '2026-01-01' }))
    expect(r.metrics).toEqual({
      levels: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
      rated: 0,
      defaulted: 0,
      good: 0,
      bad: 0,
      satisfaction: null,
      badRate: null,
      average: null,
      unrated: 0,
      transactions: 0,
      participation: null,
      voided: 0,
    })
    expect(r.reasons).toEqual([])
    const w = keep(await reports.breakdown(admin, 'window', { ...ranked, hallId: 'h2' }))
    expect(w.rows).toMatchObject([{ windowId: 'x1', rank: null, metrics: { rated: 0 } }])
  })

  it('ranks halls against the average of all of them', async () => {
    const r = keep(
      await reports.halls(admin, { period: 'month', date: '2026-03-02', by: 'satisfaction', minRated: 1 }),
    )
    expect(r.rows.map((x) => [x.hallId, x.rank, x.previousRank, x.metrics.rated])).toEqual([
      ['h1', 1, 1, 9],
      ['h2', null, null, 0],
    ])
    expect(r.average.rated).toBe(9)
  })

  it('keeps the voiding a recorded decision: the rating is unchanged, a second decision is refused', async () => {
    const row = await db.prisma.rating.findUniqueOrThrow({
      where: { id: voidedId },
      include: { voidDecision: true },
    })
    expect(row).toMatchObject({ level: 1, class: 'bad' })
    expect(row.voidDecision).toMatchObject({
      decidedBy: '督查室',
      reason: '申诉属实：误按',
      caseId: 'case-1',
      hallId: 'h1',
    })
    await expect(
      applyVoid(db.prisma, [{ ratingId: voidedId, decidedAt: NOW, decidedBy: 'x', reason: 'again' }]),
    ).rejects.toMatchObject({ statusCode: 409 })
    await expect(
      applyVoid(db.prisma, [{ ratingId: 'no-such-rating', decidedAt: NOW, decidedBy: 'x', reason: 'x' }]),
    ).rejects.toMatchObject({ statusCode: 404 })
    const ratings = new RatingRepository(db.prisma)
    const only = await ratings.list(admin, { hallId: 'h1', voided: 'only', limit: 10 })
    expect(only.items.map((i) => [i.id, i.voided?.reason])).toEqual([[voidedId, '申诉属实：误按']])
    const bad = await ratings.list(admin, {
      hallId: 'h1',
      class: 'bad',
      voided: 'exclude',
      days: { from: '2026-03-01', to: '2026-03-31' },
      limit: 10,
    })
    expect(bad.items).toHaveLength(2) // r4, r7: the drill-down agrees with the report's 差评 count
  })

  it('rebuilds the same rollups from the raw rows', async () => {
    const dump = async () =>
      JSON.stringify([
        await db.prisma.rollupDay.findMany({
          where: { hallId: 'h1' },
          orderBy: [{ day: 'asc' }, { windowId: 'asc' }, { staffNo: 'asc' }],
        }),
        await db.prisma.rollupReason.count({ where: { hallId: 'h1' } }),
        await db.prisma.rollupHour.count({ where: { hallId: 'h1' } }),
        await db.prisma.rollupService.count({ where: { hallId: 'h1' } }),
      ])
    const before = await dump()
    await rebuildRollups(db.prisma, db.provider, 'h1')
    expect(await dump()).toBe(before)
  })
})

describe('both databases', () => {
  it('give identical reports', () => {
    expect(results.size).toBe(2)
    const [a, b] = [...results.values()]
    expect(b).toEqual(a)
  })
})
