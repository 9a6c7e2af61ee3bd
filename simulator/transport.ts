// The Transport a simulated pad uses: the real MQTT.js transport underneath, plus the fault switches
// the network can throw at a pad (a cut link that stays down for a while, QoS 1 duplicates) and a way
// to hand the pad any payload as if the broker had delivered it.
import { MqttTransport } from '../device/adapters/mqtt/mqtt-transport.ts'
import type { Clock, ConnectOptions, PublishOptions, Transport } from '../device/ports/index.ts'
import type { Random } from './random.ts'

export interface TransportCounters {
  published: number
  duplicates: number
}

export class SimTransport implements Transport {
  private readonly inner: MqttTransport
  private messageHandlers: ((topic: string, payload: string) => void)[] = []
  /** Connection attempts fail until this time (pad clock-independent: the shared clock). */
  private downUntil = -Infinity
  /** Share of rating and event publishes sent a second time, as a lost PUBACK would cause. */
  duplicateShare = 0

  constructor(
    url: string,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly counters: TransportCounters,
    mqttOptions: ConstructorParameters<typeof MqttTransport>[1] = {},
  ) {
    this.inner = new MqttTransport(url, mqttOptions)
    this.inner.onMessage((topic, payload) => {
      for (const h of this.messageHandlers) h(topic, payload)
    })
  }

  get linkDown(): boolean {
    return this.clock.now() < this.downUntil
  }

  connect(options: ConnectOptions): Promise<void> {
    if (this.linkDown) return Promise.reject(new Error('network down (simulated)'))
    return this.inner.connect(options)
  }

  async publish(topic: string, payload: string, options: PublishOptions): Promise<void> {
    await this.inner.publish(topic, payload, options)
    this.counters.published++
    if (this.duplicateShare > 0 && !options.retain && this.random() < this.duplicateShare) {
      this.counters.duplicates++
      await this.inner.publish(topic, payload, options).catch(() => {})
    }
  }

  subscribe(topics: string[], qos: 0 | 1): Promise<void> {
    return this.inner.subscribe(topics, qos)
  }

  onMessage(handler: (topic: string, payload: string) => void): void {
    this.messageHandlers.push(handler)
  }

  onClose(handler: () => void): void {
    this.inner.onClose(handler)
  }

  end(): Promise<void> {
    return this.inner.end()
  }

  /** Cuts the link without DISCONNECT (the broker publishes the will); reconnects fail for `ms`. */
  cut(ms = 0): void {
    this.downUntil = Math.max(this.downUntil, this.clock.now() + ms)
    this.inner.drop()
  }

  /** Lets the pad reconnect again before a cut's time is up. */
  restore(): void {
    this.downUntil = -Infinity
  }

  /** Delivers a message to the pad as if it came from the broker (it is validated like any other). */
  deliver(topic: string, payload: string): void {
    for (const h of this.messageHandlers) h(topic, payload)
  }
}
