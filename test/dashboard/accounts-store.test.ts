// Dashboard accounts on SQLite and PostgreSQL: passwords, the wrong-password lock and its end,
// sessions that slide while used and end when idle, and an admin's changes ending sessions.
// A manual clock stands in for waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { THROTTLE, UserRepository } from '../../server/repositories/users.ts'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'

describe.each(DATABASES)('dashboard accounts on %s', (_name, make) => {
  let tdb: TestDatabase
  let db: Database
  let now = new Date('2026-03-02T01:00:00Z').getTime()
  const HOUR = 3_600_000
  let users: UserRepository

  beforeAll(async () => {
    tdb = await make()
    db = await tdb.open()
    users = new UserRepository(db.prisma, { sessionIdleMs: 12 * HOUR }, () => new Date(now))
    await users.create({ username: 'wang', password: 'correct horse', role: 'viewer' })
  })
  afterAll(async () => {
    await db?.close()
    await tdb?.drop()
  })

  it('stores only a hash and signs in with the password', async () => {
    const row = await db.prisma.user.findUnique({ where: { username: 'wang' } })
    expect(row!.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/)
    expect(row!.passwordHash).not.toContain('correct horse')
    const r = await users.login('wang', 'correct horse', '10.0.0.1')
    expect(r.ok).toBe(true)
  })

  it('locks a username after five wrong passwords, until the lock ends', async () => {
    for (let i = 1; i < THROTTLE.userFailures; i++) {
      const r = await users.login('wang', 'wrong', '10.0.0.2')
      expect(r).toMatchObject({
        ok: false,
        reason: 'bad_credentials',
        attemptsLeft: THROTTLE.userFailures - i,
      })
    }
    expect(await users.login('wang', 'wrong', '10.0.0.2')).toMatchObject({ ok: false, reason: 'locked' })
    expect(await users.login('wang', 'correct horse', '10.0.0.3')).toMatchObject({
      ok: false,
      reason: 'locked',
    })
    now += THROTTLE.lockMs + 1000
    expect((await users.login('wang', 'correct horse', '10.0.0.3')).ok).toBe(true)
  })

  it('keeps a used session and ends an idle one', async () => {
    const r = await users.login('wang', 'correct horse', '10.0.0.4')
    if (!r.ok) throw new Error('no session')
    now += 11 * HOUR
    expect(await users.session(r.token)).not.toBeNull() // used: it slides 12 hours on
    now += 11 * HOUR
    expect(await users.session(r.token)).not.toBeNull()
    now += 13 * HOUR
    expect(await users.session(r.token)).toBeNull()
  })

  it('ends the sessions when an admin disables the account or changes its role', async () => {
    const r = await users.login('wang', 'correct horse', '10.0.0.5')
    if (!r.ok) throw new Error('no session')
    const { id } = (await users.list()).find((u) => u.username === 'wang')!
    await users.update(id, { role: 'viewer', hallIds: [] }) // nothing changed: the session stays
    expect(await users.session(r.token)).not.toBeNull()
    await users.update(id, { disabled: true })
    expect(await users.session(r.token)).toBeNull()
    expect(await users.login('wang', 'correct horse', '10.0.0.5')).toMatchObject({ ok: false })
  })
})
