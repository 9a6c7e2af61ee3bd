// The audit log, for admins: who changed what through the API (plugins/audit.ts writes it). There is
// no route that changes or removes an entry, and the database refuses it too.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { assertAdmin } from '../auth/principal.ts'

const AuditQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().describe('Entries at or after this time'),
    to: z.iso.datetime({ offset: true }).optional().describe('Entries before this time'),
    actorId: z.string().min(1).optional().describe('A token id, or "user:<id>" for a dashboard account'),
    method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']).optional(),
    route: z.string().min(1).optional().describe('A route pattern, e.g. /api/v1/devices/:id/rotate-secret'),
    targetId: z.string().min(1).optional().describe('The id of what was written'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().optional().describe('nextCursor of the previous page'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    path: ['to'],
    message: 'must be after from',
  })

const AuditEntryView = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string().describe('Username or token name'),
  actorId: z.string(),
  role: z.string(),
  method: z.string(),
  route: z.string(),
  url: z.string(),
  targetId: z.string().nullable(),
  status: z.number().int(),
  body: z.string().nullable().describe('The request body, secrets and passwords "[redacted]", cut at 4 KB'),
  ip: z.string().nullable(),
})

const audit: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['auth'],
        querystring: AuditQuery,
        response: { 200: z.object({ items: z.array(AuditEntryView), nextCursor: z.string().nullable() }) },
        summary: 'The audit log (admin): every successful write by an admin or a manager, newest first',
      },
    },
    async (req) => {
      assertAdmin(req.principal)
      const { from, to, ...q } = req.query
      return app.audit.list({
        ...q,
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      })
    },
  )
}
export default audit
