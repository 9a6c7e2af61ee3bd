// Dashboard accounts, their browser sessions, and the counter that slows password guessing.
// Sessions and counters live in the database, so several server instances agree on them.
import { randomBytes, randomUUID } from 'node:crypto'
import type { Db } from '../db/client.ts'
import { badRequest, conflict, notFound } from '../errors.ts'
import type { Principal, Role } from '../auth/principal.ts'
import { hashPassword, newPassword, verifyPassword } from '../security/passwords.ts'
import { sha256 } from '../security/secrets.ts'

type UserRow = NonNullable<Awaited<ReturnType<Db['user']['findUnique']>>>

export function userView(u: UserRow) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role as Role,
    hallIds: JSON.parse(u.hallIds) as string[],
    mustChangePassword: u.mustChangePassword,
    disabled: u.disabledAt !== null,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  }
}
export type UserView = ReturnType<typeof userView>

export function principalOf(u: UserRow): Principal {
  const hallIds = JSON.parse(u.hallIds) as string[]
  return {
    tokenId: `user:${u.id}`,
    name: u.username,
    role: u.role as Role,
    // The same rule as API tokens: admins and unscoped viewers see every hall, managers only theirs.
    halls: u.role === 'admin' || hallIds.length === 0 ? (u.role === 'manager' ? [] : 'all') : hallIds,
  }
}

export interface UserInput {
  username: string
  password: string
  role: Role
  hallIds?: string[]
  displayName?: string | null
}

/** How guessing is slowed: failures counted per username and per client address. */
export const THROTTLE = {
  /** Failures within the window that lock a username. */
  userFailures: 5,
  /** Failures within the window that lock a client address (several usernames tried). */
  ipFailures: 20,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
}

export type LoginResult =
  | { ok: true; user: UserRow; token: string; expiresAt: Date }
  | { ok: false; reason: 'bad_credentials'; attemptsLeft: number }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number }

/** A hash to verify against when the username is unknown, so both cases take the same time. */
let decoyHash: Promise<string> | null = null

export class UserRepository {
  constructor(
    private readonly db: Db,
    private readonly opts: { sessionIdleMs: number },
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list() {
    return (await this.db.user.findMany({ orderBy: { username: 'asc' } })).map(userView)
  }

  async getRow(id: string) {
    const u = await this.db.user.findUnique({ where: { id } })
    if (!u) throw notFound(`user ${id}`)
    return u
  }

  async get(id: string) {
    return userView(await this.getRow(id))
  }

  private async checkHalls(role: Role, hallIds: string[] | undefined) {
    if (role === 'manager' && !hallIds?.length) throw badRequest('a manager needs hallIds', 'hallIds')
    if (role === 'admin' && hallIds?.length)
      throw badRequest('an admin sees every hall: no hallIds', 'hallIds')
    for (const id of hallIds ?? [])
      if (!(await this.db.hall.findUnique({ where: { id }, select: { id: true } })))
        throw badRequest(`hall ${id} does not exist`, 'hallIds')
  }

  async create(input: UserInput & { mustChangePassword?: boolean }) {
    await this.checkHalls(input.role, input.hallIds)
    if (await this.db.user.findUnique({ where: { username: input.username } }))
      throw conflict(`username ${input.username} is taken`, 'username')
    const u = await this.db.user.create({
      data: {
        id: randomUUID(),
        username: input.username,
        displayName: input.displayName ?? null,
        passwordHash: await hashPassword(input.password),
        role: input.role,
        hallIds: JSON.stringify(input.hallIds ?? []),
        mustChangePassword: input.mustChangePassword ?? false,
      },
    })
    return userView(u)
  }

  /**
   * An admin's changes. A new password or a changed role ends the person's sessions, so a
   * demoted or disabled account loses its access at once, on every instance.
   */
  async update(
    id: string,
    input: {
      displayName?: string | null
      role?: Role
      hallIds?: string[]
      disabled?: boolean
      password?: string
    },
  ) {
    const current = await this.get(id)
    const role = input.role ?? current.role
    const hallIds = input.hallIds ?? (input.role && input.role !== current.role ? [] : current.hallIds)
    await this.checkHalls(role, hallIds)
    if (current.role === 'admin' && !current.disabled && (role !== 'admin' || input.disabled)) {
      const others = await this.db.user.count({ where: { role: 'admin', disabledAt: null, id: { not: id } } })
      if (others === 0) throw badRequest('the last admin account must stay an enabled admin', 'role')
    }
    const u = await this.db.user.update({
      where: { id },
      data: {
        displayName: input.displayName,
        role,
        hallIds: JSON.stringify(hallIds),
        disabledAt: input.disabled === undefined ? undefined : input.disabled ? this.now() : null,
        ...(input.password
          ? { passwordHash: await hashPassword(input.password), mustChangePassword: true }
          : {}),
      },
    })
    const accessChanged =
      input.password !== undefined ||
      input.disabled === true ||
      role !== current.role ||
      JSON.stringify(hallIds) !== JSON.stringify(current.hallIds)
    if (accessChanged) await this.db.userSession.deleteMany({ where: { userId: id } })
    if (input.password) await this.db.loginThrottle.deleteMany({ where: { key: userKey(u.username) } })
    return userView(u)
  }

  /** A person changes their own password (knowing the current one); their other sessions end. */
  async changeOwnPassword(id: string, current: string, next: string, keepSessionId: string | null) {
    const u = await this.db.user.findUnique({ where: { id } })
    if (!u) throw notFound(`user ${id}`)
    if (!(await verifyPassword(current, u.passwordHash)))
      throw badRequest('the current password is wrong', 'currentPassword')
    if (current === next) throw badRequest('the new password must differ from the current one', 'newPassword')
    await this.db.user.update({
      where: { id },
      data: { passwordHash: await hashPassword(next), mustChangePassword: false },
    })
    await this.db.userSession.deleteMany({
      where: { userId: id, ...(keepSessionId ? { id: { not: keepSessionId } } : {}) },
    })
  }

  // ---------------------------------------------------------------- signing in

  /** Checks the password, counting failures; on success opens a session. */
  async login(username: string, password: string, ip: string, userAgent?: string): Promise<LoginResult> {
    const now = this.now()
    const keys = [userKey(username), `ip:${ip}`]
    const throttles = await this.db.loginThrottle.findMany({ where: { key: { in: keys } } })
    const locked = throttles
      .map((t) => t.lockedUntil)
      .filter((d): d is Date => d !== null && d > now)
      .sort((a, b) => b.getTime() - a.getTime())[0]
    if (locked)
      return {
        ok: false,
        reason: 'locked',
        retryAfterSeconds: Math.ceil((locked.getTime() - now.getTime()) / 1000),
      }

    const user = await this.db.user.findUnique({ where: { username } })
    const ok = user
      ? await verifyPassword(password, user.passwordHash)
      : (await verifyPassword(password, await (decoyHash ??= hashPassword(randomUUID())))) && false
    if (!ok || !user || user.disabledAt) {
      const failures = await this.countFailure(userKey(username), THROTTLE.userFailures, now)
      await this.countFailure(`ip:${ip}`, THROTTLE.ipFailures, now)
      if (failures >= THROTTLE.userFailures)
        return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil(THROTTLE.lockMs / 1000) }
      return { ok: false, reason: 'bad_credentials', attemptsLeft: THROTTLE.userFailures - failures }
    }
    await this.db.loginThrottle.deleteMany({ where: { key: userKey(username) } })
    await this.db.user.update({ where: { id: user.id }, data: { lastLoginAt: now } })
    const { token, expiresAt } = await this.openSession(user.id, userAgent)
    return { ok: true, user, token, expiresAt }
  }

