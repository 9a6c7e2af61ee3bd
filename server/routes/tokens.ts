import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { assertAdmin } from '../auth/principal.ts'
import { badRequest } from '../errors.ts'
import { IdParams, TokenCreate } from './schemas.ts'

const tokens: FastifyPluginAsyncZod = async (app) => {
  const repo = app.repos.tokens
  app.get('/tokens', { schema: { tags: ['auth'] } }, async (req) => {
    assertAdmin(req.principal)
    return repo.list()
  })
  app.post(
    '/tokens',
    {
      schema: {
        tags: ['auth'],
        body: TokenCreate,
        summary: 'Make an API token; shown only in this response',
      },
    },
    async (req, reply) => {
      assertAdmin(req.principal)
      if (req.body.role === 'manager' && !req.body.hallIds?.length)
        throw badRequest('a manager token needs hallIds', 'hallIds')
      reply.code(201)
      return repo.create(req.body)
    },
  )
  app.post('/tokens/:id/revoke', { schema: { tags: ['auth'], params: IdParams } }, async (req) => {
    assertAdmin(req.principal)
    return { revoked: await repo.revoke(req.params.id) }
  })
}
export default tokens
