// Property: after any ingest (ratings and events over random days, pads with skewed clocks, time
// zones with DST and odd offsets, resends within and across batches) and any voiding, the rollups
// equal a recomputation from the raw rows, and each row's local day and corrected time are right.
// The recomputation below is written apart from server/reports on purpose.
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { levelForKey, type Scale } from '../../protocol/index.ts'
import type { Database } from '../../server/db/client.ts'
import {
  PrismaIngestStore,
  type IncomingEvent,
  type IncomingRating,
} from '../../server/repositories/ratings.ts'
import { applyVoid } from '../../server/reports/rollups.ts'
import { sampleEvent, sampleRating } from '../fixtures/messages.ts'
import { INGEST_PATHS, type TestDatabase } from '../helpers/databases.ts'

const ZONES = [
  'Asia/Shanghai',
  'America/New_York',
  'Europe/London',
  'Asia/Kathmandu',
  'UTC',
  'Australia/Lord_Howe',
]
/** Six days around New York's and Lord Howe's clock changes in 2026. */
const BASE = Date.parse('2026-03-06T00:00:00Z')
const REASONS = ['attitude', 'efficiency', 'skill', 'other']
const SERVICES = [
  null,
  { code: 'A01', name: '户籍迁移' },
  { code: 'B02', name: '社保登记' },
  { code: null, name: '咨询' },
]

const message = fc.record({
  kind: fc.constantFrom('rating', 'rating', 'rating', 'unrated', 'other'),
  pad: fc.nat(2),
  minute: fc.integer({ min: 0, max: 6 * 1440 }),
  second: fc.nat(59),
  scale: fc.constantFrom<Scale>(2, 3, 4, 5),
  key: fc.integer({ min: 1, max: 5 }),
  reasons: fc.subarray(REASONS),
  staff: fc.constantFrom(null, 'S1', 'S2'),
  service: fc.nat(SERVICES.length - 1),
  /** Receipt after the press; negative when the pad's clock runs ahead. */
  delayMs: fc.integer({ min: -10 * 60_000, max: 3 * 3600_000 }),
  resend: fc.boolean(),
})
const scenario = fc.record({
  zone: fc.constantFrom(...ZONES),
  pads: fc.array(
    fc.record({
      skewMs: fc.option(fc.integer({ min: -3 * 3600_000, max: 3 * 3600_000 }), { nil: null }),
      window: fc.constantFrom(null, 0, 1),
    }),
    { minLength: 3, maxLength: 3 },
  ),
  messages: fc.array(message, { maxLength: 40 }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
  voids: fc.array(fc.nat(100), { maxLength: 5 }),
})

/** Local day and hour by Intl alone. */
function local(ms: number, timeZone: string) {
  const s = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).format(ms)
  const [day, hour] = s.split(' ')
  return { day, hour: Number(hour) }
}

type Rows = Map<string, Record<string, number>>
function bump(rows: Rows, key: (string | number)[], measure: string, by = 1) {
  const k = JSON.stringify(key)
  const row = rows.get(k) ?? {}
  row[measure] = (row[measure] ?? 0) + by
  rows.set(k, row)
}

