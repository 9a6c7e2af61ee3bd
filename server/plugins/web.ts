// App plugin: the web pages built by Vite (web/dist), under /app/. A pad tablet opens /pad/<id>;
// people open / and land on the dashboard.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import { isDeviceId } from '../../protocol/index.ts'

export const WEB_DIST = join(dirname(fileURLToPath(import.meta.url)), '../../web/dist')

export default fp(
  async (app) => {
    if (!existsSync(WEB_DIST)) {
      app.log.warn('web/dist is missing: run `npm run build:web` (npm install and npm start do it)')
      return
    }
    await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/app/', index: ['index.html'] })
    // People open the server's address: the dashboard (it asks them to sign in).
    app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect('/app/dashboard/'))
    app.get('/pad/:deviceId', { schema: { hide: true } }, async (req, reply) => {
      const { deviceId } = req.params as { deviceId: string }
      if (!isDeviceId(deviceId))
        return reply
          .code(400)
          .send({ statusCode: 400, error: 'Bad Request', message: 'params.deviceId: not a device id' })
      return reply.redirect(`/app/pad/?device=${encodeURIComponent(deviceId)}`)
    })
  },
  { name: 'web' },
)
