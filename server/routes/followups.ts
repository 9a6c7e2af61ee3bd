// The 差评 follow-up loop over REST: cases and their steps, follow-up metrics and export, the due
// rules of a hall and the working-day calendar. Managers act on their halls; viewers only read.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { assertHall, hallFilter } from '../auth/principal.ts'
import { RECTIFY_KINDS, STATES } from '../followup/states.ts'
import { followupsExport } from '../followup/exports.ts'
import { isDay } from '../reports/local-time.ts'
import { contentDisposition, csvStream, xlsxStream } from '../reports/tabular.ts'
import { ExportFields, HallIdParams, REPORT_FIELDS, withPeriodCheck } from './report-schemas.ts'

const Day = z.string().refine(isDay, 'must be a date YYYY-MM-DD')
const Note = z.string().trim().min(1, 'a note is required').max(2000)

const listFields = {
  hallId: z.string().min(1).optional(),
  state: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(STATES)))
    .optional()
    .describe(`State codes, comma separated: ${STATES.join(', ')}`),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: only cases with a deadline not yet met that has passed; false: the others'),
  windowId: z.string().min(1).optional(),
  staffNo: z.string().min(1).optional(),
  from: Day.optional().describe('First local day the 差评 was rated on (inclusive)'),
  to: Day.optional().describe('Last local day the 差评 was rated on (inclusive)'),
}
const ListQuery = z.object({
  ...listFields,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
})

const ActionBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('callback'), note: Note }).describe('回访: the citizen was called back'),
  z
    .object({
      action: z.literal('start_rectify'),
      note: Note,
      kind: z
        .enum(RECTIFY_KINDS)
        .default('simple')
        .describe('simple (简单整改, 5 working days by default) or complex (15)'),
    })
    .describe('开始整改'),
  z.object({ action: z.literal('rectify'), note: Note }).describe('整改完成'),
  z
    .object({ action: z.literal('feedback'), note: Note })
    .describe('反馈: the result was told; closes the case'),
  z
    .object({ action: z.literal('appeal'), note: Note })
    .describe('申诉: the 差评 is claimed mistaken or malicious'),
  z
    .object({
      action: z.literal('review'),
      note: Note,
      decision: z
        .enum(['upheld', 'rejected'])
        .describe('upheld: the rating is voided by this recorded decision; rejected: the case goes on'),
    })
    .describe('复核 of an appeal'),
])

const { asOf: _asOf, serviceCode: _service, hallId: _hall, ...periodAndFilters } = REPORT_FIELDS.summary
const MetricsQuery = withPeriodCheck({
  ...periodAndFilters,
  hallId: z.string().min(1).optional().describe('One hall; default every hall you can see'),
  groupBy: z
    .enum(['none', 'hall', 'window', 'staff'])
    .default('none')
    .describe('One row per hall, window or staff member'),
})

const YearParams = z.object({ year: z.coerce.number().int().min(2000).max(2100) })
const CalendarQuery = z.object({
  hallId: z.string().min(1).optional().describe("One hall's calendar; default the one every hall uses"),
})
const YearBody = z.object({
  off: z
    .array(z.string())
    .max(366)
    .describe('Days off (放假) as YYYY-MM-DD; whole holiday spans may be listed'),
  work: z.array(z.string()).max(366).describe('Weekend days that are working days (调休上班)'),
  source: z.string().max(500).nullable().optional().describe('The notice the days come from'),
})
const PolicyBody = z
  .object({
    callbackDays: z.number().int().min(1).max(60).describe('回访 within this many working days (default 1)'),
    simpleRectifyDays: z.number().int().min(1).max(60).describe('简单整改 (default 5)'),
    complexRectifyDays: z.number().int().min(1).max(60).describe('Other 整改 (default 15)'),
  })
  .superRefine((b, ctx) => {
    if (b.simpleRectifyDays < b.callbackDays)
      ctx.addIssue({
        code: 'custom',
        path: ['simpleRectifyDays'],
        message: 'must not be less than callbackDays',
      })
    if (b.complexRectifyDays < b.simpleRectifyDays)
      ctx.addIssue({
        code: 'custom',
        path: ['complexRectifyDays'],
        message: 'must not be less than simpleRectifyDays',
      })
  })

const MIME = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
}

