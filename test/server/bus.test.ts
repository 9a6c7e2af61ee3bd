// One contract for the server's bus, run against both of its links: in-process to the embedded
// aedes (the default) and an MQTT connection to an external broker (a private Mosquitto). Pads are
// real mqtt.js clients with their own credentials.
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topics } from '../../protocol/index.ts'
import { Bus } from '../../server/broker/bus.ts'
import { EmbeddedBroker } from '../../server/broker/embedded.ts'
import { mosquittoHash } from '../../server/security/secrets.ts'
import { freePort } from '../helpers/server-process.ts'
import { startServerMosquitto, type ServerMosquitto } from '../helpers/mosquitto.ts'
import { waitFor } from '../helpers/server.ts'

const PAD = 'bus-pad-1'
const PAD_SECRET = 'pad-secret-1'

interface Setup {
  bus: Bus
  /** Where pads connect. */
  url: string
  close(): Promise<void>
}

const LINKS: [string, () => Promise<Setup>][] = [
  [
    'the embedded broker, in-process',
    async () => {
      const broker = await EmbeddedBroker.start({
        port: await freePort(),
        host: '127.0.0.1',
        log: { info: () => {}, warn: () => {} },
        verifyDevice: async (id, secret) => id === PAD && secret === PAD_SECRET,
      })
      const bus = Bus.inProcess(broker.aedes)
      return {
        bus,
        url: `mqtt://127.0.0.1:${broker.port}`,
        close: async () => (await bus.close(), await broker.close()),
      }
    },
  ],
  [
    'an external broker (Mosquitto), over MQTT',
    async () => {
      const mosquitto: ServerMosquitto = await startServerMosquitto()
      const env = mosquitto.serverEnv
      await mosquitto.setPasswords(
        `${env.MQTT_USERNAME}:${mosquittoHash(env.MQTT_PASSWORD)}\n${PAD}:${mosquittoHash(PAD_SECRET)}\n`,
      )
      const bus = await Bus.connect({
        url: mosquitto.url,
        username: env.MQTT_USERNAME,
        password: env.MQTT_PASSWORD,
        clientId: 'bus-test-server',
      })
      return { bus, url: mosquitto.url, close: async () => (await bus.close(), await mosquitto.stop()) }
    },
  ],
]

describe.each(LINKS)('the bus on %s', (_name, setup) => {
  let s: Setup
  let pad: MqttClient
  beforeAll(async () => {
    s = await setup()
    pad = await mqtt.connectAsync(s.url, {
      clientId: PAD,
      username: PAD,
      password: PAD_SECRET,
      reconnectPeriod: 0,
    })
  })
  afterAll(async () => {
    await pad?.endAsync()
    await s?.close()
  })

  it('gives a subscription the retained messages it matches, then what pads publish', async () => {
    const status = JSON.stringify({ state: 'online', n: 1 })
    await pad.publishAsync(topics.status(PAD), status, { qos: 1, retain: true })
    const got: [string, string][] = []
    // A shared subscription, as several server instances use: each link delivers it.
    await s.bus.subscribe('$share/rp/rp/v1/+/status', (t, p) => got.push([t, p.toString()]))
    await s.bus.subscribe('rp/v1/+/rating', (t, p) => got.push([t, p.toString()]))
    await waitFor(() => got.length >= 1, 'the retained status')
    expect(got[0]).toEqual([topics.status(PAD), status])

    await pad.publishAsync(topics.rating(PAD), '{"id":"r1"}', { qos: 1 })
    await waitFor(() => got.length >= 2, 'the rating')
    expect(got[1]).toEqual([topics.rating(PAD), '{"id":"r1"}'])
    expect(got).toHaveLength(2) // each message to the one handler whose filter matches it
  })

  it('publishes to pads (QoS 1), keeps retained ones for later subscribers, and shows each to its taps', async () => {
    const tapped: string[] = []
    s.bus.onPublish((t) => void tapped.push(t))
    const received: [string, string][] = []
    pad.on('message', (t, p) => received.push([t, p.toString()]))
    await pad.subscribeAsync([topics.ack(PAD), topics.config(PAD)], { qos: 1 })

    await s.bus.publish(topics.ack(PAD), '{"ids":["r1"]}', { qos: 1 })
    await s.bus.publish(topics.config(PAD), '{"version":3}', { qos: 1, retain: true })
    await waitFor(() => received.length >= 2, 'ack and config at the pad')
    expect(received).toEqual([
      [topics.ack(PAD), '{"ids":["r1"]}'],
      [topics.config(PAD), '{"version":3}'],
    ])
    expect(tapped).toEqual([topics.ack(PAD), topics.config(PAD)])

    // A pad subscribing later (after a reboot) still finds its retained config.
    await pad.unsubscribeAsync(topics.config(PAD))
    received.length = 0
    await pad.subscribeAsync(topics.config(PAD), { qos: 1 })
    await waitFor(() => received.length >= 1, 'the retained config')
    expect(received[0]).toEqual([topics.config(PAD), '{"version":3}'])
  })

  it('delivers nothing more once closed', async () => {
    const got: string[] = []
    await s.bus.subscribe('rp/v1/+/event', (t) => got.push(t))
    await pad.publishAsync(topics.event(PAD), '{"id":"e1"}', { qos: 1 })
    await waitFor(() => got.length === 1, 'the event')
    await s.bus.close()
    await pad.publishAsync(topics.event(PAD), '{"id":"e2"}', { qos: 1 })
    // A round trip through the broker after the second event: had it been delivered, it would be here.
    await pad.publishAsync(topics.rating(PAD), '{"id":"r2"}', { qos: 1 })
    expect(got).toEqual([topics.event(PAD)])
  })
})
