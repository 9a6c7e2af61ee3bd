// For an external broker: HTTP authentication and ACL endpoints of the kind EMQX's HTTP
// authenticator and authorizer call (answer 200 with {"result": "allow" | "deny"}), and the
// Mosquitto ACL file. See docs/deploy.md.
import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { assertAdmin } from '../auth/principal.ts'
import { padMayPublish, padMaySubscribe, mosquittoAclFile } from '../broker/acl.ts'
import { clientGrant, isClientUsername } from '../broker/grants.ts'
import { HttpError } from '../errors.ts'
import { isPadClientId } from '../../protocol/index.ts'
import { mosquittoHash } from '../security/secrets.ts'

const AuthBody = z.object({
  username: z.string().max(128),
  password: z.string().max(256).default(''),
  clientid: z.string().max(256).optional(),
})
const AclBody = z.object({
  username: z.string().max(128),
  topic: z.string().max(512),
  action: z.enum(['publish', 'subscribe']),
  retain: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  clientid: z.string().max(256).optional(),
})
const Result = z.object({ result: z.enum(['allow', 'deny']), is_superuser: z.boolean().optional() })

function decide(ok: boolean, superuser?: boolean): z.infer<typeof Result> {
  const r: z.infer<typeof Result> = { result: ok ? 'allow' : 'deny' }
  if (superuser !== undefined) r.is_superuser = superuser
  return r
}

function sameSecret(a: string, b: string) {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const broker: FastifyPluginAsyncZod = async (app) => {
  const { config } = app
  const serverUser = config.MQTT_USERNAME

  // Called by the broker itself, not by people: guarded by a shared secret instead of a token.
  const guard = async (req: { headers: Record<string, unknown> }) => {
    const secret = config.BROKER_AUTH_SECRET
    if (!secret) throw new HttpError(404, 'broker auth endpoints are off: set BROKER_AUTH_SECRET')
    const given = req.headers['x-broker-auth']
    if (typeof given !== 'string' || !sameSecret(given, secret))
      throw new HttpError(401, 'wrong or missing x-broker-auth')
  }

  app.post(
    '/broker/auth',
    {
      schema: {
        tags: ['broker'],
        body: AuthBody,
        response: { 200: Result },
        summary: 'MQTT CONNECT check for an external broker',
      },
      onRequest: guard,
    },
    async (req) => {
      const { username, password } = req.body
      if (serverUser && username === serverUser)
        return decide(sameSecret(password, config.MQTT_PASSWORD ?? ''), true)
      if (isClientUsername(username))
        return decide(await app.clientAuth.verify(username, password, req.body.clientid ?? ''), false)
      // A broker drops the older connection of a client id: only the pad itself may use its own.
      const { clientid } = req.body
      if (clientid !== undefined && !isPadClientId(username, clientid)) return decide(false, false)
      return decide(await app.padAuth.verify(username, password), false)
    },
  )

  app.post(
    '/broker/acl',
    {
      schema: {
        tags: ['broker'],
        body: AclBody,
        response: { 200: Result },
        summary: 'MQTT publish/subscribe check for an external broker',
      },
      onRequest: guard,
    },
    async (req) => {
      const { username, topic, action } = req.body
      if (serverUser && username === serverUser) return decide(true)
      const retain = req.body.retain === true || req.body.retain === 'true'
      // Provisioning and queue clients, and vendor pads' own topics (drivers): exact topics only.
      const grant = isClientUsername(username)
        ? clientGrant(username, req.body.clientid ?? '')
        : app.drivers.topicsFor(username)
      const granted = action === 'publish' ? grant?.publish.includes(topic) : grant?.subscribe.includes(topic)
      if (isClientUsername(username)) return decide(Boolean(granted) && !(action === 'publish' && retain))
      const ok =
        action === 'publish'
          ? padMayPublish(username, topic, { retain }) === null
          : padMaySubscribe(username, topic)
      return decide(ok || Boolean(granted))
    },
  )

  app.get(
    '/api/v1/broker/mosquitto/acl',
    { schema: { tags: ['broker'], summary: 'Mosquitto ACL file for pads and the server user' } },
    async (req, reply) => {
      assertAdmin(req.principal)
      reply.type('text/plain; charset=utf-8')
      return mosquittoAclFile(serverUser ?? 'rp-server')
    },
  )

  app.get(
    '/api/v1/broker/mosquitto/passwd',
    {
      schema: {
        tags: ['broker'],
        summary: 'Mosquitto password file: every pad that may connect, and the server user',
      },
    },
    async (req, reply) => {
      assertAdmin(req.principal)
      const lines = await app.repos.devices.mosquittoPasswordLines()
      if (serverUser && config.MQTT_PASSWORD)
        lines.unshift(`${serverUser}:${mosquittoHash(config.MQTT_PASSWORD)}`)
      reply.type('text/plain; charset=utf-8')
      return lines.join('\n') + '\n'
    },
  )
}
export default broker
