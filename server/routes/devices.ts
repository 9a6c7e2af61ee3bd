import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { assertCanWrite, assertHall } from '../auth/principal.ts'
import { DeviceCreate, DeviceUpdate, IdParams } from './schemas.ts'

const devices: FastifyPluginAsyncZod = async (app) => {
  const { devices } = app.repos
  const hallOf = async (id: string) => (await devices.get(id)).hallId

  app.get(
    '/devices',
    {
      schema: {
        tags: ['devices'],
        querystring: z.object({ hallId: z.string().optional(), windowId: z.string().optional() }),
      },
    },
    async (req) => devices.list(req.principal, req.query),
  )
  app.post(
    '/devices',
    {
      schema: {
        tags: ['devices'],
        body: DeviceCreate,
        summary: 'Register a pad; the secret is shown only in this response',
      },
    },
    async (req, reply) => {
      assertCanWrite(req.principal, req.body.hallId)
      const r = await devices.create(req.body)
      await app.padConfig.publish([r.device.id])
      reply.code(201)
      return { ...r.device, secret: r.secret }
    },
  )
  app.get('/devices/:id', { schema: { tags: ['devices'], params: IdParams } }, async (req) => {
    const d = await devices.get(req.params.id)
    assertHall(req.principal, d.hallId)
    return d
  })
  app.patch(
    '/devices/:id',
    {
      schema: {
        tags: ['devices'],
        params: IdParams,
        body: DeviceUpdate,
        summary: 'Bind a pad to a window, or relabel it',
      },
    },
    async (req) => {
      assertCanWrite(req.principal, await hallOf(req.params.id))
      const d = await devices.update(req.params.id, req.body)
      await app.padConfig.publish([d.id])
      return d
    },
  )
  app.post(
    '/devices/:id/rotate-secret',
    {
      schema: {
        tags: ['devices'],
        params: IdParams,
        summary: 'New secret, shown once; the old one stops working',
      },
    },
    async (req) => {
      assertCanWrite(req.principal, await hallOf(req.params.id))
      const r = await devices.rotateSecret(req.params.id)
      app.broker?.disconnectDevice(r.device.id)
      return { ...r.device, secret: r.secret }
    },
  )
  app.post(
    '/devices/:id/revoke',
    {
      schema: {
        tags: ['devices'],
        params: IdParams,
        summary: 'Refuse this pad from now on; its ratings stay',
      },
    },
    async (req) => {
      assertCanWrite(req.principal, await hallOf(req.params.id))
      const d = await devices.revoke(req.params.id)
      app.broker?.disconnectDevice(d.id)
      await app.padConfig.publish([d.id])
      return d
    },
  )
}
export default devices
