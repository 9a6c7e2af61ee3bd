import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { assertCanWrite, assertHall } from '../auth/principal.ts'
import { HallQuery, IdParams, SignInBody, WindowCreate, WindowUpdate } from './schemas.ts'

const windows: FastifyPluginAsyncZod = async (app) => {
  const { windows } = app.repos
  app.get(
    '/windows',
    {
      schema: {
        tags: ['registry'],
        querystring: HallQuery,
        summary: 'Windows, with who is signed in at each',
      },
    },
    async (req) => windows.list(req.principal, req.query.hallId),
  )
  app.post('/windows', { schema: { tags: ['registry'], body: WindowCreate } }, async (req, reply) => {
    assertCanWrite(req.principal, req.body.hallId)
    reply.code(201)
    return windows.create(req.body)
  })
  app.get('/windows/:id', { schema: { tags: ['registry'], params: IdParams } }, async (req) => {
    const w = await windows.get(req.params.id)
    assertHall(req.principal, w.hallId)
    return w
  })
  app.patch(
    '/windows/:id',
    { schema: { tags: ['registry'], params: IdParams, body: WindowUpdate } },
    async (req) => {
      assertCanWrite(req.principal, (await windows.get(req.params.id)).hallId)
      const w = await windows.update(req.params.id, req.body)
      await app.padConfig.publishForWindows([w.id])
      return w
    },
  )
  app.post(
    '/windows/:id/sign-in',
    {
      schema: {
        tags: ['registry'],
        params: IdParams,
        body: SignInBody,
        summary: 'Sign a staff member in at this window',
      },
    },
    async (req) => {
      assertCanWrite(req.principal, (await windows.get(req.params.id)).hallId)
      const r = await windows.signIn(req.params.id, req.body.staffNo, 'api')
      await app.padConfig.publishForWindows(r.affectedWindows)
      return r.window
    },
  )
  app.post('/windows/:id/sign-out', { schema: { tags: ['registry'], params: IdParams } }, async (req) => {
    assertCanWrite(req.principal, (await windows.get(req.params.id)).hallId)
    const w = await windows.signOut(req.params.id)
    await app.padConfig.publishForWindows([w.id])
    return w
  })
  app.get(
    '/sign-ins',
    {
      schema: { tags: ['registry'], querystring: HallQuery, summary: 'Who is signed in at which window now' },
    },
    async (req) => (await windows.list(req.principal, req.query.hallId)).filter((w) => w.signedIn),
  )
}
export default windows
