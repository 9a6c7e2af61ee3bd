// The pad runtime end to end over a real MQTT broker (aedes in process), with the MQTT.js transport,
// the file outbox and the system clock: what a Node box runs.
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Aedes } from 'aedes'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  allPads,
  Birth,
  Death,
  parseTopic,
  Rating,
  topics,
  type Ack,
  type Status,
} from '../../protocol/index.ts'
import { randomId } from '../../device/adapters/ids.ts'
import { MqttTransport } from '../../device/adapters/mqtt/mqtt-transport.ts'
import { openFileStorage } from '../../device/adapters/node/file-outbox.ts'
import { SystemClock } from '../../device/adapters/system-clock.ts'
import { PadRuntime } from '../../device/pad.ts'
import type { PadStorage } from '../../device/ports/index.ts'
import { DEVICE, makeConfig, prompt } from './helpers.ts'

const ID = 'pad-e2e-1'

describe('pad over MQTT (aedes)', () => {
  let broker: Aedes
  let tcp: Server
  let url: string
  let server: MqttClient
  let dir: string
  const statuses: Status[] = []
  const ratings: Rating[] = []

  beforeAll(async () => {
    broker = await Aedes.createBroker()
    tcp = createServer(broker.handle)
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
    url = `mqtt://127.0.0.1:${(tcp.address() as { port: number }).port}`
    server = await mqtt.connectAsync(url, { clientId: 'test-server', reconnectPeriod: 0 })
    server.on('message', (topic, payload) => {
      const t = parseTopic(topic)
      if (!t || payload.length === 0) return
      const json = JSON.parse(payload.toString())
      if (t.channel === 'status') statuses.push(json)
      if (t.channel === 'rating') ratings.push(Rating.parse(json))
    })
    await server.subscribeAsync([allPads('status'), allPads('rating'), allPads('event')], { qos: 1 })
    dir = await mkdtemp(join(tmpdir(), 'pad-e2e-'))
  })

  afterAll(async () => {
    await server?.endAsync()
    await new Promise<void>((resolve) => broker?.close(() => resolve()))
    tcp?.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function bootPad(): Promise<{ pad: PadRuntime; transport: MqttTransport; storage: PadStorage }> {
    const storage = await openFileStorage(dir)
    const transport = new MqttTransport(url)
    const pad = await PadRuntime.open({
      deviceId: ID,
      device: DEVICE,
      storage,
      transport,
      clock: new SystemClock(),
      newId: () => randomId(),
    })
    pad.start()
    return { pad, transport, storage }
  }

  it('publishes birth, takes a config, sends a rating, drops it on ack, and leaves a will', async () => {
    const { pad, transport, storage } = await bootPad()
    await vi.waitFor(() => expect(statuses.some((s) => s.state === 'online')).toBe(true))
    expect(Birth.parse(statuses[0])).toMatchObject({ connectCount: 1, padState: 'unconfigured' })

    await server.publishAsync(topics.config(ID), JSON.stringify(makeConfig()), { qos: 1, retain: true })
    await vi.waitFor(() => expect(pad.screen.view).toBe('idle'))

    await server.publishAsync(topics.command(ID), JSON.stringify(prompt('tx-e2e-1')), { qos: 1 })
    await vi.waitFor(() => expect(pad.screen.view).toBe('prompting'))
    await pad.input({ type: 'key', key: 2 })
    await vi.waitFor(() => expect(ratings).toHaveLength(1))
    expect(ratings[0]).toMatchObject({ seq: 1, level: 4, transaction: { id: 'tx-e2e-1' }, replayed: false })
    expect(await storage.outbox.size()).toBe(1)

    const ack: Ack = { v: 1, ids: [ratings[0].id], serverTime: new Date().toISOString() }
    await server.publishAsync(topics.ack(ID), JSON.stringify(ack), { qos: 1 })
    await vi.waitFor(async () => expect(await storage.outbox.size()).toBe(0))

    // Power cut: the broker publishes the will with this connection's count.
    pad.halt()
    transport.drop()
    await vi.waitFor(() => expect(statuses.at(-1)?.state).toBe('offline'))
    expect(Death.parse(statuses.at(-1))).toEqual({ v: 1, state: 'offline', connectCount: 1 })
    await storage.close()
  })

  it('comes back after the reboot with the next connectCount and its config, and stops cleanly', async () => {
    const { pad, storage } = await bootPad()
    await vi.waitFor(() => expect(statuses.at(-1)).toMatchObject({ state: 'online', connectCount: 2 }))
    expect(pad.screen.view).toBe('idle')
    expect(statuses.at(-1)).toMatchObject({ configVersion: 1, staffNo: 'A001' })
    await pad.stop()
    await vi.waitFor(() => expect(statuses.at(-1)).toEqual({ v: 1, state: 'offline', connectCount: 2 }))
    await storage.close()
  })
})
