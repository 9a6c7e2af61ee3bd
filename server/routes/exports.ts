// Exports: every report and the raw ratings as XLSX (default) or CSV, Chinese headers by default
// (?lang=en for English). Streamed: rows are written as they are read, raw ratings page by page.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyReply } from 'fastify'
import { assertHall, hallFilter } from '../auth/principal.ts'
import {
  breakdownExport,
  hallsExport,
  heatmapExport,
  policyText,
  ratingsExport,
  summaryExport,
  trendExport,
} from '../reports/exports.ts'
import {
  contentDisposition,
  csvStream,
  xlsxStream,
  type ExportDocument,
  type Lang,
} from '../reports/tabular.ts'
import {
  checkRatingPeriod,
  ExportFields,
  RatingListFields,
  REPORT_FIELDS,
  withPeriodCheck,
} from './report-schemas.ts'
import { z } from 'zod'

const MIME = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
}

function send<R>(reply: FastifyReply, doc: ExportDocument<R>, format: 'xlsx' | 'csv', lang: Lang) {
  const ext = format
  reply
    .header('content-type', MIME[format])
    .header(
      'content-disposition',
      contentDisposition(`${doc.fileName[lang]}.${ext}`, `${doc.fileName.en}.${ext}`),
    )
    .header('cache-control', 'no-store')
  return reply.send(format === 'xlsx' ? xlsxStream(doc, lang) : csvStream(doc, lang))
}

/** CSV has no room for notes: the unrated policy travels in a header (XLSX has a notes sheet). */
function policyHeader(reply: FastifyReply, p: Parameters<typeof policyText>[0]) {
  reply.header('x-unrated-policy', policyText(p).en)
}

const exportsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { reports, ratings } = app.repos
  const tags = ['exports']
  const q = <S extends z.ZodRawShape>(shape: S) => withPeriodCheck({ ...shape, ...ExportFields })

  app.get(
    '/exports/summary',
    { schema: { tags, querystring: q(REPORT_FIELDS.summary), summary: 'GET /reports/summary as a file' } },
    async (req, reply) => {
      const r = await reports.summary(req.principal, req.query)
      policyHeader(reply, r.unratedPolicy)
      return send(reply, summaryExport(r), req.query.format, req.query.lang)
    },
  )
  for (const [path, dim] of [
    ['/exports/windows', 'window'],
    ['/exports/staff', 'staff'],
    ['/exports/services', 'service'],
  ] as const)
    app.get(
      path,
      {
        schema: {
          tags,
          querystring: q(REPORT_FIELDS.breakdown),
          summary: `GET ${path.replace('exports', 'reports')} as a file`,
        },
      },
      async (req, reply) => {
        const r = await reports.breakdown(req.principal, dim, req.query)
        policyHeader(reply, r.unratedPolicy)
        return send(reply, breakdownExport(dim, r), req.query.format, req.query.lang)
      },
    )
  app.get(
    '/exports/halls',
    { schema: { tags, querystring: q(REPORT_FIELDS.halls), summary: 'GET /reports/halls as a file' } },
    async (req, reply) =>
      send(
        reply,
        hallsExport(await reports.halls(req.principal, req.query)),
        req.query.format,
        req.query.lang,
      ),
  )
  app.get(
    '/exports/trend',
    { schema: { tags, querystring: q(REPORT_FIELDS.trend), summary: 'GET /reports/trend as a file' } },
    async (req, reply) => {
      const r = await reports.trend(req.principal, req.query)
      policyHeader(reply, r.unratedPolicy)
      return send(reply, trendExport(r), req.query.format, req.query.lang)
    },
  )
  app.get(
    '/exports/heatmap',
    { schema: { tags, querystring: q(REPORT_FIELDS.heatmap), summary: 'GET /reports/heatmap as a file' } },
    async (req, reply) => {
      const r = await reports.heatmap(req.principal, req.query)
      policyHeader(reply, r.unratedPolicy)
      return send(reply, heatmapExport(r), req.query.format, req.query.lang)
    },
  )
  app.get(
    '/exports/ratings',
    {
      schema: {
        tags,
        querystring: z.object({ ...RatingListFields, ...ExportFields }).superRefine(checkRatingPeriod),
        summary: 'Raw ratings (the filters of GET /ratings) as a file, streamed page by page',
      },
    },
    async (req, reply) => {
      const { period, date, from, to, format, lang, ...filters } = req.query
      const p = req.principal
      if (filters.hallId) assertHall(p, filters.hallId)
      const resolved = period
        ? await reports.periodFor(p, filters.hallId!, { period, date, from, to })
        : undefined
      const halls = await app.db.prisma.hall.findMany({
        where: filters.hallId ? { id: filters.hallId } : p.halls === 'all' ? {} : { id: { in: p.halls } },
        select: { id: true, name: true, timeZone: true, reasons: true },
      })
      const windows = await app.db.prisma.window.findMany({
        where: filters.hallId ? { hallId: filters.hallId } : hallFilter(p),
        select: { id: true, name: true },
      })
      const hall = filters.hallId ? halls.find((h) => h.id === filters.hallId) : undefined
      const doc = ratingsExport(ratings.iterate(p, { ...filters, days: resolved?.period }), {
        halls: new Map(
          halls.map((h) => [
            h.id,
            {
              name: h.name,
              timeZone: h.timeZone,
              reasons: new Map(
                (JSON.parse(h.reasons) as { code: string; label: string }[]).map((r) => [r.code, r.label]),
              ),
            },
          ]),
        ),
        windows: new Map(windows.map((w) => [w.id, w.name])),
        hall: hall && { id: hall.id, name: hall.name, timeZone: hall.timeZone },
        period: resolved?.period,
      })
      return send(reply, doc, format, lang)
    },
  )
}
export default exportsRoutes
