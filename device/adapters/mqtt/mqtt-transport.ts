// The Transport port over MQTT.js: works in Node (mqtt://, mqtts://) and in a browser (ws://, wss://).
// MQTT.js's own reconnect is off: each connection needs a new will carrying its connectCount, so the
// runtime reconnects by calling connect() again, which makes a new client.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { ConnectOptions, PublishOptions, Transport } from '../../ports/index.ts'

export class MqttTransport implements Transport {
  private client: MqttClient | null = null
  /** Rejects when the current connection is lost: MQTT.js leaves a persistent session's publishes pending. */
  private lost: Promise<never> = new Promise(() => {})
  private loseConnection: (err: Error) => void = () => {}
  private messageHandlers: ((topic: string, payload: string) => void)[] = []
  private closeHandlers: (() => void)[] = []

  /** `options` are passed to MQTT.js (TLS, keepalive, ...); the connect options here win. */
  constructor(
    private readonly url: string,
    private readonly options: IClientOptions = {},
  ) {}

  connect(o: ConnectOptions): Promise<void> {
    if (this.client) {
      this.client.end(true)
      this.client = null
      this.loseConnection(new Error('connection replaced'))
    }
    return new Promise((resolve, reject) => {
      const client = mqtt.connect(this.url, {
        connectTimeout: 15_000,
        keepalive: 60,
        ...this.options,
        clientId: o.clientId,
        username: o.username,
        password: o.password,
        will: { topic: o.will.topic, payload: o.will.payload, qos: o.will.qos, retain: o.will.retain },
        reconnectPeriod: 0,
        // A persistent session: the broker keeps QoS 1 commands for the pad while it is away.
        clean: false,
      })
      // Pads send small messages and wait for small answers: without this, Nagle's algorithm and
      // delayed ACKs hold each exchange back ~40 ms. Browsers (WebSocket) have no such switch.
      ;(client.stream as { setNoDelay?: (on?: boolean) => void } | undefined)?.setNoDelay?.(true)
      let connected = false
      client.once('connect', () => {
        connected = true
        this.client = client
        this.lost = new Promise<never>((_, rej) => (this.loseConnection = rej))
        this.lost.catch(() => {})
        resolve()
      })
      client.on('error', (err) => {
        if (!connected) {
          client.end(true)
          reject(err)
        }
      })
      client.on('message', (topic, payload) => {
        if (this.client !== client) return
        const text = payload.toString()
        for (const h of this.messageHandlers) h(topic, text)
      })
      client.on('close', () => {
        if (!connected) {
          reject(new Error('connection closed before CONNACK'))
          return
        }
        if (this.client !== client) return
        this.client = null
        this.loseConnection(new Error('connection lost'))
        for (const h of this.closeHandlers) h()
      })
    })
  }

  async publish(topic: string, payload: string, options: PublishOptions): Promise<void> {
    const client = this.client
    if (!client) throw new Error('not connected')
    await Promise.race([
      client.publishAsync(topic, payload, { qos: options.qos, retain: options.retain }),
      this.lost,
    ])
  }

  async subscribe(topics: string[], qos: 0 | 1): Promise<void> {
    const client = this.client
    if (!client) throw new Error('not connected')
    const granted = await client.subscribeAsync(topics, { qos })
    const refused = granted.filter((g) => g.qos === 128)
    if (refused.length > 0) throw new Error(`subscription refused: ${refused.map((g) => g.topic).join(', ')}`)
  }

  onMessage(handler: (topic: string, payload: string) => void): void {
    this.messageHandlers.push(handler)
  }

  onClose(handler: () => void): void {
    this.closeHandlers.push(handler)
  }

  async end(): Promise<void> {
    const client = this.client
    this.client = null
    if (client) await client.endAsync()
    this.loseConnection(new Error('connection ended'))
  }

  /** Drops the connection without DISCONNECT, so the broker publishes the will (a simulated power cut). */
  drop(): void {
    // The close event then tells the runtime, as a real network loss would.
    this.client?.end(true)
  }
}
