// The registry over REST: validation, roles and hall scope, secrets shown once, OpenAPI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedHall, startServer, type TestServer } from '../helpers/server.ts'

let s: TestServer
let viewer: string
let manager: string

beforeAll(async () => {
  s = await startServer()
  await seedHall(s, { hallId: 'hall-a', windows: 1 })
  await seedHall(s, { hallId: 'hall-b', windows: 1 })
  viewer = (await s.app.repos.tokens.create({ name: 'viewer', role: 'viewer' })).token
  manager = (await s.app.repos.tokens.create({ name: 'manager of a', role: 'manager', hallIds: ['hall-a'] }))
    .token
})
afterAll(async () => s?.close())

describe('validation', () => {
  it('answers 400 naming the field', async () => {
    const r = await s.api('POST', '/api/v1/halls', { name: '', scale: 7 })
    expect(r.status).toBe(400)
    expect(r.body.message).toMatch(/body\.name/)
    expect(r.body.message).toMatch(/body\.scale/)
    expect(r.body.issues.map((i: { field: string }) => i.field)).toEqual(
      expect.arrayContaining(['body.name', 'body.scale']),
    )
  })

  it('names a nested field and a query field', async () => {
    const r = await s.api('POST', '/api/v1/halls', {
      name: 'x',
      openingHours: [{ day: 1, open: '8:00', close: '17:00' }],
    })
    expect(r.status).toBe(400)
    expect(r.body.message).toMatch(/body\.openingHours\.0\.open: must be HH:MM/)
    const q = await s.api('GET', '/api/v1/ratings?limit=0')
    expect(q.status).toBe(400)
    expect(q.body.message).toMatch(/querystring\.limit/)
  })

  it('refuses key labels that do not fit the scale, a bad time zone and a bad device id', async () => {
    const labels = await s.api('POST', '/api/v1/halls', { name: 'x', scale: 3, keyLabels: ['好', '差'] })
    expect(labels).toMatchObject({ status: 400, body: { issues: [{ field: 'body.keyLabels' }] } })
    const tz = await s.api('POST', '/api/v1/halls', { name: 'x', timeZone: 'Mars/Olympus' })
    expect(tz).toMatchObject({ status: 400, body: { issues: [{ field: 'body.timeZone' }] } })
    const dev = await s.api('POST', '/api/v1/devices', { id: 'pad/+/#', hallId: 'hall-a' })
    expect(dev.status).toBe(400)
    expect(dev.body.message).toMatch(/body\.id/)
  })

  it('refuses a device bound to a window of another hall', async () => {
    const r = await s.api('POST', '/api/v1/devices', { hallId: 'hall-a', windowId: 'hall-b-w1' })
    expect(r).toMatchObject({ status: 400, body: { issues: [{ field: 'body.windowId' }] } })
  })

  it('answers 409 for a duplicate staff number and 404 for an unknown window', async () => {
    expect(
      (await s.api('POST', '/api/v1/staff', { staffNo: 'hall-a-S1', hallId: 'hall-a', name: 'dup' })).status,
    ).toBe(409)
    expect((await s.api('GET', '/api/v1/windows/nope')).status).toBe(404)
  })
})