const followups: FastifyPluginAsyncZod = async (app) => {
  const { followups } = app.repos
  const tags = ['follow-up']

  app.get(
    '/followups',
    {
      schema: {
        tags,
        querystring: ListQuery,
        summary: '差评 cases by the deadline still to meet (soonest first), with overdue flags',
      },
    },
    async (req) => followups.list(req.principal, req.query),
  )
  app.get(
    '/followups/:id',
    {
      schema: {
        tags,
        params: z.object({ id: z.string().min(1) }),
        summary: 'One case with every step (who, when, note)',
      },
    },
    async (req) => followups.get(req.principal, req.params.id),
  )
  app.post(
    '/followups/:id/steps',
    {
      schema: {
        tags,
        params: z.object({ id: z.string().min(1) }),
        body: ActionBody,
        summary: 'Take a step (admin, or a manager of the hall); 409 when the case’s state does not allow it',
      },
    },
    async (req, reply) => {
      reply.code(201)
      return followups.act(req.principal, req.params.id, req.body)
    },
  )

  app.get(
    '/reports/followups',
    {
      schema: {
        tags: [...tags, 'reports'],
        querystring: MetricsQuery,
        summary:
          '回访率, 整改率 and on-time rate over the deadlines falling in a period, per hall, window or staff',
      },
    },
    async (req) => followups.metrics(req.principal, req.query),
  )

  app.get(
    '/exports/followups',
    {
      schema: {
        tags: [...tags, 'exports'],
        querystring: z.object({ ...listFields, ...ExportFields }),
        summary: 'GET /followups (every page) as XLSX or CSV',
      },
    },
    async (req, reply) => {
      const { format, lang, ...filters } = req.query
      const p = req.principal
      if (filters.hallId) assertHall(p, filters.hallId) // before the 200 and the first row go out
      const where = filters.hallId ? { hallId: filters.hallId } : hallFilter(p)
      const cases = followups.iterate(p, filters)
      const [halls, windows, staff] = await Promise.all([
        app.db.prisma.hall.findMany({
          where: filters.hallId ? { id: filters.hallId } : p.halls === 'all' ? {} : { id: { in: p.halls } },
          select: { id: true, name: true, timeZone: true, reasons: true },
        }),
        app.db.prisma.window.findMany({ where, select: { id: true, name: true } }),
        app.db.prisma.staff.findMany({ where, select: { staffNo: true, name: true } }),
      ])
      const hall = filters.hallId ? halls.find((h) => h.id === filters.hallId) : undefined
      const doc = followupsExport(cases, {
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
        staff: new Map(staff.map((s) => [s.staffNo, s.name])),
        hall: hall && { id: hall.id, name: hall.name },
        filters: {
          state: filters.state?.join(','),
          overdue: filters.overdue === undefined ? undefined : String(filters.overdue),
          windowId: filters.windowId,
          staffNo: filters.staffNo,
          from: filters.from,
          to: filters.to,
        },
        now: followups.now(),
      })
      reply
        .header('content-type', MIME[format])
        .header(
          'content-disposition',
          contentDisposition(`${doc.fileName[lang]}.${format}`, `${doc.fileName.en}.${format}`),
        )
        .header('cache-control', 'no-store')
      return reply.send(format === 'xlsx' ? xlsxStream(doc, lang) : csvStream(doc, lang))
    },
  )

  app.get(
    '/halls/:hallId/followup-policy',
    { schema: { tags, params: HallIdParams, summary: 'Due rules of a hall, in working days' } },
    async (req) => followups.getPolicy(req.principal, req.params.hallId),
  )
  app.put(
    '/halls/:hallId/followup-policy',
    {
      schema: {
        tags,
        params: HallIdParams,
        body: PolicyBody,
        summary:
          'Set the due rules of a hall (admin, or a manager of the hall); applies to cases opened afterwards',
      },
    },
    async (req) => followups.setPolicy(req.principal, req.params.hallId, req.body),
  )

  app.get(
    '/calendar/years',
    {
      schema: {
        tags,
        querystring: CalendarQuery,
        summary: 'Working-day calendar years (放假, 调休上班) and where each comes from',
      },
    },
    async (req) => followups.listYears(req.principal, req.query.hallId),
  )
  app.get(
    '/calendar/years/:year',
    { schema: { tags, params: YearParams, querystring: CalendarQuery, summary: 'One calendar year' } },
    async (req) => followups.getYear(req.principal, req.params.year, req.query.hallId),
  )
  app.put(
    '/calendar/years/:year',
    {
      schema: {
        tags,
        params: YearParams,
        querystring: CalendarQuery,
        body: YearBody,
        summary:
          'Store a calendar year for every hall (admin) or one hall (?hallId, its manager too); moves the pending deadlines it changes',
      },
    },
    async (req) => followups.putYear(req.principal, req.params.year, req.query.hallId, req.body),
  )
}
export default followups
