// Webhooks and upstream exporters, their delivery log and redelivery.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { WEBHOOK_EVENTS } from '../webhooks/events.ts'
import { WebhookCreate, WebhookUpdate } from '../webhooks/repository.ts'
import { IdParams } from './schemas.ts'

const webhooks: FastifyPluginAsyncZod = async (app) => {
  const repo = app.webhooks.repo
  const tags = ['webhooks']
  app.post(
    '/webhooks',
    {
      schema: {
        tags,
        body: WebhookCreate,
        summary:
          'Register a webhook or an upstream 好差评 exporter; the secret is shown only in this response',
      },
    },
    async (req, reply) => {
      reply.code(201)
      return repo.create(req.principal, req.body)
    },
  )
  app.get('/webhooks', { schema: { tags, summary: 'Webhooks and exporters you may manage' } }, async (req) =>
    repo.list(req.principal),
  )
  app.get('/webhooks/:id', { schema: { tags, params: IdParams } }, async (req) =>
    repo.get(req.principal, req.params.id),
  )
  app.patch('/webhooks/:id', { schema: { tags, params: IdParams, body: WebhookUpdate } }, async (req) =>
    repo.update(req.principal, req.params.id, req.body),
  )
  app.delete(
    '/webhooks/:id',
    { schema: { tags, params: IdParams, summary: 'Remove; undelivered events are marked failed' } },
    async (req, reply) => {
      await repo.delete(req.principal, req.params.id)
      reply.code(204)
    },
  )
  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: z.object({
          status: z.enum(['pending', 'delivered', 'failed']).optional(),
          event: z.enum(WEBHOOK_EVENTS).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().optional(),
        }),
        summary: 'The delivery log, newest first',
      },
    },
    async (req) => repo.deliveries(req.principal, req.params.id, req.query),
  )
  app.get(
    '/webhook-deliveries/:id',
    { schema: { tags, params: IdParams, summary: 'One delivery with every attempt' } },
    async (req) => repo.delivery(req.principal, req.params.id),
  )
  app.post(
    '/webhook-deliveries/:id/redeliver',
    { schema: { tags, params: IdParams, summary: 'Send a delivery again now' } },
    async (req) => {
      const d = await repo.redeliver(req.principal, req.params.id)
      app.webhooks.dispatcher.kick()
      return d
    },
  )
}
export default webhooks
