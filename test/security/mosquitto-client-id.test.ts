// The Mosquitto layout of docs/deploy.md: a broker drops the older connection of a client id, and a
// Mosquitto ACL cannot tie the client id to the username, so pads get a listener with
// use_username_as_clientid (a pad with valid credentials cannot knock another off by sending its
// client id) and the server instances, which share one username, a listener without it.
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topics } from '../../protocol/index.ts'
import { mosquittoAclFile } from '../../server/broker/acl.ts'
import { mosquittoHash } from '../../server/security/secrets.ts'
import { startMosquitto, type TestMosquitto } from '../helpers/mosquitto.ts'
import { waitFor } from '../helpers/server.ts'

let broker: TestMosquitto
const clients: MqttClient[] = []

beforeAll(async () => {
  broker = await startMosquitto({
    passwd: ['rp-server:server-pw', 'pad-a:secret-a', 'pad-b:secret-b']
      .map((l) => l.split(':'))
      .map(([u, p]) => `${u}:${mosquittoHash(p)}`)
      .join('\n'),
    acl: mosquittoAclFile('rp-server'),
    clientIdFromUsername: true,
  })
})
afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => {})
  await broker?.stop()
})

async function connect(url: string, username: string, password: string, clientId: string) {
  const c = await mqtt.connectAsync(url, { username, password, clientId, reconnectPeriod: 0 })
  clients.push(c)
  let closed = false
  c.on('close', () => (closed = true))
  return { c, closed: () => closed }
}

/** A QoS 1 round trip: when it is back, a takeover that happened before it has closed the client. */
const roundTrip = (c: MqttClient, id: string) =>
  c.publishAsync(topics.rating(id), '{}', { qos: 1 }).catch(() => {})

describe('client ids on Mosquitto', () => {
  it("keeps pad B connected when pad A sends B's device id as client id on the pads' listener", async () => {
    const b = await connect(broker.url, 'pad-b', 'secret-b', 'pad-b')
    const a = await connect(broker.url, 'pad-a', 'secret-a', 'pad-b')
    await roundTrip(a.c, 'pad-a')
    await roundTrip(b.c, 'pad-b')
    expect(b.closed()).toBe(false)
    expect(a.closed()).toBe(false)
  })

  it('without use_username_as_clientid (the internal listener) the same connect drops B: the takeover', async () => {
    const b = await connect(broker.internalUrl!, 'pad-b', 'secret-b', 'pad-b-internal')
    const a = await connect(broker.internalUrl!, 'pad-a', 'secret-a', 'pad-b-internal')
    await roundTrip(a.c, 'pad-a')
    await waitFor(() => b.closed(), 'pad B dropped')
  })

  it('keeps two server instances with one username and their own client ids up on the internal listener', async () => {
    const one = await connect(broker.internalUrl!, 'rp-server', 'server-pw', 'rp-server-1')
    const two = await connect(broker.internalUrl!, 'rp-server', 'server-pw', 'rp-server-2')
    await roundTrip(two.c, 'pad-a')
    await roundTrip(one.c, 'pad-a')
    expect(one.closed()).toBe(false)
    expect(two.closed()).toBe(false)
  })
})
