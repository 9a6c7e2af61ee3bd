// The rollups behind every report: counts per local day × window × staff (× service item, × hour,
// × 差评 reason), kept in the same transaction as the insert of the ratings and unrated events
// they count, and adjusted by applyVoid when a rating is voided by a recorded decision.
//
// One pure function (RollupDeltas.add) says what a rating or an unrated transaction adds to each
// table; the ingest, applyVoid, rebuildRollups and the benchmark generator all go through it.
import { classOf, type Level } from '../../protocol/index.ts'
import type { Db } from '../db/client.ts'
import { Prisma } from '../db/generated/sqlite/client.ts'
import { conflict, notFound } from '../errors.ts'
import { localDayHour, type Day } from './local-time.ts'
import { newRowId } from '../db/ids.ts'
import { execute } from '../db/bulk.ts'

/** A transaction client (inside db.$transaction) or the client itself. */
export type Tx = Prisma.TransactionClient

// ---------------------------------------------------------------- facts

/** Where and when something was counted: the rollup key columns, null meaning "none". */
export interface FactPlace {
  hallId: string
  day: Day
  hour: number
  windowId: string | null
  staffNo: string | null
  serviceCode: string | null
  serviceName: string | null
}
export interface RatingFact extends FactPlace {
  level: number
  /** Reason codes; only counted on 差评. */
  reasons: readonly string[]
  voided: boolean
}
export type UnratedFact = FactPlace

/**
 * The corrected time of a pad event: the pad's clock corrected by its skew (pad − server, from its
 * last birth) when known, and never later than the server received it.
 */
export function occurredAt(padTime: Date, clockSkewMs: number | null | undefined, receivedAt: Date): Date {
  const corrected = padTime.getTime() - (clockSkewMs ?? 0)
  return new Date(Math.min(corrected, receivedAt.getTime()))
}

// ---------------------------------------------------------------- tables

const TALLY = ['level1', 'level2', 'level3', 'level4', 'level5', 'voided', 'unrated'] as const
export type TallyMeasure = (typeof TALLY)[number]

interface TableDef {
  name: 'RollupDay' | 'RollupService' | 'RollupHour' | 'RollupReason'
  keys: readonly string[]
  measures: readonly string[]
}
export const ROLLUP_TABLES = {
  day: { name: 'RollupDay', keys: ['hallId', 'day', 'windowId', 'staffNo'], measures: TALLY },
  service: {
    name: 'RollupService',
    keys: ['hallId', 'day', 'windowId', 'staffNo', 'serviceCode', 'serviceName'],
    measures: TALLY,
  },
  hour: { name: 'RollupHour', keys: ['hallId', 'day', 'hour', 'windowId', 'staffNo'], measures: TALLY },
  reason: {
    name: 'RollupReason',
    keys: ['hallId', 'day', 'windowId', 'staffNo', 'serviceCode', 'serviceName', 'reason'],
    measures: ['count', 'voided'],
  },
} as const satisfies Record<string, TableDef>
export type RollupTable = keyof typeof ROLLUP_TABLES

export interface RollupRow {
  keys: (string | number)[]
  measures: number[]
}

/** Accumulates what facts add to (or, with sign −1, take from) each rollup table. */
export class RollupDeltas {
  readonly tables = new Map<RollupTable, Map<string, RollupRow>>(
    (Object.keys(ROLLUP_TABLES) as RollupTable[]).map((t) => [t, new Map()]),
  )

  get size(): number {
    let n = 0
    for (const t of this.tables.values()) n += t.size
    return n
  }

  private bump(table: RollupTable, keys: (string | number)[], measure: number, by: number) {
    const rows = this.tables.get(table)!
    const k = keys.join('\u0000')
    let row = rows.get(k)
    if (!row) rows.set(k, (row = { keys, measures: new Array(ROLLUP_TABLES[table].measures.length).fill(0) }))
    row.measures[measure] += by
  }

