// Reports for managers, read from the rollups only (never from raw ratings): summary, breakdowns
// and rankings by window, staff, service item and hall, trends and the hour × weekday heat map.
// Shared by the report routes and the exports.
import { DEFAULT_REASONS, type Level } from '../../protocol/index.ts'
import { assertHall, type Principal } from '../auth/principal.ts'
import type { Db } from '../db/client.ts'
import { Prisma } from '../db/generated/sqlite/client.ts'
import { badRequest, notFound } from '../errors.ts'
import { eachDay, isoWeek, monthStart, today, weekday, weekStart, type Day } from './local-time.ts'
import {
  addRaw,
  addTally,
  applyPolicyAt,
  countWithPolicy,
  emptyRaw,
  emptyTally,
  KEEP_UNRATED,
  metricsOf,
  ranks,
  versus,
  type AppliedPolicy,
  type Metrics,
  type RankBy,
  type RawTally,
  type Tally,
  type UnratedPolicy,
} from './metrics.ts'
import { resolvePeriod, type Period, type PeriodInput } from './periods.ts'

export interface ReportFilters {
  windowId?: string
  staffNo?: string
  serviceCode?: string
}
export interface ReportQuery extends PeriodInput, ReportFilters {
  hallId: string
  /** Day the unrated policy is applied for; default today in the hall's zone. */
  asOf?: Day
}
export interface RankingQuery extends ReportQuery {
  by: RankBy
  minRated: number
}
export interface HallsQuery extends PeriodInput {
  hallIds?: string[]
  asOf?: Day
  by: RankBy
  minRated: number
}
export type Dimension = 'window' | 'staff' | 'service'
export type TrendInterval = 'day' | 'week' | 'month'

interface HallInfo {
  id: string
  name: string
  timeZone: string
  reasons: { code: string; label: string }[]
}

type Table = 'RollupDay' | 'RollupService' | 'RollupHour'

interface Scope extends ReportFilters {
  hallIds: string[]
  from: Day
  to: Day
  /** Per hall, the last day whose unrated transactions count by default (absent: kept). */
  dueThrough: Map<string, Day>
}

const q = (id: string) => Prisma.raw(`"${id}"`)
const num = (v: unknown) => Number(v ?? 0)

export class ReportService {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // ---------------------------------------------------------------- halls and policies

  private async hall(p: Principal, hallId: string): Promise<HallInfo> {
    assertHall(p, hallId)
    const h = await this.db.hall.findUnique({
      where: { id: hallId },
      select: { id: true, name: true, timeZone: true, reasons: true },
    })
    if (!h) throw notFound(`hall ${hallId}`)
    return { ...h, reasons: JSON.parse(h.reasons) }
  }

  async unratedPolicy(hallId: string): Promise<UnratedPolicy> {
    const row = await this.db.unratedPolicy.findUnique({ where: { hallId } })
    if (!row || row.mode !== 'default') return KEEP_UNRATED
    return { mode: 'default', level: row.level as Level, afterDays: row.afterDays! }
  }

  async getUnratedPolicy(p: Principal, hallId: string) {
    await this.hall(p, hallId)
    const row = await this.db.unratedPolicy.findUnique({ where: { hallId } })
    return {
      hallId,
      ...(await this.unratedPolicy(hallId)),
      updatedAt: row?.updatedAt.toISOString() ?? null,
      updatedBy: row?.updatedBy ?? null,
    }
  }

  async setUnratedPolicy(p: Principal, hallId: string, policy: UnratedPolicy) {
    await this.hall(p, hallId)
    const data =
      policy.mode === 'keep'
        ? { mode: 'keep', level: null, afterDays: null, updatedBy: p.name }
        : { mode: 'default', level: policy.level, afterDays: policy.afterDays, updatedBy: p.name }
    await this.db.unratedPolicy.upsert({ where: { hallId }, create: { hallId, ...data }, update: data })
    return this.getUnratedPolicy(p, hallId)
  }

  private async context(p: Principal, query: ReportQuery) {
    const hall = await this.hall(p, query.hallId)
    const todayLocal = today(hall.timeZone, this.now())
    const period = resolvePeriod(query, todayLocal)
    const policy = applyPolicyAt(await this.unratedPolicy(hall.id), query.asOf ?? todayLocal)
    return { hall, period, policy }
  }

  private scope(
    hallIds: string[],
    range: { from: Day; to: Day },
    f: ReportFilters,
    policies: Map<string, AppliedPolicy>,
  ): Scope {
    const dueThrough = new Map<string, Day>()
    for (const [hallId, pol] of policies) if (pol.countedThrough) dueThrough.set(hallId, pol.countedThrough)
    return { hallIds, from: range.from, to: range.to, ...f, dueThrough }
  }

