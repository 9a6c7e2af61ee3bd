// Runs the enabled drivers: their vendor messages in (decoded, then handed to the same ingest as
// any pad's message), and whatever the server publishes to one of their devices out (re-encoded
// into the vendor's format as it is published, by the instance that publishes it).
import {
  Ack,
  Command,
  Config,
  DOWN_CHANNELS,
  parseTopic,
  topicFor,
  type DownChannel,
} from '../../protocol/index.ts'
import type { Bus } from '../broker/bus.ts'
import type { Ingest } from '../ingest/ingest.ts'
import type { PadConfigPublisher } from '../ingest/pad-config.ts'
import type { DeviceRepository } from '../repositories/devices.ts'
import type { Downlink, Driver, RawMessage } from './driver.ts'
import type { DriverSet } from './registry.ts'

export interface DriverHostOptions {
  drivers: DriverSet
  bus: Bus
  ingest: Ingest
  devices: DeviceRepository
  padConfig: PadConfigPublisher
  log: { warn(obj: object, msg: string): void }
  /** Shared-subscription group on an external broker, so each vendor message is handled once. */
  shareGroup?: string
}

const DOWN_SCHEMAS = { ack: Ack, config: Config, command: Command } as const

export class DriverHost {
  constructor(private readonly o: DriverHostOptions) {}

  async start() {
    for (const driver of this.o.drivers.drivers)
      for (const filter of driver.subscriptions)
        await this.o.bus.subscribe(
          this.o.shareGroup ? `$share/${this.o.shareGroup}/${filter}` : filter,
          (topic, payload) => void this.uplink(driver, { topic, payload, receivedAt: new Date() }),
        )
    if (this.o.drivers.drivers.length) this.o.bus.onPublish((topic, payload) => this.downlink(topic, payload))
  }

  async uplink(driver: Driver, raw: RawMessage) {
    if (!driver.match(raw)) return
    let uplinks
    try {
      uplinks = driver.decode(raw)
    } catch (err) {
      return this.o.ingest.refuse(raw.topic, null, `${driver.name}: ${(err as Error).message}`, raw.payload)
    }
    for (const u of uplinks) {
      const birth =
        u.channel === 'status' && (u.message as { state?: string }).state === 'online'
          ? (u.message as { configVersion: number | null })
          : null
      if (birth && driver.parentOf) await this.register(driver, u.deviceId)
      this.o.ingest.handle(topicFor(u.deviceId, u.channel), Buffer.from(JSON.stringify(u.message)))
      // A vendor pad that has not applied the current config gets it now (a gateway's pads never keep one).
      if (birth) {
        const d = await this.o.devices.get(u.deviceId).catch(() => null)
        if (d && !d.revoked && (birth.configVersion === null || birth.configVersion < d.configVersion))
          await this.o.padConfig.publish([u.deviceId]).catch(() => {})
      }
    }
  }

  /** A pad that appears behind a gateway is registered in the gateway's hall, not bound to a window. */
  private async register(driver: Driver, deviceId: string) {
    if (await this.o.devices.credentials(deviceId)) return
    const parentId = driver.parentOf!(deviceId)
    const parent = parentId ? await this.o.devices.get(parentId).catch(() => null) : null
    if (!parent || parent.revoked) return
    await this.o.devices
      .create({ id: deviceId, hallId: parent.hallId, windowId: null, label: `behind ${parentId}` })
      .catch(() => {}) // registered meanwhile (another instance), or revoked: the ingest decides
  }

  async downlink(topic: string, payload: string | Buffer) {
    const t = parseTopic(topic)
    if (!t || !(DOWN_CHANNELS as readonly string[]).includes(t.channel)) return
    const driver = this.o.drivers.ownerOf(t.deviceId)
    if (!driver || payload.length === 0) return
    const parsed = DOWN_SCHEMAS[t.channel as DownChannel].safeParse(JSON.parse(payload.toString()))
    if (!parsed.success) return
    const out = driver.encode(t.deviceId, { channel: t.channel, message: parsed.data } as Downlink)
    for (const m of out)
      await this.o.bus
        .publish(m.topic, m.payload, { qos: 1, retain: m.retain ?? false })
        .catch((err) => this.o.log.warn({ err: String(err), topic: m.topic }, 'driver message not sent'))
  }
}
