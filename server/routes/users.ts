// Dashboard accounts (admin only): one per person, with a role and, for managers and viewers, the
// halls they see. Passwords are set here and changed by their owner on the dashboard.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { assertAdmin, ROLES } from '../auth/principal.ts'
import { IdParams } from './schemas.ts'
import { Password } from './session.ts'

const Username = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/, 'must be 1–64 characters of A–Z, a–z, 0–9, _, ., @ or -')
const UserCreate = z.object({
  username: Username,
  password: Password.describe('Initial password; the person is asked to change it'),
  role: z.enum(ROLES),
  hallIds: z
    .array(z.string().min(1))
    .optional()
    .describe('Halls a manager or viewer sees; empty = all (viewers only)'),
  displayName: z.string().max(64).nullable().optional(),
})
const UserUpdate = z.object({
  displayName: z.string().max(64).nullable().optional(),
  role: z.enum(ROLES).optional(),
  hallIds: z.array(z.string().min(1)).optional(),
  disabled: z.boolean().optional(),
  password: Password.optional().describe('A new password (the person is asked to change it)'),
})

const users: FastifyPluginAsyncZod = async (app) => {
  const tags = ['auth']
  app.get('/users', { schema: { tags, summary: 'Dashboard accounts (admin)' } }, async (req) => {
    assertAdmin(req.principal)
    return app.users.list()
  })
  app.post(
    '/users',
    { schema: { tags, body: UserCreate, summary: 'Make a dashboard account (admin)' } },
    async (req, reply) => {
      assertAdmin(req.principal)
      const u = await app.users.create({ ...req.body, mustChangePassword: true })
      reply.code(201)
      return u
    },
  )
  app.patch(
    '/users/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: UserUpdate,
        summary: 'Change role, halls, name or password, or disable (admin); their sessions end',
      },
    },
    async (req) => {
      assertAdmin(req.principal)
      return app.users.update(req.params.id, req.body)
    },
  )
}
export default users