describe.each(INGEST_PATHS)('rollups on %s', (_name, make, { direct }) => {
  let tdb: TestDatabase
  let db: Database
  let store: PrismaIngestStore
  let run = 0

  beforeAll(async () => {
    tdb = await make()
    db = await tdb.open()
    store = new PrismaIngestStore(db.prisma, direct ? () => db.sqlite : undefined)
  })
  afterAll(async () => {
    await db?.close()
    await tdb?.drop()
  })

  it('equal a recomputation from the raw rows after a random ingest and voids', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const p = db.prisma
        const hallId = `h${++run}`
        await p.hall.create({ data: { id: hallId, name: hallId, timeZone: sc.zone, reasons: '[]' } })
        for (const w of [0, 1])
          await p.window.create({ data: { id: `${hallId}-w${w}`, hallId, name: `${w}` } })
        const pads = sc.pads.map((pad, i) => ({ ...pad, id: `${hallId}-p${i}` }))
        for (const pad of pads)
          await p.device.create({
            data: {
              id: pad.id,
              hallId,
              windowId: pad.window === null ? null : `${hallId}-w${pad.window}`,
              secretHash: 'x',
              clockSkewMs: pad.skewMs,
            },
          })

        // The messages, each resend a second copy later in the stream.
        const stream: ({ kind: 'rating'; m: IncomingRating } | { kind: 'event'; m: IncomingEvent })[] = []
        const expectedAt = new Map<string, number>()
        for (const g of sc.messages) {
          const pad = pads[g.pad]
          const pressed = BASE + g.minute * 60_000 + g.second * 1000
          const receivedAt = new Date(pressed - (pad.skewMs ?? 0) + g.delayMs)
          const service = SERVICES[g.service]
          const transaction = {
            id: `T-${randomUUID()}`,
            ...(g.staff ? { staffNo: g.staff } : {}),
            ...(service?.code ? { serviceCode: service.code } : {}),
            ...(service ? { serviceName: service.name } : {}),
          }
          const id = `m-${randomUUID()}`
          expectedAt.set(`${pad.id}/${id}`, Math.min(pressed - (pad.skewMs ?? 0), receivedAt.getTime()))
          const iso = new Date(pressed).toISOString()
          if (g.kind === 'rating') {
            const key = ((g.key - 1) % g.scale) + 1
            const level = levelForKey(g.scale, key)!
            const m: IncomingRating = {
              deviceId: pad.id,
              rating: sampleRating({
                id,
                scale: g.scale,
                key,
                level,
                // Reasons on a 好评 can come from a third-party pad: only 差评 reasons count.
                reasons: g.reasons.length ? g.reasons : undefined,
                transaction,
                staffNo: g.staff,
                promptedAt: iso,
                pressedAt: iso,
              }),
              receivedAt,
            }
            stream.push({ kind: 'rating', m })
            if (g.resend)
              stream.push({ kind: 'rating', m: { ...m, rating: { ...m.rating, replayed: true } } })
          } else {
            const event =
              g.kind === 'unrated'
                ? sampleEvent('unrated', { id, at: iso, promptedAt: iso, transaction })
                : sampleEvent('pressNoPrompt', { id, at: iso })
            const m: IncomingEvent = { deviceId: pad.id, event, receivedAt }
            stream.push({ kind: 'event', m })
            if (g.resend) stream.push({ kind: 'event', m })
          }
        }
        let i = 0
        for (let b = 0; i < stream.length; b++) {
          const part = stream.slice(i, i + sc.batchSizes[b % sc.batchSizes.length])
          i += part.length
          await store.commitBatch(
            part.flatMap((x) => (x.kind === 'rating' ? [x.m] : [])),
            part.flatMap((x) => (x.kind === 'event' ? [x.m] : [])),
            [],
          )
        }

        // Void a few stored ratings, by recorded decisions, in one transaction.
        const stored = await p.rating.findMany({
          where: { hallId },
          orderBy: { id: 'asc' },
          select: { id: true },
        })
        const toVoid = [
          ...new Set(sc.voids.filter(() => stored.length).map((n) => stored[n % stored.length].id)),
        ]
        if (toVoid.length)
          await p.$transaction((tx) =>
            applyVoid(
              tx,
              toVoid.map((ratingId) => ({
                ratingId,
                decidedAt: new Date(),
                decidedBy: 'review',
                reason: 'upheld',
              })),
            ),
          )

        // The raw rows, and what they add up to.
        const ratings = await p.rating.findMany({ where: { hallId }, include: { voidDecision: true } })
        const events = await p.padEventRecord.findMany({ where: { hallId } })
        expect(ratings.length).toBe(sc.messages.filter((g) => g.kind === 'rating').length) // resends stored once
        expect(ratings.filter((r) => r.voidDecision).length).toBe(toVoid.length)
        const want = { day: new Map(), service: new Map(), hour: new Map(), reason: new Map() } as Record<
          string,
          Rows
        >
        for (const r of [...ratings, ...events]) {
          expect(r.occurredAt.getTime()).toBe(
            expectedAt.get(`${r.deviceId}/${'ratingId' in r ? r.ratingId : r.eventId}`),
          )
          expect({ day: r.day, hour: r.hour }).toEqual(local(r.occurredAt.getTime(), sc.zone))
        }
        for (const r of ratings) {
          const [w, s, c, n] = [r.windowId ?? '', r.staffNo ?? '', r.serviceCode ?? '', r.serviceName ?? '']
          const measure = r.voidDecision ? 'voided' : `level${r.level}`
          bump(want.day, [r.day, w, s], measure)
          bump(want.service, [r.day, w, s, c, n], measure)
          bump(want.hour, [r.day, r.hour, w, s], measure)
          if (r.level <= 2)
            for (const reason of new Set<string>(JSON.parse(r.reasons ?? '[]')))
              bump(want.reason, [r.day, w, s, c, n, reason], r.voidDecision ? 'voided' : 'count')
        }
        for (const e of events.filter((x) => x.type === 'unrated')) {
          const [w, s, c, n] = [e.windowId ?? '', e.staffNo ?? '', e.serviceCode ?? '', e.serviceName ?? '']
          bump(want.day, [e.day, w, s], 'unrated')
          bump(want.service, [e.day, w, s, c, n], 'unrated')
          bump(want.hour, [e.day, e.hour, w, s], 'unrated')
        }

        const MEASURES = ['level1', 'level2', 'level3', 'level4', 'level5', 'voided', 'unrated']
        const got = async (rows: Record<string, unknown>[], keys: string[], measures: string[]) =>
          new Map(
            rows.map((r) => [
              JSON.stringify(keys.map((k) => r[k])),
              Object.fromEntries(measures.filter((m) => r[m] !== 0).map((m) => [m, r[m] as number])),
            ]),
          )
        const where = { where: { hallId } }
        expect(
          await got(await p.rollupDay.findMany(where), ['day', 'windowId', 'staffNo'], MEASURES),
        ).toEqual(want.day)
        expect(
          await got(
            await p.rollupService.findMany(where),
            ['day', 'windowId', 'staffNo', 'serviceCode', 'serviceName'],
            MEASURES,
          ),
        ).toEqual(want.service)
        expect(
          await got(await p.rollupHour.findMany(where), ['day', 'hour', 'windowId', 'staffNo'], MEASURES),
        ).toEqual(want.hour)
        expect(
          await got(
            await p.rollupReason.findMany(where),
            ['day', 'windowId', 'staffNo', 'serviceCode', 'serviceName', 'reason'],
            ['count', 'voided'],
          ),
        ).toEqual(want.reason)
      }),
      { numRuns: 20, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    )
  })
})
