// Signing in to the dashboard: a username and password open a session kept in the database and
// carried by an HttpOnly, SameSite=Strict cookie. Wrong passwords are counted (users.ts THROTTLE).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { SESSION_COOKIE } from '../plugins/auth.ts'
import { HttpError } from '../errors.ts'
import { userView } from '../repositories/users.ts'

export const Password = z.string().min(8, 'at least 8 characters').max(128)
const LoginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(128),
})
const PasswordBody = z.object({ currentPassword: z.string().min(1).max(128), newPassword: Password })

/** The browser keeps the cookie long; the server ends the session after SESSION_IDLE_HOURS idle. */
const COOKIE_MAX_AGE = 90 * 24 * 3600

const session: FastifyPluginAsyncZod = async (app) => {
  const tags = ['auth']
  app.post(
    '/session',
    {
      config: { public: true },
      schema: {
        tags,
        body: LoginBody,
        security: [],
        summary:
          'Sign in to the dashboard (sets the session cookie). Send X-Requested-With: rating-pad. 401 for a wrong password, 429 after too many',
      },
    },
    async (req, reply) => {
      const r = await app.users.login(req.body.username, req.body.password, req.ip, req.headers['user-agent'])
      if (!r.ok && r.reason === 'locked')
        return reply
          .code(429)
          .header('retry-after', String(r.retryAfterSeconds))
          .send({
            statusCode: 429,
            error: 'Too Many Requests',
            code: 'locked',
            retryAfterSeconds: r.retryAfterSeconds,
            message: `too many wrong passwords: try again in ${Math.ceil(r.retryAfterSeconds / 60)} minutes`,
          })
      if (!r.ok)
        return reply.code(401).send({
          statusCode: 401,
          error: 'Unauthorized',
          code: 'bad_credentials',
          attemptsLeft: r.attemptsLeft,
          message: `wrong username or password (${r.attemptsLeft} attempts left)`,
        })
      reply.setCookie(SESSION_COOKIE, r.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: req.protocol === 'https',
        maxAge: COOKIE_MAX_AGE,
      })
      return { user: userView(r.user) }
    },
  )
  app.get(
    '/session',
    { schema: { tags, summary: 'Who is signed in (or whose token this is)' } },
    async (req) => {
      const p = req.principal
      const user = req.session ? userView(await app.users.getRow(req.session.userId)) : null
      return { name: p.name, role: p.role, halls: p.halls, user }
    },
  )
  app.delete('/session', { schema: { tags, summary: 'Sign out: ends this session' } }, async (req, reply) => {
    if (req.session) await app.users.logout(req.session.id)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return { signedOut: true }
  })
  app.put(
    '/session/password',
    {
      schema: {
        tags,
        body: PasswordBody,
        summary: 'Change your own password; your other sessions end',
      },
    },
    async (req) => {
      if (!req.session) throw new HttpError(400, 'only a signed-in person has a password (not a token)')
      await app.users.changeOwnPassword(
        req.session.userId,
        req.body.currentPassword,
        req.body.newPassword,
        req.session.id,
      )
      return { changed: true }
    },
  )
}
export default session