  // ---------------------------------------------------------------- reading the rollups

  /** Sums of a rollup table per group over the scope. */
  private async sums(
    table: Table,
    scope: Scope,
    groupBy: string[],
  ): Promise<{ group: Record<string, string | number>; raw: RawTally }[]> {
    if (!scope.hallIds.length) return []
    const where = [
      Prisma.sql`"hallId" IN (${Prisma.join(scope.hallIds)})`,
      Prisma.sql`"day" >= ${scope.from}`,
      Prisma.sql`"day" <= ${scope.to}`,
    ]
    if (scope.windowId !== undefined) where.push(Prisma.sql`"windowId" = ${scope.windowId}`)
    if (scope.staffNo !== undefined) where.push(Prisma.sql`"staffNo" = ${scope.staffNo}`)
    if (scope.serviceCode !== undefined) where.push(Prisma.sql`"serviceCode" = ${scope.serviceCode}`)
    const dueParts = [...scope.dueThrough].map(([h, d]) => Prisma.sql`("hallId" = ${h} AND "day" <= ${d})`)
    const due = dueParts.length
      ? Prisma.sql`SUM(CASE WHEN ${Prisma.join(dueParts, ' OR ')} THEN "unrated" ELSE 0 END)`
      : Prisma.sql`0`
    const groups = groupBy.map((g) => q(g))
    const select = [
      ...groups,
      ...[1, 2, 3, 4, 5].map((l) => Prisma.sql`SUM(${q(`level${l}`)}) AS ${q(`level${l}`)}`),
      Prisma.sql`SUM("voided") AS "voided"`,
      Prisma.sql`SUM("unrated") AS "unrated"`,
      Prisma.sql`${due} AS "due"`,
    ]
    const rows = await this.db.$queryRaw<Record<string, unknown>[]>(
      Prisma.sql`SELECT ${Prisma.join(select)} FROM ${q(table)} WHERE ${Prisma.join(where, ' AND ')}${
        groups.length ? Prisma.sql` GROUP BY ${Prisma.join(groups)}` : Prisma.empty
      }`,
    )
    return rows.map((r) => ({
      group: Object.fromEntries(
        groupBy.map((g) => [g, typeof r[g] === 'bigint' ? Number(r[g]) : (r[g] as string)]),
      ),
      raw: {
        levels: [1, 2, 3, 4, 5].map((l) => num(r[`level${l}`])),
        voided: num(r.voided),
        unrated: num(r.unrated),
        due: num(r.due),
      },
    }))
  }

  private async total(table: Table, scope: Scope, policy: UnratedPolicy): Promise<Tally> {
    const rows = await this.sums(table, scope, [])
    return countWithPolicy(
      rows.reduce((a, r) => addRaw(a, r.raw), emptyRaw()),
      policy,
    )
  }

  private async reasons(scope: Scope, hall: HallInfo, badRated: number) {
    const where = [
      Prisma.sql`"hallId" IN (${Prisma.join(scope.hallIds)})`,
      Prisma.sql`"day" >= ${scope.from}`,
      Prisma.sql`"day" <= ${scope.to}`,
    ]
    if (scope.windowId !== undefined) where.push(Prisma.sql`"windowId" = ${scope.windowId}`)
    if (scope.staffNo !== undefined) where.push(Prisma.sql`"staffNo" = ${scope.staffNo}`)
    if (scope.serviceCode !== undefined) where.push(Prisma.sql`"serviceCode" = ${scope.serviceCode}`)
    const rows = await this.db.$queryRaw<{ reason: string; count: unknown; voided: unknown }[]>(
      Prisma.sql`SELECT "reason", SUM("count") AS "count", SUM("voided") AS "voided" FROM "RollupReason" WHERE ${Prisma.join(where, ' AND ')} GROUP BY "reason"`,
    )
    const labels = new Map<string, string>([
      ...DEFAULT_REASONS.map((r) => [r.code, r.label] as [string, string]),
      ...hall.reasons.map((r) => [r.code, r.label] as [string, string]),
    ])
    return rows
      .map((r) => ({
        code: r.reason,
        label: labels.get(r.reason) ?? r.reason,
        count: num(r.count),
        /** Share of the 差评 (citizen ratings) that gave this reason. */
        share: badRated > 0 ? num(r.count) / badRated : null,
        voided: num(r.voided),
      }))
      .filter((r) => r.count > 0 || r.voided > 0)
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
  }