  /** Adds one rating: its level (or voided, once voided) and its 差评 reasons. */
  addRating(f: RatingFact, sign: 1 | -1 = 1): void {
    const w = f.windowId ?? ''
    const s = f.staffNo ?? ''
    const code = f.serviceCode ?? ''
    const name = f.serviceName ?? ''
    const m = f.voided ? TALLY.indexOf('voided') : f.level - 1
    this.bump('day', [f.hallId, f.day, w, s], m, sign)
    this.bump('service', [f.hallId, f.day, w, s, code, name], m, sign)
    this.bump('hour', [f.hallId, f.day, f.hour, w, s], m, sign)
    if (classOf(f.level as Level) === 'bad')
      for (const reason of new Set(f.reasons))
        this.bump('reason', [f.hallId, f.day, w, s, code, name, reason], f.voided ? 1 : 0, sign)
  }

  /** Adds one transaction whose prompt ended with no press. */
  addUnrated(f: UnratedFact, sign: 1 | -1 = 1): void {
    const w = f.windowId ?? ''
    const s = f.staffNo ?? ''
    const m = TALLY.indexOf('unrated')
    this.bump('day', [f.hallId, f.day, w, s], m, sign)
    this.bump('service', [f.hallId, f.day, w, s, f.serviceCode ?? '', f.serviceName ?? ''], m, sign)
    this.bump('hour', [f.hallId, f.day, f.hour, w, s], m, sign)
  }

  /** Rows of a table in key order (a fixed lock order, so concurrent upserts cannot deadlock). */
  rows(table: RollupTable): RollupRow[] {
    return [...this.tables.get(table)!.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => r)
      .filter((r) => r.measures.some((v) => v !== 0))
  }
}

// ---------------------------------------------------------------- writing

/** SQLite allows 999 parameters per statement by default; stay well below. */
const MAX_PARAMS = 900
const q = (id: string) => `"${id}"`

/**
 * Adds the deltas to the rollup tables: one INSERT … ON CONFLICT DO UPDATE per chunk of rows, the
 * same SQL on SQLite and PostgreSQL (Prisma.sql makes the placeholders of each).
 */
export async function writeRollups(tx: Tx, deltas: RollupDeltas): Promise<void> {
  for (const table of Object.keys(ROLLUP_TABLES) as RollupTable[]) {
    const def = ROLLUP_TABLES[table]
    const rows = deltas.rows(table)
    if (!rows.length) continue
    const cols = [...def.keys, ...def.measures].map(q).join(', ')
    const update = def.measures.map((m) => `${q(m)} = ${q(def.name)}.${q(m)} + excluded.${q(m)}`).join(', ')
    const head = Prisma.raw(`INSERT INTO ${q(def.name)} (${cols}) VALUES `)
    const tail = Prisma.raw(` ON CONFLICT (${def.keys.map(q).join(', ')}) DO UPDATE SET ${update}`)
    const perStatement = Math.floor(MAX_PARAMS / (def.keys.length + def.measures.length))
    for (let i = 0; i < rows.length; i += perStatement) {
      const values = rows
        .slice(i, i + perStatement)
        .map((r) => Prisma.sql`(${Prisma.join([...r.keys, ...r.measures])})`)
      await execute(tx, Prisma.sql`${head}${Prisma.join(values)}${tail}`)
    }
  }
}

// ---------------------------------------------------------------- facts from stored rows

interface StoredRating {
  hallId: string
  day: string
  hour: number
  windowId: string | null
  staffNo: string | null
  serviceCode: string | null
  serviceName: string | null
  level: number
  reasons: string | null
}

export function ratingFact(r: StoredRating, voided: boolean): RatingFact {
  return {
    hallId: r.hallId,
    day: r.day,
    hour: r.hour,
    windowId: r.windowId,
    staffNo: r.staffNo,
    serviceCode: r.serviceCode,
    serviceName: r.serviceName,
    level: r.level,
    reasons: r.reasons ? (JSON.parse(r.reasons) as string[]) : [],
    voided,
  }
}

