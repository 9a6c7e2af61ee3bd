import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { assertAdmin, assertCanWrite, assertHall } from '../auth/principal.ts'
import { HallCreate, HallUpdate, IdParams } from './schemas.ts'

const halls: FastifyPluginAsyncZod = async (app) => {
  const { halls } = app.repos
  app.get('/halls', { schema: { tags: ['registry'], summary: 'Halls you can see' } }, async (req) =>
    halls.list(req.principal),
  )
  app.post('/halls', { schema: { tags: ['registry'], body: HallCreate } }, async (req, reply) => {
    assertAdmin(req.principal)
    reply.code(201)
    return halls.create(req.body)
  })
  app.get('/halls/:id', { schema: { tags: ['registry'], params: IdParams } }, async (req) => {
    assertHall(req.principal, req.params.id)
    return halls.get(req.params.id)
  })
  app.patch(
    '/halls/:id',
    { schema: { tags: ['registry'], body: HallUpdate, params: IdParams } },
    async (req) => {
      assertCanWrite(req.principal, req.params.id)
      const hall = await halls.update(req.params.id, req.body)
      await app.padConfig.publishForHall(hall.id) // scale, labels, reasons and hours show on every pad
      return hall
    },
  )
}
export default halls
