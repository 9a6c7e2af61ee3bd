// A rogue pad: a registered device whose firmware misbehaves. It speaks MQTT directly (not through
// the pad runtime) and publishes what a correct pad never would: text that is not JSON, JSON that is
// not a protocol message, a rating whose level contradicts its key, payloads over the size limit.
// The server must keep the malformed ones as rejected messages and go on; the broker refuses the
// oversized ones.
import { randomUUID } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'
import { MAX_PAYLOAD_BYTES, SCHEMA_VERSION, topics } from '../protocol/index.ts'

export type RogueKind = 'notJson' | 'notProtocol' | 'badRating' | 'oversized'
export const ROGUE_KINDS: readonly RogueKind[] = ['notJson', 'notProtocol', 'badRating', 'oversized']

export interface RogueSent {
  kind: RogueKind
  topic: string
  bytes: number
  /** The message id inside, when it has one (so it can be found among rejected messages). */
  id: string | null
  /** Whether the broker took it (PUBACK); an oversized payload costs the rogue its connection. */
  accepted: boolean
}

export class RoguePad {
  private client: MqttClient | null = null
  readonly sent: RogueSent[] = []
  private n = 0

  constructor(
    readonly url: string,
    readonly deviceId: string,
    private readonly secret: string,
  ) {}

  private async connection(): Promise<MqttClient> {
    if (this.client?.connected) return this.client
    this.client?.end(true)
    this.client = await mqtt.connectAsync(this.url, {
      clientId: `${this.deviceId}:rogue-${randomUUID().slice(0, 6)}`,
      username: this.deviceId,
      password: this.secret,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    })
    this.client.on('error', () => {})
    return this.client
  }

  payload(kind: RogueKind): { topic: string; payload: string; id: string | null } {
    const id = `rogue-${Date.now().toString(36)}-${++this.n}`
    const rating = topics.rating(this.deviceId)
    switch (kind) {
      case 'notJson':
        return { topic: rating, payload: `{"v":1,"id":"${id}",garbage`, id: null }
      case 'notProtocol':
        return {
          topic: topics.event(this.deviceId),
          payload: JSON.stringify({ v: 1, id, type: 'selfDestruct' }),
          id,
        }
      case 'badRating': {
        const at = new Date().toISOString()
        // Key 1 of a 5-key pad is level 5; this one claims level 1 (a forged 差评).
        const bad = {
          v: SCHEMA_VERSION,
          id,
          seq: this.n,
          scale: 5,
          key: 1,
          level: 1,
          class: 'bad',
          transaction: { id: `rogue-tx-${this.n}` },
          staffNo: null,
          promptedAt: at,
          pressedAt: at,
          replayed: false,
        }
        return { topic: rating, payload: JSON.stringify(bad), id }
      }
      case 'oversized':
        return {
          topic: rating,
          payload: JSON.stringify({ v: 1, id, filler: 'x'.repeat(MAX_PAYLOAD_BYTES + 1024) }),
          id,
        }
    }
  }

  /** Publishes one misbehaving message; resolves with what happened to it. */
  async send(kind: RogueKind): Promise<RogueSent> {
    const { topic, payload, id } = this.payload(kind)
    let accepted = false
    try {
      const client = await this.connection()
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        client.publishAsync(topic, payload, { qos: 1 }).then(() => (accepted = true)),
        new Promise((_, reject) => client.once('close', () => reject(new Error('connection closed')))),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no PUBACK')), 5000))),
      ]).finally(() => clearTimeout(timer))
    } catch {
      accepted = false
    }
    const sent = { kind, topic, bytes: Buffer.byteLength(payload), id, accepted }
    this.sent.push(sent)
    return sent
  }

  async close(): Promise<void> {
    const c = this.client
    this.client = null
    await c?.endAsync(true).catch(() => {})
  }
}
