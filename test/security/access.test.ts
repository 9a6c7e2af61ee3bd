// Who may do what, checked over every route the OpenAPI document lists (so a new route is covered
// the day it appears): a viewer can write nothing, a hall manager reads and writes nothing of another
// hall, and password guessing on the dashboard sign-in is slowed and then locked.
import { createHash } from 'node:crypto'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fillPath, openApi, operations, type Operation, type PathIds } from '../helpers/openapi.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

let s: TestServer
let viewer: string
let managerA: string
/** Ids of hall B's things, to put in paths and queries as hall A's manager. */
let B: PathIds & { caseId: string; ratingId: string }
let routes: Operation[]

beforeAll(async () => {
  s = await startServer()
  const a = await seedHall(s, { hallId: 'hall-a', windows: 1 })
  const b = await seedHall(s, { hallId: 'hall-b', windows: 1 })
  viewer = (await s.api('POST', '/api/v1/tokens', { name: 'viewer', role: 'viewer' })).body.token
  managerA = (
    await s.api('POST', '/api/v1/tokens', { name: 'manager a', role: 'manager', hallIds: ['hall-a'] })
  ).body.token
  // A 差评 in each hall, so hall B has a follow-up case and ratings to leak.
  for (const h of [a, b]) {
    const pad = await RawPad.connect(s.mqttUrl, h.pads[0].id, h.pads[0].secret)
    const r = pad.rating({ key: 5, level: 1, class: 'bad', reasons: ['attitude'] })
    await pad.send(r)
    await waitFor(() => pad.ackedIds().has(r.id), 'acked')
    await pad.close()
  }
  const bCase = await s.app.db.prisma.followupCase.findFirstOrThrow({ where: { hallId: 'hall-b' } })
  const bRating = await s.app.db.prisma.rating.findFirstOrThrow({ where: { hallId: 'hall-b' } })
  B = {
    hallId: 'hall-b',
    windowId: b.pads[0].windowId,
    staffNo: b.pads[0].staffNo,
    deviceId: b.pads[0].id,
    caseId: bCase.id,
    ratingId: bRating.id,
  }
  routes = operations(await openApi(s))
})
afterAll(async () => s?.close())

/** Fills path parameters with hall B's ids ({id} by what the path is about). */
const fill = (path: string) => fillPath(path, B)

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${s.httpUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  })
  return { status: res.status, text: await res.text() }
}

/** Everything in the database except what reading itself touches, as one digest. */
function databaseDigest(): string {
  const db = new BetterSqlite3(`${s.dataDir}/rating-pad.db`, { readonly: true })
  try {
    const tables = (
      db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
        .all() as {
        name: string
      }[]
    )
      .map((t) => t.name)
      .filter((t) => !['Device'].includes(t)) // lastSeenAt moves as pads come and go
      .sort()
    const h = createHash('sha256')
    for (const t of tables) h.update(t + JSON.stringify(db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all()))
    return h.digest('hex')
  } finally {
    db.close()
  }
}

const api = (path: string) => path.startsWith('/api/v1/')
/** Routes with their own authentication (pads, brokers, provisioning, the sign-in itself). */
const ownAuth = (path: string) =>
  /^\/api\/v1\/(pad\/|provision|session$)/.test(path) || path.startsWith('/broker')

describe('a viewer', () => {
  it('is refused every write route, and the database does not change', async () => {
    const before = databaseDigest()
    const writes = routes.filter((r) => r.method !== 'GET' && api(r.path) && !ownAuth(r.path))
    expect(writes.length).toBeGreaterThan(20)
    const allowed: string[] = []
    for (const r of writes) {
      // An empty body and B's ids: whether validation or the role check answers, it must refuse.
      const res = await call(r.method, fill(r.path), viewer, r.method === 'DELETE' ? undefined : {})
      if (res.status < 400 || res.status >= 500) allowed.push(`${r.method} ${r.path}: ${res.status}`)
    }
    expect(allowed).toEqual([])
    // With a valid body the role check is what refuses.
    for (const [method, path, body] of [
      ['POST', '/api/v1/halls', { id: 'viewer-hall', name: 'x' }],
      ['POST', '/api/v1/windows', { id: 'viewer-w', hallId: 'hall-b', name: 'x' }],
      ['POST', '/api/v1/devices', { hallId: 'hall-b' }],
      ['POST', `/api/v1/devices/${B.deviceId}/revoke`, undefined],
      ['POST', `/api/v1/devices/${B.deviceId}/rotate-secret`, undefined],
      ['POST', `/api/v1/followups/${B.caseId}/steps`, { action: 'callback', note: '已回访' }],
      ['POST', '/api/v1/tokens', { name: 'x', role: 'admin' }],
    ] as const) {
      const res = await call(method, path, viewer, body)
      expect(res.status, `${method} ${path}`).toBe(403)
    }
    expect(databaseDigest()).toBe(before)
  })
})

