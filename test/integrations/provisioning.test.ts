// Provisioning: a hall key (made by an admin or the hall's manager, stored hashed) traded for a
// pad's own credentials over HTTP and over MQTT (username $provision, answer on a topic only that
// client may read); revoked keys refused; and the other path, a pad registered beforehand.
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROVISION_USERNAME, ProvisionResponse, provisionTopics } from '../../protocol/index.ts'
import { sha256 } from '../../server/security/secrets.ts'
import { subscribeRefused } from '../helpers/mqtt-acl.ts'
import { connectRefusal, RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

let s: TestServer
let pads: Awaited<ReturnType<typeof seedHall>>['pads']
let key: string
let keyId: string

beforeAll(async () => {
  s = await startServer()
  pads = (await seedHall(s, { windows: 1 })).pads
  await seedHall(s, { hallId: 'hall-2', windows: 1 })
  const k = await s.api('POST', '/api/v1/provisioning-keys', { hallId: 'hall-1', name: 'tablets 2026' })
  expect(k.status).toBe(201)
  key = k.body.key
  keyId = k.body.id
})
afterAll(async () => s?.close())

async function provisionOverHttp(body: object) {
  const res = await fetch(`${s.httpUrl}/api/v1/provision`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ v: 1, provisionKey: key, ...body }),
  })
  return { status: res.status, body: (await res.json()) as any }
}

async function provisioner(clientId: string, password = key): Promise<MqttClient> {
  return mqtt.connectAsync(s.mqttUrl, {
    username: PROVISION_USERNAME,
    password,
    clientId,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  })
}

describe('provisioning', () => {
  it('keeps only the hash of a key, shows it once, and lets only the hall’s people make one', async () => {
    const row = await s.app.db.prisma.provisioningKey.findUniqueOrThrow({ where: { id: keyId } })
    expect(row.keyHash).toBe(sha256(key))
    expect(JSON.stringify(row)).not.toContain(key)
    const list = await s.api('GET', '/api/v1/provisioning-keys?hallId=hall-1')
    expect(list.body[0]).not.toHaveProperty('key')
    const manager2 = (await s.app.repos.tokens.create({ name: 'm2', role: 'manager', hallIds: ['hall-2'] }))
      .token
    expect(
      (await s.api('POST', '/api/v1/provisioning-keys', { hallId: 'hall-1', name: 'x' }, manager2)).status,
    ).toBe(403)
    expect(
      (await s.api('POST', '/api/v1/provisioning-keys', { hallId: 'hall-2', name: 'x' }, manager2)).status,
    ).toBe(201)
  })

  it('gives a pad its own credentials over HTTP, in the key’s hall, and they work on the broker', async () => {
    const r = await provisionOverHttp({ deviceId: 'tablet-SN0001', model: 'RP-Tab', firmware: '2.0.1' })
    expect(r.status).toBe(201)
    expect(ProvisionResponse.parse(r.body)).toMatchObject({
      ok: true,
      deviceId: 'tablet-SN0001',
      hallId: 'hall-1',
    })
    const device = await s.app.repos.devices.get('tablet-SN0001')
    expect(device).toMatchObject({ hallId: 'hall-1', windowId: null, label: 'RP-Tab 2.0.1' })
    const pad = await RawPad.connect(s.mqttUrl, 'tablet-SN0001', r.body.secret)
    await waitFor(() => pad.configs.length > 0, 'config')
    expect(pad.configs.at(-1)!.window).toBeNull() // unconfigured until a manager binds it
    await pad.close()
    const taken = await provisionOverHttp({ deviceId: 'tablet-SN0001' })
    expect(taken.status).toBe(409)
    expect(taken.body).toMatchObject({ ok: false, error: expect.stringContaining('exists') })
    const made = await provisionOverHttp({})
    expect(made.status).toBe(201)
    expect(made.body.deviceId).toMatch(/^pad-/)
    const wrong = await provisionOverHttp({ provisionKey: 'rpk_not-a-real-key-at-all' })
    expect(wrong.status).toBe(401)
    const bad = await provisionOverHttp({ deviceId: 'has space' })
    expect(bad.status).toBe(400)
    expect(bad.body.message).toMatch(/body\.deviceId/)
  })

  it('gives a pad its credentials over MQTT on a response topic no other client may read', async () => {
    const c = await provisioner('prov-SN0002')
    const answers: unknown[] = []
    c.on('message', (_t, p) => answers.push(JSON.parse(p.toString())))
    await c.subscribeAsync(provisionTopics.response('prov-SN0002'), { qos: 1 })
    // Another provisioner, even with the key, cannot read that answer nor post as the first one.
    const other = await provisioner('prov-other')
    expect(await subscribeRefused(other, provisionTopics.response('prov-SN0002'))).toBe(true)
    expect(await subscribeRefused(other, 'rp/v1/provision/#')).toBe(true)
    await other.endAsync()

    await c.publishAsync(
      provisionTopics.request('prov-SN0002'),
      JSON.stringify({ v: 1, provisionKey: key, deviceId: 'kiosk-SN0002', model: 'K2' }),
      { qos: 1 },
    )
    const answer = ProvisionResponse.parse(await waitFor(() => answers[0], 'provisioning answer'))
    expect(answer).toMatchObject({ ok: true, deviceId: 'kiosk-SN0002', hallId: 'hall-1' })
    await c.endAsync()
    if (!answer.ok) throw new Error('not provisioned')
    const pad = await RawPad.connect(s.mqttUrl, answer.deviceId, answer.secret)
    const rating = pad.rating()
    await pad.send(rating)
    await waitFor(() => pad.ackedIds().has(rating.id), 'ack for the provisioned pad')
    await pad.close()
  })

  it('answers a bad request with the reason, and refuses wrong and revoked keys at CONNECT', async () => {
    const c = await provisioner('prov-bad')
    const answers: unknown[] = []
    c.on('message', (_t, p) => answers.push(JSON.parse(p.toString())))
    await c.subscribeAsync(provisionTopics.response('prov-bad'), { qos: 1 })
    await c.publishAsync(
      provisionTopics.request('prov-bad'),
      JSON.stringify({ v: 1, provisionKey: key, deviceId: '-x' }),
      { qos: 1 },
    )
    expect(await waitFor(() => answers[0], 'answer')).toMatchObject({
      ok: false,
      error: expect.stringContaining('deviceId'),
    })
    await c.endAsync()
    expect(await connectRefusal(s.mqttUrl, PROVISION_USERNAME, 'rpk_wrong-wrong-wrong-wrong')).toMatch(
      /Not authorized|Bad username/i,
    )
    expect((await s.api('POST', `/api/v1/provisioning-keys/${keyId}/revoke`)).body.revoked).toBe(true)
    expect(await connectRefusal(s.mqttUrl, PROVISION_USERNAME, key)).toMatch(/Not authorized|Bad username/i)
    expect((await provisionOverHttp({ deviceId: 'late-SN0003' })).status).toBe(401)
  })

  it('still lets an admin register a pad beforehand, which then connects with its secret', async () => {
    const pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
    await waitFor(() => pad.configs.length > 0, 'config')
    expect(pad.configs.at(-1)!.window?.id).toBe(pads[0].windowId)
    await pad.close()
  })
})
