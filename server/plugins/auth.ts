// External plugin: bearer-token authentication for /api. Routes check roles and hall scope
// through the helpers in auth/principal.ts.
import fp from 'fastify-plugin'
import type { Principal } from '../auth/principal.ts'
import { HttpError } from '../errors.ts'
import { TokenRepository } from '../repositories/tokens.ts'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal
  }
}

export default fp(
  async (app) => {
    const tokens = new TokenRepository(app.db.prisma)
    app.decorateRequest('principal', null as unknown as Principal)
    app.addHook('onRequest', async (req) => {
      if (!req.url.startsWith('/api/')) return
      const header = req.headers.authorization ?? ''
      const m = /^Bearer\s+(\S+)$/i.exec(header)
      if (!m) throw new HttpError(401, 'missing bearer token (Authorization: Bearer <token>)')
      const principal = await tokens.principalFor(m[1])
      if (!principal) throw new HttpError(401, 'unknown or revoked token')
      req.principal = principal
    })
  },
  { name: 'auth', dependencies: ['database'] },
)
