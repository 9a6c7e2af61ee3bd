// The audit log through the real server on SQLite and PostgreSQL: writes by an admin token, a hall
// manager signed in to the dashboard and a manager token are recorded with who, route and target;
// no secret, token or password they sent or got back is anywhere in the table; refused writes,
// reads, pads and the sign-in are not recorded; only admins read it, and no route changes it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../server/app.ts'
import { loadConfig } from '../../server/config.ts'
import { sampleRating } from '../fixtures/messages.ts'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'
import { seedHall, startServer, type TestServer } from '../helpers/server.ts'

interface Entry {
  id: string
  at: string
  actor: string
  actorId: string
  role: string
  method: string
  route: string
  url: string
  targetId: string | null
  status: number
  body: string | null
  ip: string | null
}

describe.each(DATABASES)('audit log on %s', (_name, make) => {
  let tdb: TestDatabase
  let s: TestServer
  let seed: Awaited<ReturnType<typeof seedHall>>
  let adminId: string
  /** Every secret, token and password sent or received below: none may be in the audit table. */
  const secrets: string[] = []
  const P1 = 'first password of li 1'
  const P2 = 'second password of li 2'
  const P3 = 'third password of li 3'
  let li: { id: string; cookie: string }
  let managerToken: { id: string; token: string }
  let viewerToken: string

  beforeAll(async () => {
    tdb = await make()
    const url = tdb.config.provider === 'postgres' ? tdb.config.url : `file:${tdb.config.file}`
    s = await startServer({ DATABASE_URL: url })
    seed = await seedHall(s, { hallId: 'hall-1', windows: 2 })
    for (const p of seed.pads) secrets.push(p.secret)
    secrets.push(s.adminToken)
    adminId = (await s.app.repos.tokens.principalFor(s.adminToken))!.tokenId
  })
  afterAll(async () => {
    await s?.close()
    await tdb?.drop()
  })

  const audit = async (query = '', token = s.adminToken) =>
    s.api<{ items: Entry[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/audit${query ? `?${query}` : ''}`,
      undefined,
      token,
    )
  const count = () => s.app.db.prisma.auditEntry.count()
  /** The whole table as text, to look for secrets in. */
  const tableText = async () => JSON.stringify(await s.app.db.prisma.auditEntry.findMany())

  async function signIn(username: string, password: string) {
    const res = await fetch(`${s.httpUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-requested-with': 'rating-pad' },
      body: JSON.stringify({ username, password }),
    })
    return { status: res.status, cookie: res.headers.getSetCookie()[0]?.split(';')[0] ?? '' }
  }
  async function asCookie(cookie: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${s.httpUrl}${path}`, {
      method,
      headers: {
        cookie,
        'x-requested-with': 'rating-pad',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : null }
  }

  it('records writes by an admin, a signed-in hall manager and a manager token: actor, route and target', async () => {
    const pad = seed.pads[0]
    // As the admin (API token).
    expect(
      (await s.api('POST', '/api/v1/windows', { id: 'hall-1-w9', hallId: 'hall-1', name: '9号窗口' })).status,
    ).toBe(201)
    const rotated = await s.api('POST', `/api/v1/devices/${pad.id}/rotate-secret`)
    expect(rotated.status).toBe(200)
    secrets.push(rotated.body.secret)
    managerToken = (
      await s.api('POST', '/api/v1/tokens', { name: 'queue system', role: 'manager', hallIds: ['hall-1'] })
    ).body
    secrets.push(managerToken.token)
    viewerToken = (await s.api('POST', '/api/v1/tokens', { name: 'wall', role: 'viewer' })).body.token
    secrets.push(viewerToken)
    const user = await s.api('POST', '/api/v1/users', {
      username: 'li',
      password: P1,
      role: 'manager',
      hallIds: ['hall-1'],
    })
    expect(user.status).toBe(201)
    secrets.push(P1)
    expect(
      (await s.api('PATCH', `/api/v1/users/${user.body.id}`, { password: P2, displayName: '李' })).status,
    ).toBe(200)
    secrets.push(P2)

    // As the hall manager, signed in to the dashboard.
    const session = await signIn('li', P2)
    expect(session.status).toBe(200)
    li = { id: user.body.id, cookie: session.cookie }
    secrets.push(session.cookie.split('=')[1])
    expect(
      (await asCookie(li.cookie, 'PUT', '/api/v1/session/password', { currentPassword: P2, newPassword: P3 }))
        .status,
    ).toBe(200)
    secrets.push(P3)
    expect(
      (await asCookie(li.cookie, 'PATCH', '/api/v1/windows/hall-1-w9', { name: '九号窗口' })).status,
    ).toBe(200)
    const managerRotated = await asCookie(li.cookie, 'POST', `/api/v1/devices/${pad.id}/rotate-secret`)
    expect(managerRotated.status).toBe(200)
    secrets.push(managerRotated.body.secret)

    // As the manager token.
    expect(
      (await s.api('POST', `/api/v1/windows/${pad.windowId}/sign-out`, undefined, managerToken.token)).status,
    ).toBe(200)

    const { status, body } = await audit('limit=1000')
    expect(status).toBe(200)
    const items = body.items
    const find = (method: string, route: string, actorId: string) =>
      items.filter((e) => e.method === method && e.route === route && e.actorId === actorId)
    const admin = { actor: 'test admin', actorId: adminId, role: 'admin' }
    expect(find('POST', '/api/v1/windows', adminId)).toContainEqual(
      expect.objectContaining({ ...admin, url: '/api/v1/windows', targetId: 'hall-1-w9', status: 201 }),
    )
    expect(find('POST', '/api/v1/devices/:id/rotate-secret', adminId)).toEqual([
      expect.objectContaining({
        ...admin,
        url: `/api/v1/devices/${pad.id}/rotate-secret`,
        targetId: pad.id,
        status: 200,
        body: null,
      }),
    ])
    // Made things are targeted by the id the answer gave them.
    expect(find('POST', '/api/v1/tokens', adminId).map((e) => e.targetId)).toContain(managerToken.id)
    const created = find('POST', '/api/v1/users', adminId)
    expect(created).toEqual([expect.objectContaining({ targetId: li.id, status: 201 })])
    expect(JSON.parse(created[0].body!)).toEqual({
      username: 'li',
      password: '[redacted]',
      role: 'manager',
      hallIds: ['hall-1'],
    })
    const changed = find('PATCH', '/api/v1/users/:id', adminId)
    expect(changed).toEqual([expect.objectContaining({ targetId: li.id })])
    expect(JSON.parse(changed[0].body!)).toEqual({ password: '[redacted]', displayName: '李' })

    const manager = { actor: 'li', actorId: `user:${li.id}`, role: 'manager' }
    const own = find('PUT', '/api/v1/session/password', manager.actorId)
    expect(own).toEqual([expect.objectContaining({ ...manager, targetId: null, status: 200 })])
    expect(JSON.parse(own[0].body!)).toEqual({ currentPassword: '[redacted]', newPassword: '[redacted]' })
    expect(find('PATCH', '/api/v1/windows/:id', manager.actorId)).toEqual([
      expect.objectContaining({
        ...manager,
        targetId: 'hall-1-w9',
        body: JSON.stringify({ name: '九号窗口' }),
      }),
    ])
    expect(find('POST', '/api/v1/devices/:id/rotate-secret', manager.actorId)).toEqual([
      expect.objectContaining({ ...manager, targetId: pad.id }),
    ])
    expect(find('POST', '/api/v1/windows/:id/sign-out', managerToken.id)).toEqual([
      expect.objectContaining({
        actor: 'queue system',
        role: 'manager',
        targetId: pad.windowId,
        ip: '127.0.0.1',
      }),
    ])
    // The seed's writes are there too, by the admin.
    expect(find('POST', '/api/v1/halls', adminId).map((e) => e.targetId)).toEqual(['hall-1'])
  })

  it('keeps no secret, token or password, even in headers a webhook sends upstream', async () => {
    const hookSecret = 'webhook-hmac-secret-0123456789'
    const appKey = 'upstream-app-key-value-42'
    const bearer = 'Bearer upstream-bearer-value-43'
    const hook = await s.api('POST', '/api/v1/webhooks', {
      name: '省好差评平台',
      url: 'https://upstream.example.test/hook',
      secret: hookSecret,
      headers: { 'X-App-Key': appKey, Authorization: bearer, 'X-Region': 'east-region-value' },
      active: false, // nothing to deliver to: the body is what matters here
    })
    expect(hook.status).toBe(201)
    secrets.push(hookSecret, appKey, bearer)
    const entry = (await audit(`route=${encodeURIComponent('/api/v1/webhooks')}`)).body.items[0]
    const body = JSON.parse(entry.body!)
    expect(body).toMatchObject({
      name: '省好差评平台',
      url: 'https://upstream.example.test/hook',
      secret: '[redacted]',
      headers: { 'X-App-Key': '[redacted]', Authorization: '[redacted]', 'X-Region': '[redacted]' },
    })
    const text = await tableText()
    expect(text.length).toBeGreaterThan(1000)
    expect(secrets.length).toBeGreaterThan(10)
    const found = secrets.filter((x) => text.includes(x))
    expect(found).toEqual([])
  })

  it('cuts a long body short', async () => {
    const label = 'x'.repeat(128)
    const path = `/api/v1/devices/${seed.pads[1].id}`
    expect((await s.api('PATCH', path, { label })).status).toBe(200)
    const [entry] = (await audit(`targetId=${seed.pads[1].id}&method=PATCH`)).body.items
    expect(entry.body).toBe(JSON.stringify({ label }))
    // The cap: a viewer token for hundreds of halls (ids are not checked) has a body of ~10 KB.
    const hallIds = Array.from({ length: 400 }, (_, i) => `a-hall-far-away-${i}`)
    const many = await s.api('POST', '/api/v1/tokens', { name: 'many halls', role: 'viewer', hallIds })
    expect(many.status).toBe(201)
    secrets.push(many.body.token)
    const [entry2] = (await audit(`targetId=${many.body.id}`)).body.items
    expect(entry2.body!.length).toBeLessThan(4200)
    expect(
      entry2.body!.startsWith('{"name":"many halls","role":"viewer","hallIds":["a-hall-far-away-0",'),
    ).toBe(true)
    expect(entry2.body).toMatch(/…\[cut, \d+ characters\]$/)
  })

  it('records no refused write, no read, no pad and no sign-in', async () => {
    const before = await count()
    const refused = [
      await s.api('POST', '/api/v1/windows', { id: 'v-w', hallId: 'hall-1', name: 'x' }, viewerToken),
      await s.api('POST', '/api/v1/halls', { id: 'm-h', name: 'x' }, managerToken.token),
      await s.api('POST', '/api/v1/tokens', { name: 'x', role: 'admin' }, managerToken.token),
      await asCookie(li.cookie, 'POST', '/api/v1/users', {
        username: 'zz',
        password: 'long enough 1',
        role: 'admin',
      }),
      await s.api('POST', '/api/v1/windows', { hallId: 'hall-1' }), // no name: 400
      await s.api('PATCH', '/api/v1/windows/no-such-window', { name: 'x' }), // 404
    ]
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 400, 404])
    // Reads, including reading the audit itself.
    for (const path of ['/api/v1/halls', '/api/v1/windows', '/api/v1/tokens', '/api/v1/audit'])
      expect((await s.api('GET', path)).status).toBe(200)
    expect((await asCookie(li.cookie, 'GET', '/api/v1/windows')).status).toBe(200)
    // A pad's ratings over HTTP are ratings, not a manager's writes.
    const pad = seed.pads[1]
    const rating = await fetch(`${s.httpUrl}/api/v1/pad/ratings`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${pad.id}:${pad.secret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(sampleRating({ staffNo: pad.staffNo })),
    })
    expect(rating.status).toBe(200)
    // Signing in, rightly or wrongly.
    expect((await signIn('li', 'a wrong password 9')).status).toBe(401)
    expect((await signIn('li', P3)).status).toBe(200)
    expect(await count()).toBe(before)
  })

  it('is read by admins only', async () => {
    expect((await audit('', viewerToken)).status).toBe(403)
    expect((await audit('', managerToken.token)).status).toBe(403)
    expect((await asCookie(li.cookie, 'GET', '/api/v1/audit')).status).toBe(403)
    expect((await audit()).status).toBe(200)
    expect((await audit('from=yesterday')).status).toBe(400)
    expect((await audit('limit=1001')).status).toBe(400)
    const t = new Date().toISOString()
    expect((await audit(`from=${t}&to=${t}`)).status).toBe(400)
  })

  it('filters, and pages newest first', async () => {
    const all = (await audit('limit=1000')).body.items
    expect(all.length).toBeGreaterThan(15)
    const times = all.map((e) => Date.parse(e.at))
    expect(times).toEqual([...times].sort((a, b) => b - a))

    const pages: string[] = []
    let cursor: string | null = null
    do {
      const page: { items: Entry[]; nextCursor: string | null } = (
        await audit(`limit=4${cursor ? `&cursor=${cursor}` : ''}`)
      ).body
      expect(page.items.length).toBeLessThanOrEqual(4)
      pages.push(...page.items.map((e) => e.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(pages).toEqual(all.map((e) => e.id))

    const byLi = (await audit(`actorId=user:${li.id}`)).body.items
    expect(byLi.length).toBe(all.filter((e) => e.actorId === `user:${li.id}`).length)
    expect(byLi.every((e) => e.actor === 'li')).toBe(true)
    const route = '/api/v1/devices/:id/rotate-secret'
    const rotations = (await audit(`route=${encodeURIComponent(route)}&method=POST`)).body.items
    expect(rotations.map((e) => e.actor)).toEqual(['li', 'test admin'])
    const w9 = (await audit('targetId=hall-1-w9')).body.items
    expect(w9.map((e) => e.method)).toEqual(['PATCH', 'POST'])

    // from is inclusive, to exclusive.
    const middle = all[Math.floor(all.length / 2)]
    const from = (await audit(`limit=1000&from=${middle.at}`)).body.items
    const to = (await audit(`limit=1000&to=${middle.at}`)).body.items
    expect(from.every((e) => e.at >= middle.at)).toBe(true)
    expect(to.every((e) => e.at < middle.at)).toBe(true)
    expect(from.map((e) => e.id)).toContain(middle.id)
    expect(from.length + to.length).toBe(all.length)
  })

  it('has no route that changes or removes an entry', async () => {
    const doc = (await s.api('GET', '/docs/json')).body as { paths: Record<string, Record<string, unknown>> }
    const auditPaths = Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/v1/audit'))
    expect(auditPaths.map(([p, ops]) => [p, Object.keys(ops)])).toEqual([['/api/v1/audit', ['get']]])
    const before = JSON.stringify(await s.app.db.prisma.auditEntry.findMany({ orderBy: { id: 'asc' } }))
    const id = (await audit('limit=1')).body.items[0].id
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
      for (const path of ['/api/v1/audit', `/api/v1/audit/${id}`])
        expect(
          (await s.api(method, path, method === 'DELETE' ? undefined : {})).status,
          `${method} ${path}`,
        ).toBe(404)
    expect(JSON.stringify(await s.app.db.prisma.auditEntry.findMany({ orderBy: { id: 'asc' } }))).toBe(before)
  })
})

describe('an audit entry the database will not take', () => {
  it('leaves the write answered as done, and the entry in the error log', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rp-audit-'))
    const lines: string[] = []
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean))
        done()
      },
    })
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: dataDir })
    const app = await buildApp({ config, logger: { level: 'error', stream } })
    try {
      const token = (await app.repos.tokens.create({ name: 'director', role: 'admin' })).token
      // The disk is full, say: the database refuses the audit row (and only it).
      await app.db.prisma.$executeRawUnsafe(
        `CREATE TRIGGER "AuditEntry_refused" BEFORE INSERT ON "AuditEntry" BEGIN SELECT RAISE(ABORT, 'no room for audit'); END`,
      )
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/halls',
        headers: { authorization: `Bearer ${token}` },
        payload: { id: 'h-audit', name: '大厅' },
      })
      // The hall was made: answering an error now would make the caller try again.
      expect(res.statusCode).toBe(201)
      expect(await app.db.prisma.hall.count({ where: { id: 'h-audit' } })).toBe(1)
      expect(await app.db.prisma.auditEntry.count()).toBe(0)
      const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'audit entry not stored')
      expect(logged).toMatchObject({
        level: 50,
        audit: {
          actor: 'director',
          method: 'POST',
          route: '/api/v1/halls',
          targetId: 'h-audit',
          status: 201,
        },
      })
      expect(JSON.stringify(logged.err)).toMatch(/no room for audit/)
    } finally {
      await app.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