  /** Adds a failure to a counter and locks it when it reaches the limit; returns the count. */
  private async countFailure(key: string, limit: number, now: Date): Promise<number> {
    const row = await this.db.loginThrottle.findUnique({ where: { key } })
    const fresh = !row || now.getTime() - row.windowStart.getTime() > THROTTLE.windowMs
    const t = fresh
      ? await this.db.loginThrottle.upsert({
          where: { key },
          create: { key, failures: 1, windowStart: now },
          update: { failures: 1, windowStart: now, lockedUntil: null },
        })
      : await this.db.loginThrottle.update({ where: { key }, data: { failures: { increment: 1 } } })
    if (t.failures >= limit)
      await this.db.loginThrottle.update({
        where: { key },
        data: { lockedUntil: new Date(now.getTime() + THROTTLE.lockMs) },
      })
    return t.failures
  }

  private async openSession(userId: string, userAgent?: string) {
    const token = randomBytes(32).toString('base64url')
    const now = this.now()
    const expiresAt = new Date(now.getTime() + this.opts.sessionIdleMs)
    await this.db.userSession.create({
      data: { id: sha256(token), userId, lastSeenAt: now, expiresAt, userAgent: userAgent?.slice(0, 256) },
    })
    // Ended sessions are swept now and then, by whichever instance signs someone in.
    if (Math.random() < 0.05) await this.db.userSession.deleteMany({ where: { expiresAt: { lt: now } } })
    return { token, expiresAt }
  }

  /** The session a cookie token belongs to, moved forward while in use; null when ended. */
  async session(token: string): Promise<{ sessionId: string; user: UserRow; principal: Principal } | null> {
    const id = sha256(token)
    const s = await this.db.userSession.findUnique({ where: { id }, include: { user: true } })
    const now = this.now()
    if (!s || s.expiresAt <= now || s.user.disabledAt) return null
    // Slide at most once a minute: one write per browser per minute, not per request.
    if (now.getTime() - s.lastSeenAt.getTime() > 60_000)
      await this.db.userSession.updateMany({
        where: { id },
        data: { lastSeenAt: now, expiresAt: new Date(now.getTime() + this.opts.sessionIdleMs) },
      })
    return { sessionId: id, user: s.user, principal: principalOf(s.user) }
  }

  async logout(sessionId: string) {
    await this.db.userSession.deleteMany({ where: { id: sessionId } })
  }

  /** On first start there is no account at all: make an admin one with a password shown once. */
  async ensureFirstAdmin(): Promise<{ username: string; password: string } | null> {
    if ((await this.db.user.count()) > 0) return null
    const password = newPassword()
    try {
      await this.create({ username: 'admin', password, role: 'admin', mustChangePassword: true })
    } catch {
      return null // another instance starting at the same moment made it
    }
    return { username: 'admin', password }
  }
}

function userKey(username: string) {
  return `user:${username.toLowerCase()}`
}