  // ---------------------------------------------------------------- reports

  /** Metrics and 差评 reasons for a hall, optionally one window, staff member or service item. */
  async summary(p: Principal, query: ReportQuery) {
    const { hall, period, policy } = await this.context(p, query)
    const filters = pickFilters(query)
    const scope = this.scope([hall.id], period, filters, new Map([[hall.id, policy]]))
    const tally = await this.total(
      filters.serviceCode !== undefined ? 'RollupService' : 'RollupDay',
      scope,
      policy,
    )
    const metrics = metricsOf(tally)
    const badRated = tally.rated[0] + tally.rated[1]
    return {
      hall: { id: hall.id, name: hall.name, timeZone: hall.timeZone },
      period: periodView(period),
      filters,
      unratedPolicy: policy,
      metrics,
      reasons: await this.reasons(scope, hall, badRated),
    }
  }

  /** One row per window, staff member or service item, ranked, against the hall average. */
  async breakdown(p: Principal, dim: Dimension, query: RankingQuery) {
    const { hall, period, policy } = await this.context(p, query)
    const filters = pickFilters(query)
    const table: Table =
      dim === 'service' || filters.serviceCode !== undefined ? 'RollupService' : 'RollupDay'
    const groupBy =
      dim === 'window'
        ? ['windowId']
        : dim === 'staff'
          ? ['staffNo', 'windowId']
          : ['serviceCode', 'serviceName']
    const policies = new Map([[hall.id, policy]])
    const [now, before] = await Promise.all([
      this.sums(table, this.scope([hall.id], period, filters, policies), groupBy),
      this.sums(table, this.scope([hall.id], period.previous, filters, policies), groupBy),
    ])
    const fold = (rows: typeof now) => {
      const m = new Map<string, { raw: RawTally; windows: Set<string>; names: Map<string, number> }>()
      for (const r of rows) {
        const key = keyOf(dim, r.group)
        let e = m.get(key)
        if (!e) m.set(key, (e = { raw: emptyRaw(), windows: new Set(), names: new Map() }))
        e.raw = addRaw(e.raw, r.raw)
        if (dim === 'staff' && r.group.windowId !== '') e.windows.add(String(r.group.windowId))
        if (dim === 'service' && r.group.serviceName !== '')
          e.names.set(
            String(r.group.serviceName),
            (e.names.get(String(r.group.serviceName)) ?? 0) + sumRaw(r.raw),
          )
      }
      return m
    }
    const current = fold(now)
    const previous = fold(before)
    // Registered windows and staff appear even with nothing rated, so a silent window shows.
    const names = new Map<string, string>()
    if (dim === 'window') {
      for (const w of await this.db.window.findMany({
        where: { hallId: hall.id },
        select: { id: true, name: true },
      })) {
        names.set(w.id, w.name)
        if (!current.has(w.id) && filters.windowId === undefined)
          current.set(w.id, { raw: emptyRaw(), windows: new Set(), names: new Map() })
      }
    } else if (dim === 'staff') {
      const registered = await this.db.staff.findMany({
        where: {
          OR: [{ hallId: hall.id, active: true }, { staffNo: { in: [...current.keys()].filter(Boolean) } }],
        },
        select: { staffNo: true, name: true, hallId: true },
      })
      for (const s of registered) {
        names.set(s.staffNo, s.name)
        if (!current.has(s.staffNo) && s.hallId === hall.id && filters.staffNo === undefined)
          current.set(s.staffNo, { raw: emptyRaw(), windows: new Set(), names: new Map() })
      }
    }
    const keys = [...current.keys()].sort() // the same order on every database
    const metrics = keys.map((k) => metricsOf(countWithPolicy(current.get(k)!.raw, policy)))
    // Unbound windows, unknown staff and transactions with no service item are shown, not ranked.
    const rankable = (k: string) => k !== ''
    const rankNow = ranks(
      metrics.map((m, i) => (rankable(keys[i]) ? m : unrankable)),
      query.by,
      query.minRated,
    )
    const prevKeys = [...previous.keys()].filter(rankable)
    const prevRanks = ranks(
      prevKeys.map((k) => metricsOf(countWithPolicy(previous.get(k)!.raw, policy))),
      query.by,
      query.minRated,
    )
    const prevRank = new Map(prevKeys.map((k, i) => [k, prevRanks[i]]))
    const hallTally = [...current.values()].reduce(
      (a, e) => addTally(a, countWithPolicy(e.raw, policy)),
      emptyTally(),
    )
    const hallMetrics = metricsOf(hallTally)
    const rows = keys.map((k, i) => {
      const e = current.get(k)!
      const rank = rankNow[i]
      const previousRank = prevRank.get(k) ?? null
      return {
        ...rowIdentity(dim, k, names, e),
        metrics: metrics[i],
        rank,
        previousRank,
        /** Places gained since the previous period (positive = up). */
        rankChange: rank !== null && previousRank !== null ? previousRank - rank : null,
        vsHall: versus(metrics[i], hallMetrics),
      }
    })
    rows.sort(byRank)
    return {
      hall: { id: hall.id, name: hall.name, timeZone: hall.timeZone },
      period: periodView(period),
      filters,
      unratedPolicy: policy,
      rankedBy: query.by,
      minRated: query.minRated,
      /** The hall over the same period and filters: what each row is compared with. */
      hallAverage: hallMetrics,
      rows,
    }
  }

