import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { assertCanWrite, assertHall } from '../auth/principal.ts'
import { HallQuery, IdParams, StaffCreate, StaffUpdate } from './schemas.ts'

const staff: FastifyPluginAsyncZod = async (app) => {
  const { staff } = app.repos
  app.get('/staff', { schema: { tags: ['registry'], querystring: HallQuery } }, async (req) =>
    staff.list(req.principal, req.query.hallId),
  )
  app.post('/staff', { schema: { tags: ['registry'], body: StaffCreate } }, async (req, reply) => {
    assertCanWrite(req.principal, req.body.hallId)
    reply.code(201)
    return staff.create(req.body)
  })
  app.get('/staff/:id', { schema: { tags: ['registry'], params: IdParams } }, async (req) => {
    const s = await staff.get(req.params.id)
    assertHall(req.principal, s.hallId)
    return s
  })
  app.patch(
    '/staff/:id',
    { schema: { tags: ['registry'], params: IdParams, body: StaffUpdate } },
    async (req) => {
      assertCanWrite(req.principal, (await staff.get(req.params.id)).hallId)
      const s = await staff.update(req.params.id, req.body)
      await app.padConfig.publishForWindows(await staff.windowsOf(s.id)) // the staff card changed
      return s
    },
  )
}
export default staff