describe('a hall manager', () => {
  it("reads nothing of another hall on any route: 403/404, or an answer without the hall's data", async () => {
    const leaks: string[] = []
    const reads = routes.filter((r) => r.method === 'GET' && api(r.path) && !ownAuth(r.path))
    expect(reads.length).toBeGreaterThan(20)
    const period = 'period=month&date=' + new Date().toISOString().slice(0, 10)
    for (const r of reads) {
      for (const query of [`hallId=${B.hallId}&${period}`, period, '']) {
        const url = `${fill(r.path)}${query ? `?${query}` : ''}`
        const res = await call('GET', url, managerA)
        if (res.status === 403 || res.status === 404 || res.status === 400) continue
        if (res.status >= 500) leaks.push(`${url}: ${res.status}`)
        // Whatever answers 200 must not carry hall B's things.
        for (const id of [B.hallId, B.windowId, B.staffNo, B.deviceId, B.caseId, B.ratingId])
          if (res.text.includes(id)) leaks.push(`${url}: contains ${id}`)
      }
    }
    expect(leaks).toEqual([])
  })

  it("is refused every write to another hall's things", async () => {
    const before = databaseDigest()
    const writes = routes.filter(
      (r) => r.method !== 'GET' && api(r.path) && !ownAuth(r.path) && /\{\w+\}/.test(r.path),
    )
    const allowed: string[] = []
    for (const r of writes) {
      const res = await call(r.method, fill(r.path), managerA, r.method === 'DELETE' ? undefined : {})
      if (res.status < 400 || res.status >= 500) allowed.push(`${r.method} ${r.path}: ${res.status}`)
    }
    expect(allowed).toEqual([])
    for (const [method, path, body] of [
      ['POST', `/api/v1/followups/${B.caseId}/steps`, { action: 'callback', note: '已回访' }],
      ['POST', `/api/v1/devices/${B.deviceId}/revoke`, undefined],
      ['POST', '/api/v1/devices', { hallId: 'hall-b' }],
      ['PATCH', `/api/v1/halls/${B.hallId}`, { name: '改名' }],
      [
        'PUT',
        `/api/v1/halls/${B.hallId}/followup-policy`,
        { callbackDays: 2, simpleRectifyDays: 5, complexRectifyDays: 15 },
      ],
    ] as const) {
      const res = await call(method, path, managerA, body)
      expect(res.status, `${method} ${path}`).toBe(403)
    }
    expect(databaseDigest()).toBe(before)
  })
})

describe('password guessing on the dashboard sign-in', () => {
  const login = (username: string, password: string, ip?: string) =>
    fetch(`${s.httpUrl}/api/v1/session`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-requested-with': 'rating-pad',
        ...(ip ? { 'x-forwarded-for': ip } : {}),
      },
      body: JSON.stringify({ username, password }),
    }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
      retry: r.headers.get('retry-after'),
    }))

  it('locks a username after five wrong passwords, refuses even the right one while locked, and answers an unknown name alike', async () => {
    await s.app.users.create({ username: 'director', password: 'correct horse 1', role: 'admin' })
    const answers = []
    for (let i = 0; i < 4; i++) answers.push(await login('director', `guess-${i}`))
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401])
    expect(answers.map((a) => a.body.attemptsLeft)).toEqual([4, 3, 2, 1])
    const fifth = await login('director', 'guess-4')
    expect(fifth.status).toBe(429)
    expect(Number(fifth.retry)).toBeGreaterThan(60)
    // The right password does not get through a lock: a guesser cannot tell it was right.
    expect((await login('director', 'correct horse 1')).status).toBe(429)
    // An unknown username is counted and answered the same way: no telling which names exist.
    const unknown = await login('nobody-here', 'guess')
    expect(unknown.status).toBe(401)
    expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(answers[0].body).sort())
  })

  it('locks a client address that tries many usernames', async () => {
    let status = 0
    let tries = 0
    for (; tries < 40 && status !== 429; tries++) status = (await login(`user-${tries}`, 'guess')).status
    expect(status).toBe(429)
    expect(tries).toBeLessThanOrEqual(25)
  })
})
