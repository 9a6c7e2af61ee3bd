// Reports over the rollups: summary, breakdowns and rankings, trends, heat map. Viewers and
// managers read the halls they are scoped to; another hall's report answers 403.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { assertAdmin } from '../auth/principal.ts'
import { rebuildRollups } from '../reports/rollups.ts'
import {
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
