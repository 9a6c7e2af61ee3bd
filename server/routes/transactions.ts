// Queue-system transactions (排队叫号): start one at a window (its pad is prompted), read its rating
// status, cancel it. A queue system uses an API token scoped to its hall.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { TRANSACTION_STATUSES, TransactionStart } from '../queue/transactions.ts'
import { IdParams } from './schemas.ts'

const transactions: FastifyPluginAsyncZod = async (app) => {
  const repo = app.queue
  const tags = ['queue']
  app.post(
    '/transactions',
    {
      schema: {
        tags,
        body: TransactionStart,
        summary: 'Start a transaction at a window: its pad asks the citizen to rate it',
        description:
          '201 with the new transaction; 200 with the existing one when its id was started before (nothing is sent again). ' +
          '`padOnline` says whether the pad was online when prompted: an offline pad gets no prompt and the transaction stays pending.',
      },
    },
    async (req, reply) => {
      const r = await repo.start(req.principal, req.body, req.principal.name)
      reply.code(r.created ? 201 : 200)
      return { ...r.transaction, padOnline: r.padOnline }
    },
  )
  app.get(
    '/transactions',
    {
      schema: {
        tags,
        querystring: z.object({
          hallId: z.string().optional(),
          windowId: z.string().optional(),
          caseNo: z.string().optional(),
          status: z.enum(TRANSACTION_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        summary: 'Transactions, newest first',
      },
    },
    async (req) => repo.list(req.principal, req.query),
  )
  app.get(
    '/transactions/:id',
    {
      schema: {
        tags,
        params: IdParams,
        summary: 'A transaction and its rating status: pending, rated (with the level), unrated or cancelled',
      },
    },
    async (req) => repo.get(req.principal, req.params.id),
  )
  app.post(
    '/transactions/:id/cancel',
    {
      schema: {
        tags,
        params: IdParams,
        summary: 'Cancel a transaction not yet rated; the pad drops the prompt (409 once rated)',
      },
    },
    async (req) => repo.cancel(req.principal, req.params.id, req.principal.name),
  )
}
export default transactions
