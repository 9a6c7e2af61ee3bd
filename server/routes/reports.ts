// Reports over the rollups: summary, breakdowns and rankings, trends, heat map. Viewers and
// managers read the halls they are scoped to; another hall's report answers 403.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { assertAdmin, assertHall } from '../auth/principal.ts'
import { badRequest, notFound } from '../errors.ts'
import { today } from '../reports/local-time.ts'
import { resolvePeriod } from '../reports/periods.ts'
import { rebuildRollups } from '../reports/rollups.ts'
import { periodView } from '../reports/service.ts'
import {
  FlagsHallsQuery,
  FlagsReportQuery,
  HallsQuery,
  HeatmapQuery,
  RankingQuery,
  RebuildBody,
  SummaryQuery,
  TrendQuery,
} from './report-schemas.ts'

const reports: FastifyPluginAsyncZod = async (app) => {
  const { reports } = app.repos
  const tags = ['reports']
  app.get(
    '/reports/summary',
    {
      schema: {
        tags,
        querystring: SummaryQuery,
        summary: 'Metrics and 差评 reasons of a hall, window, staff member or service item over a period',
      },
    },
    async (req) => reports.summary(req.principal, req.query),
  )
  for (const [path, dim, what] of [
    ['/reports/windows', 'window', 'window'],
    ['/reports/staff', 'staff', 'staff member (whichever window they served at)'],
    ['/reports/services', 'service', 'service item'],
  ] as const)
    app.get(
      path,
      {
        schema: {
          tags,
          querystring: RankingQuery,
          summary: `One row per ${what}: metrics, rank, change of rank since the previous period, and the difference from the hall average`,
        },
      },
      async (req) => reports.breakdown(req.principal, dim, req.query),
    )
  app.get(
    '/reports/halls',
    {
      schema: {
        tags,
        querystring: HallsQuery,
        summary: 'One row per hall: metrics, rank, change of rank, difference from the average of the halls',
      },
    },
    async (req) => reports.halls(req.principal, req.query),
  )
  app.get(
    '/reports/trend',
    { schema: { tags, querystring: TrendQuery, summary: 'Metrics per day, week or month across a period' } },
    async (req) => reports.trend(req.principal, req.query),
  )
  app.get(
    '/reports/heatmap',
    {
      schema: {
        tags,
        querystring: HeatmapQuery,
        summary: "Metrics per hour of day × weekday in the hall's time zone",
      },
    },
    async (req) => reports.heatmap(req.principal, req.query),
  )
  app.get(
    '/reports/flags',
    {
      schema: {
        tags,
        querystring: FlagsReportQuery,
        summary: 'Integrity flags of a hall over a period: counts per kind, per window and per staff member',
      },
    },
    async (req) => {
      const { hallId, windowId, staffNo, period: kind, date, from, to } = req.query
      const { hall, period } = await reports.periodFor(req.principal, hallId, {
        period: kind,
        date,
        from,
        to,
      })
      const filters = { ...(windowId ? { windowId } : {}), ...(staffNo ? { staffNo } : {}) }
      const counts = await app.integrity.flags.counts(req.principal, { hallId, days: period, ...filters })
      const [windows, staff] = await Promise.all([
        app.db.prisma.window.findMany({ where: { hallId }, select: { id: true, name: true } }),
        app.db.prisma.staff.findMany({
          where: { staffNo: { in: [...counts.staff.keys()].filter(Boolean) } },
          select: { staffNo: true, name: true },
        }),
      ])
      const windowNames = new Map(windows.map((w) => [w.id, w.name]))
      const staffNames = new Map(staff.map((s) => [s.staffNo, s.name]))
      const byTotal = (a: { flags: { total: number } }, b: { flags: { total: number } }) =>
        b.flags.total - a.flags.total
      return {
        hall: { id: hall.id, name: hall.name, timeZone: hall.timeZone },
        period: periodView(period),
        filters,
        flags: counts.total,
        windows: [...counts.windows]
          .map(([id, flags]) => ({ windowId: id || null, name: windowNames.get(id) ?? null, flags }))
          .sort((a, b) => byTotal(a, b) || String(a.windowId).localeCompare(String(b.windowId))),
        staff: [...counts.staff]
          .map(([no, flags]) => ({ staffNo: no || null, name: staffNames.get(no) ?? null, flags }))
          .sort((a, b) => byTotal(a, b) || String(a.staffNo).localeCompare(String(b.staffNo))),
      }
    },
  )
  app.get(
    '/reports/flags/halls',
    {
      schema: {
        tags,
        querystring: FlagsHallsQuery,
        summary: 'Integrity flags per hall over a period: counts per kind, most flagged first',
      },
    },
    async (req) => {
      const { hallIds, ...input } = req.query
      for (const id of hallIds ?? []) assertHall(req.principal, id)
      const wanted = hallIds ?? (req.principal.halls === 'all' ? undefined : req.principal.halls)
      const halls = await app.db.prisma.hall.findMany({
        where: wanted ? { id: { in: wanted } } : {},
        select: { id: true, name: true, timeZone: true },
        orderBy: { id: 'asc' },
      })
      for (const id of hallIds ?? []) if (!halls.some((h) => h.id === id)) throw notFound(`hall ${id}`)
      if (!halls.length) throw badRequest('no halls to report on', 'hallIds')
      // One calendar period for all, as in GET /reports/halls: the first hall's zone says what today is.
      const period = resolvePeriod(input, today(halls[0].timeZone))
      const counts = await app.integrity.flags.hallCounts(
        halls.map((h) => h.id),
        period,
      )
      return {
        period: periodView(period),
        rows: halls
          .map((h) => ({ hallId: h.id, name: h.name, flags: counts.get(h.id)! }))
          .sort((a, b) => b.flags.total - a.flags.total || a.hallId.localeCompare(b.hallId)),
      }
    },
  )
  app.post(
    '/reports/rebuild',
    {
      schema: {
        tags,
        body: RebuildBody,
        summary:
          'Recompute a hall’s rollups from its raw ratings (admin; repair only, rollups are kept as ratings arrive)',
      },
    },
    async (req) => {
      assertAdmin(req.principal)
      await app.repos.halls.get(req.body.hallId)
      return rebuildRollups(app.db.prisma, app.db.provider, req.body.hallId)
    },
  )
}
export default reports
