// The server's own MQTT connection, to the embedded broker or to an external one (MQTT_URL).
// Everything the server sends to pads and everything it receives from them passes through here.
import type { Aedes, AedesPublishPacket } from 'aedes'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import pLimit from 'p-limit'

export type MessageHandler = (topic: string, payload: Buffer) => void
/** Sees every message the server publishes, after it is published (drivers re-encode pad messages). */
export type PublishTap = (topic: string, payload: string | Buffer) => void | Promise<void>

export interface BusOptions {
  url: string
  username?: string
  password?: string
  clientId: string
}

/**
 * How the bus reaches the broker: an MQTT connection (an external broker), or the embedded aedes
 * in the same process, where a connection of its own would make every rating and every ack cross
 * a loopback socket twice with a PUBACK each way (measured: half the ingest's broker time).
 */
interface BusLink {
  subscribe(filter: string, qos: 0 | 1): Promise<void>
  publish(topic: string, payload: string | Buffer, qos: 0 | 1, retain: boolean): Promise<void>
  close(): Promise<void>
}

export class Bus {
  private readonly handlers: { match: (topic: string) => boolean; handler: MessageHandler }[] = []
  private readonly taps: PublishTap[] = []
  private readonly link: BusLink

  private constructor(link: (deliver: MessageHandler) => BusLink) {
    this.link = link((topic, payload) => {
      for (const h of this.handlers) if (h.match(topic)) h.handler(topic, payload)
    })
  }

  static async connect(opts: BusOptions): Promise<Bus> {
    const options: IClientOptions = {
      clientId: opts.clientId,
      username: opts.username,
      password: opts.password,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // Subscriptions are restored by mqtt.js after a reconnect.
      resubscribe: true,
    }
    const client = await mqtt.connectAsync(opts.url, options)
    return new Bus((deliver) => mqttLink(client, deliver))
  }

  /** The embedded broker's own bus: subscriptions and publishes go straight to aedes. */
  static inProcess(aedes: Aedes): Bus {
    return new Bus((deliver) => aedesLink(aedes, deliver))
  }

  /**
   * Subscribes to a filter (which may be a `$share/group/...` shared subscription) and routes the
   * matching messages to the handler.
   */
  async subscribe(filter: string, handler: MessageHandler, qos: 0 | 1 = 1): Promise<void> {
    // Split once: matching runs for every message and every subscription.
    const parts = unshared(filter).split('/')
    this.handlers.push({ match: (t) => topicMatches(parts, t), handler })
    await this.link.subscribe(filter, qos)
  }

  async publish(
    topic: string,
    payload: string | Buffer,
    opts: { qos?: 0 | 1; retain?: boolean } = {},
  ): Promise<void> {
    await this.link.publish(topic, payload, opts.qos ?? 1, opts.retain ?? false)
    for (const tap of this.taps) await tap(topic, payload)
  }

  onPublish(tap: PublishTap) {
    this.taps.push(tap)
  }

  async close(): Promise<void> {
    await this.link.close()
  }
}

const unshared = (filter: string) =>
  filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter

function mqttLink(client: MqttClient, deliver: MessageHandler): BusLink {
  client.on('message', deliver)
  return {
    async subscribe(filter, qos) {
      const granted = await client.subscribeAsync(filter, { qos })
      if (granted.some((g) => g.qos === 128)) throw new Error(`broker refused subscription to ${filter}`)
    },
    async publish(topic, payload, qos, retain) {
      await client.publishAsync(topic, payload, { qos, retain })
    },
    async close() {
      await client.endAsync()
    },
  }
}

function aedesLink(aedes: Aedes, deliver: MessageHandler): BusLink {
  const listeners: { filter: string; fn: (packet: AedesPublishPacket, cb: () => void) => void }[] = []
  const asBuffer = (p: string | Buffer) => (typeof p === 'string' ? Buffer.from(p) : p)
  // A client's publishes wait for the broker one at a time; these would all go at once (acks to every
  // pad of a commit, configs to a whole hall) and pile up in aedes's queue: keep a few in flight.
  const limit = pLimit(32)
  return {
    async subscribe(filter) {
      // One server: a shared subscription's group means nothing here (aedes has none).
      const plain = unshared(filter)
      const fn = (packet: AedesPublishPacket, cb: () => void) => {
        deliver(packet.topic, asBuffer(packet.payload))
        cb()
      }
      await new Promise<void>((resolve, reject) =>
        aedes.subscribe(plain, fn, (err?: Error) => (err ? reject(err) : resolve())),
      )
      listeners.push({ filter: plain, fn })
      // What a client's subscription gets first: the retained messages it matches (pad statuses).
      const { persistence } = aedes as unknown as {
        persistence: { createRetainedStreamCombi(patterns: string[]): AsyncIterable<AedesPublishPacket> }
      }
      for await (const packet of persistence.createRetainedStreamCombi([plain]))
        deliver(packet.topic, asBuffer(packet.payload))
    },
    publish(topic, payload, qos, retain) {
      return limit(
        () =>
          new Promise<void>((resolve, reject) =>
            aedes.publish(
              { cmd: 'publish', topic, payload: asBuffer(payload), qos, retain, dup: false },
              (err?: Error) => (err ? reject(err) : resolve()),
            ),
          ),
      )
    },
    async close() {
      for (const l of listeners.splice(0)) aedes.unsubscribe(l.filter, l.fn as never, () => {})
    },
  }
}

/** MQTT topic filter matching (+ and #), the filter given split at its slashes. */
function topicMatches(f: string[], topic: string): boolean {
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true
    if (i >= t.length) return false
    if (f[i] !== '+' && f[i] !== t[i]) return false
  }
  return f.length === t.length
}
