// External plugin: who is calling /api. Either a bearer token (integrators, scripts) or the session
// cookie of a person signed in to the dashboard; both become the same Principal, so routes check
// roles and hall scope through the helpers in auth/principal.ts whichever was used.
import fp from 'fastify-plugin'
import cookie from '@fastify/cookie'
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../auth/principal.ts'
import { HttpError } from '../errors.ts'
import { TokenRepository } from '../repositories/tokens.ts'
import { UserRepository } from '../repositories/users.ts'

/** The dashboard's session cookie. */
export const SESSION_COOKIE = 'rp_session'
/**
 * Cookie-authenticated writes must carry this header. A page of another site cannot add a custom
 * header without a CORS preflight, which this server never grants, so this stops cross-site request
 * forgery (on top of SameSite=Strict and the Origin check).
 */
export const CSRF_HEADER = 'x-requested-with'
export const CSRF_VALUE = 'rating-pad'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal
    /** The dashboard session behind the principal, when the cookie (not a token) was used. */
    session: { id: string; userId: string } | null
  }
  interface FastifyInstance {
    users: UserRepository
  }
  interface FastifyContextConfig {
    /** Reachable without signing in (the sign-in itself). */
    public?: boolean
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Refuses a write that a browser might have been tricked into sending from another site. */
export function checkCsrf(req: FastifyRequest) {
  if (!UNSAFE.has(req.method)) return
  if (req.headers[CSRF_HEADER] !== CSRF_VALUE)
    throw new HttpError(403, `signed-in writes need the header ${CSRF_HEADER}: ${CSRF_VALUE}`)
  const origin = req.headers.origin
  if (origin !== undefined) {
    let host: string | null = null
    try {
      host = new URL(origin).host
    } catch {}
    if (host !== req.host) throw new HttpError(403, 'cross-site request refused')
  }
}

export default fp(
  async (app) => {
    await app.register(cookie)
    const tokens = new TokenRepository(app.db.prisma)
    const users = new UserRepository(app.db.prisma, {
      sessionIdleMs: app.config.SESSION_IDLE_HOURS * 3_600_000,
    })
    app.decorate('users', users)
    app.decorateRequest('principal', null as unknown as Principal)
    app.decorateRequest('session', null)
    app.addHook('onRequest', async (req) => {
      if (!req.url.startsWith('/api/')) return
      if (req.routeOptions.config?.ownAuth) return
      const header = req.headers.authorization
      if (header !== undefined) {
        const m = /^Bearer\s+(\S+)$/i.exec(header)
        if (!m) throw new HttpError(401, 'malformed Authorization header (Authorization: Bearer <token>)')
        const principal = await tokens.principalFor(m[1])
        if (!principal) throw new HttpError(401, 'unknown or revoked token')
        req.principal = principal
        return
      }
      const token = req.cookies[SESSION_COOKIE]
      if (req.routeOptions.config?.public) {
        checkCsrf(req)
        return
      }
      if (!token) throw new HttpError(401, 'sign in, or send a bearer token (Authorization: Bearer <token>)')
      const s = await users.session(token)
      if (!s) throw new HttpError(401, 'your session has ended: sign in again')
      checkCsrf(req)
      req.principal = s.principal
      req.session = { id: s.sessionId, userId: s.user.id }
    })
  },
  { name: 'auth', dependencies: ['database', 'config'] },
)
