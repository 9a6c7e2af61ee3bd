// Hall provisioning keys (admins and managers of the hall), and provisioning itself over HTTP: a pad
// presents the key and gets a device id and secret of its own.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ProvisionRequest } from '../../protocol/index.ts'
import { IdParams } from './schemas.ts'

const provisioning: FastifyPluginAsyncZod = async (app) => {
  const keys = app.provisioning
  const tags = ['provisioning']
  app.post(
    '/provisioning-keys',
    {
      schema: {
        tags,
        body: z.object({
          hallId: z.string().min(1),
          name: z.string().min(1).max(128).describe('What it is for, e.g. "2026 tablet roll-out"'),
          expiresAt: z.iso.datetime({ offset: true }).optional().describe('After this, the key is refused'),
        }),
        summary: 'Make a hall provisioning key; the key is shown only in this response',
      },
    },
    async (req, reply) => {
      reply.code(201)
      return keys.create(req.principal, req.body)
    },
  )
  app.get(
    '/provisioning-keys',
    { schema: { tags, querystring: z.object({ hallId: z.string().optional() }) } },
    async (req) => keys.list(req.principal, req.query.hallId),
  )
  app.post(
    '/provisioning-keys/:id/revoke',
    { schema: { tags, params: IdParams, summary: 'Refuse this key from now on; pads made with it stay' } },
    async (req) => keys.revoke(req.principal, req.params.id),
  )
  app.post(
    '/provision',
    {
      config: { ownAuth: true },
      schema: {
        tags,
        security: [],
        body: ProvisionRequest,
        summary: 'A pad trades a hall provisioning key for a device id and secret of its own',
        description:
          '201 with the credentials (shown only here); 401 for an unknown, revoked or expired key; 409 when the device id is taken. ' +
          'The body is a ProvisionResponse (see /docs/protocol) in every case but a 400. ' +
          'The pad is registered in the key’s hall, not bound to a window: it shows “unconfigured” until a manager binds it.',
      },
    },
    async (req, reply) => {
      const { status, ...answer } = await keys.provision(req.body)
      if (answer.ok) await app.padConfig.publish([answer.deviceId])
      return reply.code(status).send(answer)
    },
  )
}
export default provisioning