const FACT_SELECT = {
  id: true,
  hallId: true,
  day: true,
  hour: true,
  windowId: true,
  staffNo: true,
  serviceCode: true,
  serviceName: true,
  level: true,
  reasons: true,
} as const

// ---------------------------------------------------------------- voiding

export interface VoidDecision {
  /** Rating.id, the stored row (the `id` of GET /api/v1/ratings), not the pad's ratingId. */
  ratingId: string
  decidedAt: Date
  /** Who decided (a user or token name). */
  decidedBy: string
  reason: string
  /** The 差评 case whose appeal (申诉复核) led to the decision. */
  caseId?: string | null
}

export interface VoidedRating {
  ratingId: string
  hallId: string
  level: number
  day: Day
}

/**
 * Voids ratings by recorded decisions: writes one RatingVoid row per rating and moves each rating
 * from its level to `voided` in every rollup, all in the caller's transaction (pass the client
 * itself and this opens one). The rating row is never changed. Throws 404 for an unknown rating
 * and 409 for one already voided (the unique ratingId also stops a concurrent second decision).
 */
export async function applyVoid(db: Tx | Db, decisions: VoidDecision[]): Promise<VoidedRating[]> {
  if ('$transaction' in db) return db.$transaction((tx) => applyVoid(tx, decisions))
  const tx = db
  const ids = decisions.map((d) => d.ratingId)
  if (new Set(ids).size !== ids.length) throw conflict('the same rating appears twice in one decision')
  const rows = []
  for (let i = 0; i < ids.length; i += 500)
    rows.push(
      ...(await tx.rating.findMany({
        where: { id: { in: ids.slice(i, i + 500) } },
        select: { ...FACT_SELECT, voidDecision: { select: { id: true } } },
      })),
    )
  const byId = new Map(rows.map((r) => [r.id, r]))
  for (const id of ids) {
    const r = byId.get(id)
    if (!r) throw notFound(`rating ${id}`)
    if (r.voidDecision) throw conflict(`rating ${id} is already voided`)
  }
  await tx.ratingVoid.createMany({
    data: decisions.map((d) => ({
      id: newRowId(),
      ratingId: d.ratingId,
      hallId: byId.get(d.ratingId)!.hallId,
      decidedAt: d.decidedAt,
      decidedBy: d.decidedBy,
      reason: d.reason,
      caseId: d.caseId ?? null,
    })),
  })
  const deltas = new RollupDeltas()
  for (const id of ids) {
    const r = byId.get(id)!
    deltas.addRating(ratingFact(r, false), -1)
    deltas.addRating(ratingFact(r, true), 1)
  }
  await writeRollups(tx, deltas)
  return ids.map((id) => {
    const r = byId.get(id)!
    return { ratingId: id, hallId: r.hallId, level: r.level, day: r.day }
  })
}

// ---------------------------------------------------------------- rebuilding

const PAGE = 5000

/** What a hall's stored ratings, unrated events and voids add up to, read in pages. */
async function recompute(tx: Tx, hallId: string): Promise<RollupDeltas> {
  const deltas = new RollupDeltas()
  let cursor: string | undefined
  for (;;) {
    const page = await tx.rating.findMany({
      where: { hallId },
      select: { ...FACT_SELECT, voidDecision: { select: { id: true } } },
      orderBy: { id: 'asc' },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    })
    for (const r of page) deltas.addRating(ratingFact(r, r.voidDecision !== null))
    if (page.length < PAGE) break
    cursor = page[page.length - 1].id
  }
  cursor = undefined
  for (;;) {
    const page: (UnratedFact & { id: string })[] = await tx.padEventRecord.findMany({
      where: { hallId, type: 'unrated' },
      select: {
        id: true,
        hallId: true,
        day: true,
        hour: true,
        windowId: true,
        staffNo: true,
        serviceCode: true,
        serviceName: true,
      },
      orderBy: { id: 'asc' },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    })
    for (const e of page) deltas.addUnrated(e)
    if (page.length < PAGE) break
    cursor = page[page.length - 1].id
  }
  return deltas
}

