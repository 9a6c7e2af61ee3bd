// The HTTP authentication and ACL endpoints an external broker (EMQX-style) calls, and the
// Mosquitto ACL export: the same rules as the embedded broker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topics } from '../../protocol/index.ts'
import { seedHall, startServer, type TestServer } from '../helpers/server.ts'

let s: TestServer
let pads: Awaited<ReturnType<typeof seedHall>>['pads']
const SECRET = 'broker-shared-secret'

beforeAll(async () => {
  s = await startServer({
    BROKER_AUTH_SECRET: SECRET,
    MQTT_USERNAME: 'rp-server',
    MQTT_PASSWORD: 'server-pw',
  })
  pads = (await seedHall(s, { windows: 2 })).pads
})
afterAll(async () => s?.close())

const call = async (path: string, body: unknown, secret: string | null = SECRET) => {
  const res = await fetch(`${s.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { 'x-broker-auth': secret } : {}) },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: await res.json() }
}

describe('broker HTTP auth', () => {
  it('allows a pad with its secret and denies a wrong one or an unknown pad', async () => {
    expect((await call('/broker/auth', { username: pads[0].id, password: pads[0].secret })).body).toEqual({
      result: 'allow',
      is_superuser: false,
    })
    expect((await call('/broker/auth', { username: pads[0].id, password: 'nope' })).body.result).toBe('deny')
    expect((await call('/broker/auth', { username: 'ghost', password: 'x' })).body.result).toBe('deny')
    expect((await call('/broker/auth', { username: 'rp-server', password: 'server-pw' })).body).toEqual({
      result: 'allow',
      is_superuser: true,
    })
    expect((await call('/broker/auth', { username: 'rp-server', password: 'guess' })).body.result).toBe(
      'deny',
    )
  })

  it("denies a pad whose client id is another pad's device id (a takeover), allows its own", async () => {
    const auth = (clientid: string) =>
      call('/broker/auth', { username: pads[0].id, password: pads[0].secret, clientid }).then(
        (r) => r.body.result,
      )
    expect(await auth(pads[1].id)).toBe('deny')
    expect(await auth(`${pads[1].id}:x`)).toBe('deny')
    expect(await auth(`${pads[0].id}-2`)).toBe('deny')
    expect(await auth(pads[0].id)).toBe('allow')
    expect(await auth(`${pads[0].id}:diag`)).toBe('allow')
  })

  it('refuses callers without the shared secret', async () => {
    expect(
      (await call('/broker/auth', { username: pads[0].id, password: pads[0].secret }, null)).status,
    ).toBe(401)
    expect(
      (await call('/broker/auth', { username: pads[0].id, password: pads[0].secret }, 'wrong')).status,
    ).toBe(401)
  })

  it('applies the pad topic rules', async () => {
    const id = pads[0].id
    const acl = (topic: string, action: 'publish' | 'subscribe', retain?: boolean) =>
      call('/broker/acl', { username: id, topic, action, ...(retain === undefined ? {} : { retain }) }).then(
        (r) => r.body.result,
      )
    expect(await acl(topics.rating(id), 'publish')).toBe('allow')
    expect(await acl(topics.status(id), 'publish', true)).toBe('allow')
    expect(await acl(topics.rating(id), 'publish', true)).toBe('deny')
    expect(await acl(topics.rating(pads[1].id), 'publish')).toBe('deny')
    expect(await acl(topics.config(id), 'publish')).toBe('deny')
    expect(await acl(topics.config(id), 'subscribe')).toBe('allow')
    expect(await acl('rp/v1/+/rating', 'subscribe')).toBe('deny')
    expect(await acl('#', 'subscribe')).toBe('deny')
    expect(
      (
        await call('/broker/acl', {
          username: 'rp-server',
          topic: '$share/rp-server/rp/v1/+/rating',
          action: 'subscribe',
        })
      ).body.result,
    ).toBe('allow')
  })

  it('names a bad request field', async () => {
    const r = await call('/broker/acl', { username: 'x', topic: 't', action: 'delete' })
    expect(r.status).toBe(400)
    expect(r.body.message).toMatch(/body\.action/)
  })

  it('exports a Mosquitto ACL file for admins', async () => {
    const res = await fetch(`${s.httpUrl}/api/v1/broker/mosquitto/acl`, {
      headers: { authorization: `Bearer ${s.adminToken}` },
    })
    const text = await res.text()
    expect(text).toContain('user rp-server\ntopic readwrite rp/v1/#')
    expect(text).toContain('pattern write rp/v1/%u/rating')
    expect(text).toContain('pattern read rp/v1/%u/config')
  })
})

describe('broker HTTP auth switched off', () => {
  it('answers 404 when BROKER_AUTH_SECRET is not set', async () => {
    const other = await startServer()
    const res = await fetch(`${other.httpUrl}/broker/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-broker-auth': 'x' },
      body: '{"username":"a","password":"b"}',
    })
    expect(res.status).toBe(404)
    await other.close()
  })
})