describe('auth', () => {
  it('needs a token', async () => {
    const res = await fetch(`${s.httpUrl}/api/v1/halls`)
    expect(res.status).toBe(401)
    expect((await s.api('GET', '/api/v1/halls', undefined, 'rp_wrong')).status).toBe(401)
  })

  it('lets a viewer read but not write', async () => {
    expect((await s.api('GET', '/api/v1/halls', undefined, viewer)).body).toHaveLength(2)
    for (const [method, path, body] of [
      ['POST', '/api/v1/halls', { name: 'x' }],
      ['PATCH', '/api/v1/halls/hall-a', { name: 'x' }],
      ['POST', '/api/v1/windows', { hallId: 'hall-a', name: '9号' }],
      ['POST', '/api/v1/devices', { hallId: 'hall-a' }],
      ['POST', '/api/v1/windows/hall-a-w1/sign-out', undefined],
    ] as const) {
      const r = await s.api(method, path, body, viewer)
      expect(r.status, `${method} ${path}`).toBe(403)
    }
  })

  it('scopes a hall manager to their halls', async () => {
    const halls = await s.api('GET', '/api/v1/halls', undefined, manager)
    expect(halls.body.map((h: { id: string }) => h.id)).toEqual(['hall-a'])
    expect((await s.api('GET', '/api/v1/halls/hall-b', undefined, manager)).status).toBe(403)
    expect((await s.api('GET', '/api/v1/windows/hall-b-w1', undefined, manager)).status).toBe(403)
    expect(
      (await s.api('GET', '/api/v1/devices', undefined, manager)).body.every(
        (d: { hallId: string }) => d.hallId === 'hall-a',
      ),
    ).toBe(true)
    expect((await s.api('POST', '/api/v1/windows', { hallId: 'hall-b', name: '9号' }, manager)).status).toBe(
      403,
    )
    expect((await s.api('POST', '/api/v1/windows', { hallId: 'hall-a', name: '9号' }, manager)).status).toBe(
      201,
    )
    expect((await s.api('POST', '/api/v1/halls', { name: 'new' }, manager)).status).toBe(403)
    expect((await s.api('GET', '/api/v1/rejected-messages', undefined, manager)).status).toBe(403)
  })

  it('makes tokens for admins only', async () => {
    expect((await s.api('POST', '/api/v1/tokens', { name: 't', role: 'viewer' }, manager)).status).toBe(403)
    const t = await s.api('POST', '/api/v1/tokens', { name: 'reporter', role: 'viewer', hallIds: ['hall-b'] })
    expect(t.status).toBe(201)
    expect(
      (await s.api('GET', '/api/v1/halls', undefined, t.body.token)).body.map((h: { id: string }) => h.id),
    ).toEqual(['hall-b'])
    expect((await s.api('POST', '/api/v1/tokens', { name: 'm', role: 'manager' })).status).toBe(400)
  })
})

describe('registry', () => {
  it('shows a device secret once and stores only its hash', async () => {
    const created = await s.api('POST', '/api/v1/devices', {
      id: 'pad-new',
      hallId: 'hall-a',
      windowId: 'hall-a-w1',
      label: '1号窗口评价器',
    })
    expect(created.status).toBe(201)
    expect(created.body.secret).toMatch(/^[A-Za-z0-9_-]{32}$/)
    const fetched = await s.api('GET', '/api/v1/devices/pad-new')
    expect(fetched.body.secret).toBeUndefined()
    const row = await s.app.db.prisma.device.findUnique({ where: { id: 'pad-new' } })
    expect(row!.secretHash).toMatch(/^scrypt\$/)
    expect(row!.secretHash).not.toContain(created.body.secret)
  })

  it('signs staff in and out, one window at a time', async () => {
    await s.api('POST', '/api/v1/windows', { id: 'hall-a-w2', hallId: 'hall-a', name: '2号窗口' })
    const moved = await s.api('POST', '/api/v1/windows/hall-a-w2/sign-in', { staffNo: 'hall-a-S1' })
    expect(moved.body.signedIn).toMatchObject({ staffNo: 'hall-a-S1', name: '工作人员1' })
    const signIns = await s.api('GET', '/api/v1/sign-ins?hallId=hall-a')
    expect(signIns.body.map((w: { id: string }) => w.id)).toEqual(['hall-a-w2'])
    expect((await s.api('POST', '/api/v1/windows/hall-a-w2/sign-in', { staffNo: 'hall-b-S1' })).status).toBe(
      400,
    )
    const out = await s.api('POST', '/api/v1/windows/hall-a-w2/sign-out')
    expect(out.body.signedIn).toBeNull()
    const history = await s.app.db.prisma.signIn.findMany({
      where: { staff: { staffNo: 'hall-a-S1' } },
      orderBy: { signedInAt: 'asc' },
    })
    expect(history).toHaveLength(2)
    expect(history.every((h) => h.signedOutAt !== null)).toBe(true)
  })

  it('serves OpenAPI built from the same schemas', async () => {
    const doc = await fetch(`${s.httpUrl}/docs/json`).then((r) => r.json())
    expect(doc.openapi).toMatch(/^3\./)
    const body = doc.paths['/api/v1/halls'].post.requestBody.content['application/json'].schema
    expect(body.properties.scale).toBeDefined()
    expect(doc.paths['/api/v1/devices/{id}/rotate-secret']).toBeDefined()
  })
})