  /** One row per hall the caller can see (or the halls asked for), ranked, against all of them. */
  async halls(p: Principal, query: HallsQuery) {
    const wanted = query.hallIds ?? (p.halls === 'all' ? undefined : p.halls)
    for (const id of query.hallIds ?? []) assertHall(p, id)
    const halls = await this.db.hall.findMany({
      where: wanted ? { id: { in: wanted } } : {},
      select: { id: true, name: true, timeZone: true },
      orderBy: { id: 'asc' },
    })
    if (query.hallIds)
      for (const id of query.hallIds) if (!halls.some((h) => h.id === id)) throw notFound(`hall ${id}`)
    if (!halls.length) throw badRequest('no halls to report on', 'hallIds')
    // One calendar period for all: the first hall's zone says what "today" is (halls share a zone in practice).
    const todayLocal = today(halls[0].timeZone, this.now())
    const period = resolvePeriod(query, todayLocal)
    const policies = new Map<string, AppliedPolicy>()
    for (const h of halls)
      policies.set(
        h.id,
        applyPolicyAt(await this.unratedPolicy(h.id), query.asOf ?? today(h.timeZone, this.now())),
      )
    const ids = halls.map((h) => h.id)
    const [now, before] = await Promise.all([
      this.sums('RollupDay', this.scope(ids, period, {}, policies), ['hallId']),
      this.sums('RollupDay', this.scope(ids, period.previous, {}, policies), ['hallId']),
    ])
    const tallyOf = (rows: typeof now, id: string) =>
      countWithPolicy(rows.find((r) => r.group.hallId === id)?.raw ?? emptyRaw(), policies.get(id)!)
    const tallies = ids.map((id) => tallyOf(now, id))
    const metrics = tallies.map(metricsOf)
    const rankNow = ranks(metrics, query.by, query.minRated)
    const rankBefore = ranks(
      ids.map((id) => metricsOf(tallyOf(before, id))),
      query.by,
      query.minRated,
    )
    const overall = metricsOf(tallies.reduce(addTally, emptyTally()))
    const rows = halls.map((h, i) => ({
      hallId: h.id,
      name: h.name,
      metrics: metrics[i],
      unratedPolicy: policies.get(h.id)!,
      rank: rankNow[i],
      previousRank: rankBefore[i],
      rankChange: rankNow[i] !== null && rankBefore[i] !== null ? rankBefore[i]! - rankNow[i]! : null,
      vsAverage: versus(metrics[i], overall),
    }))
    rows.sort(byRank)
    return {
      period: periodView(period),
      rankedBy: query.by,
      minRated: query.minRated,
      average: overall,
      rows,
    }
  }

  /** Metrics per day, week or month across the period (empty buckets included). */
  async trend(p: Principal, query: ReportQuery & { interval: TrendInterval }) {
    const { hall, period, policy } = await this.context(p, query)
    const filters = pickFilters(query)
    const table: Table = filters.serviceCode !== undefined ? 'RollupService' : 'RollupDay'
    const rows = await this.sums(
      table,
      this.scope([hall.id], period, filters, new Map([[hall.id, policy]])),
      ['day'],
    )
    const byDay = new Map(rows.map((r) => [String(r.group.day), r.raw]))
    const buckets: { key: string; label: string; from: Day; to: Day; raw: RawTally }[] = []
    for (const day of eachDay(period.from, period.to)) {
      const key =
        query.interval === 'day' ? day : query.interval === 'week' ? weekStart(day) : monthStart(day)
      let b = buckets[buckets.length - 1]
      if (!b || b.key !== key) {
        const label =
          query.interval === 'day' ? day : query.interval === 'week' ? isoWeek(day) : day.slice(0, 7)
        buckets.push((b = { key, label, from: day, to: day, raw: emptyRaw() }))
      }
      b.to = day
      const raw = byDay.get(day)
      if (raw) b.raw = addRaw(b.raw, raw)
    }
    return {
      hall: { id: hall.id, name: hall.name, timeZone: hall.timeZone },
      period: periodView(period),
      filters,
      unratedPolicy: policy,
      interval: query.interval,
      points: buckets.map((b) => ({
        label: b.label,
        from: b.from,
        to: b.to,
        metrics: metricsOf(countWithPolicy(b.raw, policy)),
      })),
    }
  }

