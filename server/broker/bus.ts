// The server's own MQTT connection, to the embedded broker or to an external one (MQTT_URL).
// Everything the server sends to pads and everything it receives from them passes through here.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'

export type MessageHandler = (topic: string, payload: Buffer) => void
/** Sees every message the server publishes, after it is published (drivers re-encode pad messages). */
export type PublishTap = (topic: string, payload: string | Buffer) => void | Promise<void>

export interface BusOptions {
  url: string
  username?: string
  password?: string
  clientId: string
}

export class Bus {
  private readonly handlers: {
    filter: string
    match: (topic: string) => boolean
    handler: MessageHandler
  }[] = []
  private readonly taps: PublishTap[] = []

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
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
    return new Bus(client)
  }

  /**
   * Subscribes to a filter (which may be a `$share/group/...` shared subscription) and routes the
   * matching messages to the handler.
   */
  async subscribe(filter: string, handler: MessageHandler, qos: 0 | 1 = 1): Promise<void> {
    const plain = filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter
    this.handlers.push({ filter, match: (t) => topicMatches(plain, t), handler })
    const granted = await this.client.subscribeAsync(filter, { qos })
    if (granted.some((g) => g.qos === 128)) throw new Error(`broker refused subscription to ${filter}`)
  }

  async publish(
    topic: string,
    payload: string | Buffer,
    opts: { qos?: 0 | 1; retain?: boolean } = {},
  ): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false })
    for (const tap of this.taps) await tap(topic, payload)
  }

  onPublish(tap: PublishTap) {
    this.taps.push(tap)
  }

  async close(): Promise<void> {
    await this.client.endAsync()
  }
}

/** MQTT topic filter matching (+ and #). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/')
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true
    if (i >= t.length) return false
    if (f[i] !== '+' && f[i] !== t[i]) return false
  }
  return f.length === t.length
}