/** Long enough for a hall with millions of ratings. */
const REBUILD_TX = { timeout: 30 * 60_000, maxWait: 60_000 }

/**
 * Recomputes a hall's rollups from its raw ratings, unrated events and voids. Rollups are kept
 * incrementally, so this is for repair only (for example after a hall's time zone was changed
 * while ratings already carried days in the old zone: they keep their stored day).
 */
export async function rebuildRollups(db: Db, provider: 'sqlite' | 'postgres', hallId: string) {
  return db.$transaction(async (tx) => {
    await lockForRebuild(tx, provider)
    return rebuildInTx(tx, hallId)
  }, REBUILD_TX)
}

/** PostgreSQL: hold off concurrent inserts until the rebuild commits (SQLite has one writer). */
async function lockForRebuild(tx: Tx, provider: 'sqlite' | 'postgres') {
  if (provider === 'postgres')
    await tx.$executeRawUnsafe('LOCK TABLE "Rating", "PadEventRecord", "RatingVoid" IN SHARE MODE')
}

async function rebuildInTx(tx: Tx, hallId: string) {
  for (const def of Object.values(ROLLUP_TABLES))
    await tx.$executeRaw(Prisma.sql`DELETE FROM ${Prisma.raw(q(def.name))} WHERE "hallId" = ${hallId}`)
  const deltas = await recompute(tx, hallId)
  await writeRollups(tx, deltas)
  return { hallId, rows: deltas.size }
}

// ---------------------------------------------------------------- rows stored before the rollups

/**
 * Ratings and events stored before the reports migration have no local day yet (day ''). The
 * migration leaves a marker in _rp_backfill when there were any; at start this fills their local
 * day and hour (in the hall's zone; their occurredAt is their pad time, capped at receipt) and the
 * service of unrated events, rebuilds the affected halls' rollups and removes the marker, in one
 * transaction. The ratings' content is not touched: only the derived columns are completed.
 */
export async function completeLegacyRows(db: Db, provider: 'sqlite' | 'postgres'): Promise<string[]> {
  const marker = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT "name" FROM "_rp_backfill" WHERE "name" = 'reports'`,
  )
  if (!marker.length) return []
  return db.$transaction(async (tx) => {
    await lockForRebuild(tx, provider)
    const zones = new Map(
      (await tx.hall.findMany({ select: { id: true, timeZone: true } })).map((h) => [h.id, h.timeZone]),
    )
    const halls = new Set<string>()
    for (;;) {
      const rows = await tx.rating.findMany({
        where: { day: '' },
        select: { id: true, hallId: true, occurredAt: true },
        take: PAGE,
      })
      for (const r of rows) {
        const { day, hour } = localDayHour(r.occurredAt, zones.get(r.hallId) ?? 'Asia/Shanghai')
        await tx.rating.update({ where: { id: r.id }, data: { day, hour } })
        halls.add(r.hallId)
      }
      if (rows.length < PAGE) break
    }
    for (;;) {
      const rows = await tx.padEventRecord.findMany({
        where: { day: '' },
        select: { id: true, hallId: true, occurredAt: true, type: true, payload: true },
        take: PAGE,
      })
      for (const e of rows) {
        const { day, hour } = localDayHour(e.occurredAt, zones.get(e.hallId) ?? 'Asia/Shanghai')
        const t = e.type === 'unrated' ? (JSON.parse(e.payload).transaction ?? {}) : {}
        await tx.padEventRecord.update({
          where: { id: e.id },
          data: { day, hour, serviceCode: t.serviceCode ?? null, serviceName: t.serviceName ?? null },
        })
        halls.add(e.hallId)
      }
      if (rows.length < PAGE) break
    }
    for (const hallId of halls) await rebuildInTx(tx, hallId)
    await tx.$executeRawUnsafe(`DELETE FROM "_rp_backfill" WHERE "name" = 'reports'`)
    return [...halls]
  }, REBUILD_TX)
}