  /** Hour of day × weekday (1 = Monday) in the hall's zone: where the volume and the 差评 fall. */
  async heatmap(p: Principal, query: ReportQuery) {
    const { hall, period, policy } = await this.context(p, query)
    const filters = pickFilters(query)
    const rows = await this.sums(
      'RollupHour',
      this.scope([hall.id], period, filters, new Map([[hall.id, policy]])),
      ['day', 'hour'],
    )
    const cells = new Map<string, RawTally>()
    for (const r of rows) {
      const k = `${weekday(String(r.group.day))}:${Number(r.group.hour)}`
      cells.set(k, addRaw(cells.get(k) ?? emptyRaw(), r.raw))
    }
    const daysPerWeekday = [0, 0, 0, 0, 0, 0, 0]
    for (const day of eachDay(period.from, period.to)) daysPerWeekday[weekday(day) - 1]++
    const out = []
    for (let wd = 1; wd <= 7; wd++)
      for (let hour = 0; hour < 24; hour++)
        out.push({
          weekday: wd,
          hour,
          metrics: metricsOf(countWithPolicy(cells.get(`${wd}:${hour}`) ?? emptyRaw(), policy)),
        })
    return {
      hall: { id: hall.id, name: hall.name, timeZone: hall.timeZone },
      period: periodView(period),
      filters,
      unratedPolicy: policy,
      /** How many of each weekday (Monday first) the period has, to turn totals into averages. */
      daysPerWeekday,
      cells: out,
    }
  }

  /** The hall's zone and the local-day range of a period, for drill-down into raw ratings. */
  async periodFor(p: Principal, hallId: string, input: PeriodInput) {
    const hall = await this.hall(p, hallId)
    return { hall, period: resolvePeriod(input, today(hall.timeZone, this.now())) }
  }
}

// ---------------------------------------------------------------- helpers

const unrankable = metricsOf(emptyTally())

function pickFilters(q: ReportFilters): ReportFilters {
  const f: ReportFilters = {}
  if (q.windowId !== undefined) f.windowId = q.windowId
  if (q.staffNo !== undefined) f.staffNo = q.staffNo
  if (q.serviceCode !== undefined) f.serviceCode = q.serviceCode
  return f
}

function sumRaw(r: RawTally) {
  return r.levels.reduce((a, b) => a + b, 0) + r.unrated
}

/** A service item is its code; with no code, its name. */
function keyOf(dim: Dimension, g: Record<string, string | number>): string {
  if (dim === 'window') return String(g.windowId)
  if (dim === 'staff') return String(g.staffNo)
  return g.serviceCode !== '' ? `code:${g.serviceCode}` : g.serviceName !== '' ? `name:${g.serviceName}` : ''
}

function rowIdentity(
  dim: Dimension,
  key: string,
  names: Map<string, string>,
  e: { windows: Set<string>; names: Map<string, number> },
) {
  if (dim === 'window') return { windowId: key || null, name: names.get(key) ?? null }
  if (dim === 'staff')
    return { staffNo: key || null, name: names.get(key) ?? null, windowIds: [...e.windows].sort() }
  // The name seen most often for the code.
  const name = [...e.names].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null
  return {
    serviceCode: key.startsWith('code:') ? key.slice(5) : null,
    serviceName: key.startsWith('name:') ? key.slice(5) : name,
  }
}

function byRank(a: { rank: number | null; metrics: Metrics }, b: { rank: number | null; metrics: Metrics }) {
  if (a.rank !== b.rank) return a.rank === null ? 1 : b.rank === null ? -1 : a.rank - b.rank
  return b.metrics.rated + b.metrics.defaulted - (a.metrics.rated + a.metrics.defaulted)
}

export function periodView(p: Period) {
  return { kind: p.kind, label: p.label, from: p.from, to: p.to, days: p.days, previous: p.previous }
}
