// The hall wall's data: a snapshot, and a Server-Sent Events stream of snapshots that sends one
// as soon as a rating of the hall is committed (on any instance).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { fastifySSE as sse } from '@fastify/sse'
import { z } from 'zod'
import { assertHall } from '../auth/principal.ts'

const HallParams = z.object({ hallId: z.string().min(1) })

const live: FastifyPluginAsyncZod = async (app) => {
  await app.register(sse, { heartbeatInterval: 15_000 })
  const tags = ['live']
  app.get(
    '/live/halls/:hallId/wall',
    {
      schema: {
        tags,
        params: HallParams,
        summary: "The hall wall: every window with who serves there and today's figures",
      },
    },
    async (req) => {
      assertHall(req.principal, req.params.hallId)
      await app.repos.halls.get(req.params.hallId)
      return app.live.wall.snapshot(req.params.hallId)
    },
  )
  app.get(
    '/live/halls/:hallId/stream',
    {
      sse: 'only',
      schema: {
        tags,
        params: HallParams,
        summary:
          'Server-Sent Events: a `wall` event with the snapshot now, and again within moments of every rating of the hall',
      },
    },
    async (req, reply) => {
      assertHall(req.principal, req.params.hallId)
      await app.repos.halls.get(req.params.hallId)
      reply.sse.keepAlive()
      const send = (data: unknown) => {
        if (reply.sse.isConnected) reply.sse.send({ event: 'wall', data }).catch(() => {})
      }
      const unsubscribe = app.live.hub.subscribe(req.params.hallId, { send, close: () => reply.sse.close() })
      reply.sse.onClose(unsubscribe)
      send(await app.live.wall.snapshot(req.params.hallId))
    },
  )
}
export default live
