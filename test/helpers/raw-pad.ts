// A bare mqtt.js client speaking protocol v1 by hand, for testing the server and broker directly
// (the real pad firmware in device/ is tested on its own and end to end elsewhere).
import { randomUUID } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'
import { Ack, Config, topics, type Rating } from '../../protocol/index.ts'
import { sampleRating } from '../fixtures/messages.ts'

export class RawPad {
  readonly acks: Ack[] = []
  readonly configs: Config[] = []
  readonly other: { topic: string; payload: string }[] = []
  private seq = 0

  private constructor(
    readonly id: string,
    readonly client: MqttClient,
  ) {
    client.on('message', (topic, payload) => {
      if (topic === topics.ack(id)) this.acks.push(Ack.parse(JSON.parse(payload.toString())))
      else if (topic === topics.config(id) && payload.length)
        this.configs.push(Config.parse(JSON.parse(payload.toString())))
      else this.other.push({ topic, payload: payload.toString() })
    })
  }

  static async connect(
    url: string,
    id: string,
    secret: string,
    opts: { subscribe?: boolean } = {},
  ): Promise<RawPad> {
    const client = await mqtt.connectAsync(url, {
      username: id,
      password: secret,
      // Its own device id, a colon and a suffix: a second connection of the same pad can stay up.
      clientId: `${id}:${randomUUID().slice(0, 6)}`,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
    })
    const pad = new RawPad(id, client)
    if (opts.subscribe !== false)
      await client.subscribeAsync([topics.ack(id), topics.config(id), topics.command(id)], { qos: 1 })
    return pad
  }

  rating(overrides: Partial<Rating> = {}): Rating {
    return sampleRating({ id: `r-${randomUUID()}`, seq: ++this.seq, ...overrides })
  }

  async send(rating: Rating): Promise<void> {
    await this.client.publishAsync(topics.rating(this.id), JSON.stringify(rating), { qos: 1 })
  }

  ackedIds(): Set<string> {
    return new Set(this.acks.flatMap((a) => a.ids))
  }

  async close() {
    await this.client.endAsync(true)
  }
}

/** Tries to connect (by default with the username as client id) and reports the CONNACK refusal, if any. */
export async function connectRefusal(
  url: string,
  username: string,
  password: string,
  clientId = username,
): Promise<string | null> {
  try {
    const c = await mqtt.connectAsync(url, {
      username,
      password,
      clientId,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
    })
    await c.endAsync(true)
    return null
  } catch (e) {
    return (e as Error).message
  }
}
