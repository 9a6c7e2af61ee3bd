import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { assertAdmin, assertHall } from '../auth/principal.ts'
import { FLAG_KINDS } from '../integrity/kinds.ts'
import { checkRatingPeriod, RatingListFields } from './report-schemas.ts'
import { RatingQuery } from './schemas.ts'

const FlagQuery = z
  .object({
    hallId: RatingListFields.hallId,
    windowId: RatingListFields.windowId,
    staffNo: RatingListFields.staffNo,
    deviceId: RatingListFields.deviceId,
    period: RatingListFields.period,
    date: RatingListFields.date,
    from: RatingListFields.from,
    to: RatingListFields.to,
    kind: z.enum(FLAG_KINDS).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().optional().describe('nextCursor of the previous page'),
  })
  .superRefine(checkRatingPeriod)

const ratings: FastifyPluginAsyncZod = async (app) => {
  const repo = app.repos.ratings
  app.get(
    '/ratings',
    {
      schema: {
        tags: ['ratings'],
        querystring: RatingQuery,
        summary: 'Raw ratings, newest first, cursor paged; drill-down from any report',
      },
    },
    async (req) => {
      const { period, date, from, to, ...q } = req.query
      if (q.hallId) assertHall(req.principal, q.hallId)
      // A period is local days of the hall, the same days its reports count on.
      const days = period
        ? (await app.repos.reports.periodFor(req.principal, q.hallId!, { period, date, from, to })).period
        : undefined
      return repo.list(req.principal, { ...q, days })
    },
  )
  app.get(
    '/flags',
    {
      schema: {
        tags: ['ratings'],
        querystring: FlagQuery,
        summary:
          'Integrity flags (fastPress, burst, outsideHours, clockSkew, seqGap, noPrompt), newest day first, cursor paged',
      },
    },
    async (req) => {
      const { period, date, from, to, ...q } = req.query
      if (q.hallId) assertHall(req.principal, q.hallId)
      const days = period
        ? (await app.repos.reports.periodFor(req.principal, q.hallId!, { period, date, from, to })).period
        : undefined
      return app.integrity.flags.list(req.principal, { ...q, days })
    },
  )
  app.post(
    '/integrity/seq-gap-scan',
    {
      schema: {
        tags: ['ratings'],
        summary:
          'Run the sequence-gap scan now (admin; it also runs on a timer): flags seqs missing past the grace period',
      },
    },
    async (req) => {
      assertAdmin(req.principal)
      return app.integrity.scanSeqGaps()
    },
  )
  app.get(
    '/events',
    {
      schema: {
        tags: ['ratings'],
        querystring: z.object({
          hallId: z.string().optional(),
          deviceId: z.string().optional(),
          type: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        summary: 'Pad events: unrated transactions, presses with no prompt, second presses, sign-ins',
      },
    },
    async (req) => {
      if (req.query.hallId) assertHall(req.principal, req.query.hallId)
      return repo.listEvents(req.principal, req.query)
    },
  )
  app.get(
    '/rejected-messages',
    {
      schema: {
        tags: ['ratings'],
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        summary: 'Pad messages that did not validate (admin)',
      },
    },
    async (req) => {
      assertAdmin(req.principal)
      return repo.listRejected(req.query.limit)
    },
  )
}
export default ratings
