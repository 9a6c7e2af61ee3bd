// HTTP ingest for pads that cannot speak MQTT. A pad POSTs its ratings and events with its own
// credentials (HTTP Basic: device id and secret); they go through the same ingest as MQTT messages
// (same schemas, same rejected-messages table, same idempotency on the pad's ids), and the answer
// is the protocol Ack, sent once they are committed.
import basicAuth from '@fastify/basic-auth'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { Ack, MAX_PAYLOAD_BYTES, SCHEMA_VERSION } from '../../protocol/index.ts'
import { HttpError } from '../errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The pad that authenticated with HTTP Basic on a pad route. */
    deviceId?: string
  }
}

/** Most messages in one request: a pad's outbox sent in one go. */
export const MAX_MESSAGES_PER_REQUEST = 100

const AnyMessage = z.record(z.string(), z.unknown())
const Body = z
  .union([AnyMessage, z.array(AnyMessage).min(1).max(MAX_MESSAGES_PER_REQUEST)])
  .describe(
    `One protocol message or an array of up to ${MAX_MESSAGES_PER_REQUEST}, as on MQTT (see /docs/protocol). ` +
      'Validated by the protocol schemas inside: an invalid message is kept as rejected and listed in the ack.',
  )

const padHttp: FastifyPluginAsyncZod = async (app) => {
  await app.register(basicAuth, {
    authenticate: { realm: 'rating-pad device' },
    async validate(username, password, req) {
      if (!(await app.padAuth.verify(username, password)))
        throw new HttpError(401, 'unknown device, revoked device or wrong secret')
      req.deviceId = username
    },
  })

  const route = (channel: 'rating' | 'event', path: string, summary: string) =>
    app.post(
      path,
      {
        config: { ownAuth: true },
        onRequest: app.basicAuth,
        schema: {
          tags: ['pads'],
          summary,
          description:
            'HTTP Basic with the device id and secret. 200: every message committed (or already stored). ' +
            '400: some message was rejected or unreadable; the body is still the Ack, and the pad drops every id in ' +
            '`ids` and `rejected` from its outbox. 503: not stored now, send again later.',
          security: [{ deviceBasic: [] }],
          body: Body,
        },
      },
      async (req, reply) => {
        const deviceId = req.deviceId!
        const messages = Array.isArray(req.body) ? req.body : [req.body]
        const outcomes = await Promise.all(
          messages.map((m) => {
            const payload = Buffer.from(JSON.stringify(m))
            if (payload.length > MAX_PAYLOAD_BYTES)
              return { status: 'tooBig' as const, bytes: payload.length }
            return app.ingest.submit(deviceId, channel, payload)
          }),
        )
        const ack: Ack & { message?: string } = {
          v: SCHEMA_VERSION,
          ids: [],
          serverTime: new Date().toISOString(),
        }
        const problems: string[] = []
        let busy = false
        outcomes.forEach((o, i) => {
          const where = Array.isArray(req.body) ? `body.${i}` : 'body'
          if (o.status === 'committed') ack.ids.push(o.id)
          else if (o.status === 'rejected') {
            ;(ack.rejected ??= []).push({ id: o.id, reason: o.reason })
            problems.push(`${where}: ${o.reason}`)
          } else if (o.status === 'unreadable') problems.push(`${where}.${o.reason}`)
          else if (o.status === 'tooBig')
            problems.push(`${where}: ${o.bytes} bytes, over the limit of ${MAX_PAYLOAD_BYTES}`)
          else busy = true
        })
        ack.ids = [...new Set(ack.ids)]
        if (busy) {
          reply.header('retry-after', '5')
          return reply.code(503).send({ ...ack, message: 'not all messages were stored: send again later' })
        }
        if (problems.length) return reply.code(400).send({ ...ack, message: problems.join('; ') })
        return ack
      },
    )

  route('rating', '/pad/ratings', 'A pad sends ratings over HTTP; the answer is the ack')
  route('event', '/pad/events', 'A pad sends events over HTTP; the answer is the ack')
}
export default padHttp
