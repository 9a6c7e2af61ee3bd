// Pad identity on the embedded broker: device id + secret at CONNECT, and only its own topics.
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROVISION_USERNAME, topics } from '../../protocol/index.ts'
import { sampleRating } from '../fixtures/messages.ts'
import { connectRefusal, RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

let s: TestServer
let pads: Awaited<ReturnType<typeof seedHall>>['pads']

beforeAll(async () => {
  s = await startServer()
  pads = (await seedHall(s, { windows: 4 })).pads
})
afterAll(async () => s?.close())

describe('pad authentication at CONNECT', () => {
  it('refuses an unknown device', async () => {
    expect(await connectRefusal(s.mqttUrl, 'no-such-pad', 'whatever')).toMatch(
      /Not authorized|Bad username or password/i,
    )
  })

  it('refuses a wrong secret', async () => {
    expect(await connectRefusal(s.mqttUrl, pads[0].id, `${pads[0].secret}x`)).toMatch(/Not authorized/i)
  })

  it('refuses a missing password and the server identity without its password', async () => {
    expect(await connectRefusal(s.mqttUrl, pads[0].id, '')).toMatch(/Not authorized/i)
    expect(await connectRefusal(s.mqttUrl, '$rp-server', 'guess')).toMatch(/Not authorized/i)
  })

  it('accepts the right secret, and refuses the old one after rotation', async () => {
    expect(await connectRefusal(s.mqttUrl, pads[1].id, pads[1].secret)).toBeNull()
    const rotated = await s.api('POST', `/api/v1/devices/${pads[1].id}/rotate-secret`)
    expect(rotated.status).toBe(200)
    expect(await connectRefusal(s.mqttUrl, pads[1].id, pads[1].secret)).toMatch(/Not authorized/i)
    expect(await connectRefusal(s.mqttUrl, pads[1].id, rotated.body.secret)).toBeNull()
    pads[1].secret = rotated.body.secret
  })

  it('refuses a revoked device', async () => {
    const d = await s.api('POST', '/api/v1/devices', { id: 'pad-to-revoke', hallId: 'hall-1' })
    expect(await connectRefusal(s.mqttUrl, 'pad-to-revoke', d.body.secret)).toBeNull()
    await s.api('POST', '/api/v1/devices/pad-to-revoke/revoke')
    expect(await connectRefusal(s.mqttUrl, 'pad-to-revoke', d.body.secret)).toMatch(/Not authorized/i)
  })

  it('works over WebSocket at /mqtt for browser pads', async () => {
    const pad = await RawPad.connect(s.wsUrl, pads[2].id, pads[2].secret)
    const r = pad.rating()
    await pad.send(r)
    await waitFor(() => pad.ackedIds().has(r.id), 'ack over WebSocket')
    await pad.close()
  })
})

describe('client ids: no pad takes over another pad', () => {
  it("refuses a pad connecting with another pad's device id as client id, and the other pad stays up", async () => {
    const [a, b] = [pads[0], pads[3]]
    const victim = await mqtt.connectAsync(s.mqttUrl, {
      username: b.id,
      password: b.secret,
      clientId: b.id,
      reconnectPeriod: 0,
    })
    let dropped = false
    victim.on('close', () => (dropped = true))
    // Valid credentials for A, B's client id: the takeover a broker does by default.
    for (const clientId of [b.id, `${b.id}:x`])
      expect(await connectRefusal(s.mqttUrl, a.id, a.secret, clientId), clientId).toMatch(/Not authorized/i)
    // Nor any client id that is not A's own, and not one that only starts like A's id.
    for (const clientId of ['mqttjs_1234abcd', `${a.id}x`, `${a.id}-2`, `x${a.id}`])
      expect(await connectRefusal(s.mqttUrl, a.id, a.secret, clientId), clientId).toMatch(/Not authorized/i)
    // B is still connected and still gets its ratings acked.
    victim.on('message', () => {})
    await victim.subscribeAsync(topics.ack(b.id), { qos: 1 })
    const acked = new Promise<void>((resolve) =>
      victim.on('message', (_t, p) => JSON.parse(p.toString()).ids.includes(r.id) && resolve()),
    )
    const r = sampleRating()
    await victim.publishAsync(topics.rating(b.id), JSON.stringify(r), { qos: 1 })
    await acked
    expect(dropped).toBe(false)
    expect(victim.connected).toBe(true)
    await victim.endAsync()
  })

  it('accepts the device id, or the device id, a colon and a suffix', async () => {
    expect(await connectRefusal(s.mqttUrl, pads[0].id, pads[0].secret, pads[0].id)).toBeNull()
    expect(await connectRefusal(s.mqttUrl, pads[0].id, pads[0].secret, `${pads[0].id}:diag`)).toBeNull()
  })

  it("refuses a provisioning client using a registered pad's id as client id", async () => {
    const k = await s.api('POST', '/api/v1/provisioning-keys', { hallId: 'hall-1', name: 'takeover test' })
    expect(k.status).toBe(201)
    const victim = await RawPad.connect(s.mqttUrl, pads[2].id, pads[2].secret)
    expect(await connectRefusal(s.mqttUrl, PROVISION_USERNAME, k.body.key, pads[2].id)).toMatch(
      /Not authorized/i,
    )
    expect(await connectRefusal(s.mqttUrl, PROVISION_USERNAME, k.body.key, 'SN-not-a-pad')).toBeNull()
    expect(victim.client.connected).toBe(true)
    await victim.close()
  })
})

describe('pad topics', () => {
  it('disconnects a pad publishing on another pad topic, and stores nothing', async () => {
    const pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
    const closed = new Promise((resolve) => pad.client.once('close', () => resolve(null)))
    const forged = pad.rating()
    pad.client.publish(topics.rating(pads[3].id), JSON.stringify(forged), { qos: 1 })
    await closed
    await new Promise((r) => setTimeout(r, 200))
    expect(await s.app.db.prisma.rating.count({ where: { ratingId: forged.id } })).toBe(0)
    await pad.close()
  })

  it('disconnects a pad publishing outside the protocol (or to a server-to-pad channel)', async () => {
    for (const topic of ['elsewhere/x', topics.config(pads[0].id), topics.ack(pads[0].id)]) {
      const pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
      const closed = new Promise((resolve) => pad.client.once('close', () => resolve(null)))
      pad.client.publish(topic, '{}', { qos: 1 })
      await closed
      await pad.close()
    }
  })

  it('refuses a subscription to another pad topic or a wildcard', async () => {
    const client = await mqtt.connectAsync(s.mqttUrl, {
      username: pads[0].id,
      password: pads[0].secret,
      clientId: pads[0].id,
      reconnectPeriod: 0,
    })
    // mqtt.js turns a SUBACK of 0x80 (refused) into an error naming it.
    for (const refused of [topics.ack(pads[3].id), 'rp/v1/+/rating', '#', topics.rating(pads[0].id)]) {
      await expect(client.subscribeAsync(refused, { qos: 1 }), refused).rejects.toThrow(/Subscribe error/)
    }
    expect((await client.subscribeAsync(topics.config(pads[0].id), { qos: 1 }))[0].qos).toBe(1)
    expect(client.connected).toBe(true)
    await client.endAsync()
  })

  it('receives its retained config on connect, and a new one when its staff changes', async () => {
    const pad = await RawPad.connect(s.mqttUrl, pads[3].id, pads[3].secret)
    const first = await waitFor(() => pad.configs[0], 'retained config')
    expect(first).toMatchObject({
      hall: { id: 'hall-1' },
      window: { id: pads[3].windowId },
      staff: { staffNo: pads[3].staffNo, name: '工作人员4', stars: 4 },
      scale: 5,
    })
    expect(first.keyLabels).toEqual(['非常满意', '满意', '基本满意', '不满意', '非常不满意'])
    await s.api('PATCH', '/api/v1/halls/hall-1', { scale: 3 })
    const next = await waitFor(() => pad.configs.find((c) => c.scale === 3), 'config after the hall changed')
    expect(next.version).toBeGreaterThan(first.version)
    expect(next.keyLabels).toEqual(['满意', '基本满意', '不满意'])
    await pad.close()
  })
})
