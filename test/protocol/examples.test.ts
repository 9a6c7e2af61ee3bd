// Every example message in docs/protocol (the worked session, provisioning, queue systems) is real:
// it parses with the protocol schema of its topic, and each topic is one the protocol builds.
import { describe, expect, it } from 'vitest'
import {
  CHANNELS,
  parseClientTopic,
  parseTopic,
  ProvisionRequest,
  ProvisionResponse,
  QueueReply,
  QueueRequest,
} from '../../protocol/index.ts'
import { INTEGRATION_EXAMPLES, WORKED_SESSION, type ExampleSchema } from '../../scripts/protocol-examples.ts'

const SCHEMAS = {
  ...Object.fromEntries(Object.entries(CHANNELS).map(([c, v]) => [c, v.schema])),
  provisionRequest: ProvisionRequest,
  provisionResponse: ProvisionResponse,
  queueRequest: QueueRequest,
  queueReply: QueueReply,
} as unknown as Record<ExampleSchema, { safeParse(x: unknown): { success: boolean; error?: unknown } }>

describe('docs/protocol examples', () => {
  it.each([...WORKED_SESSION, ...INTEGRATION_EXAMPLES].map((e) => [e.title, e] as const))('%s', (_t, e) => {
    const r = SCHEMAS[e.schema].safeParse(e.message)
    expect(r.error).toBeUndefined()
    const pad = parseTopic(e.topic)
    if (pad) expect(pad.channel).toBe(e.schema)
    else expect(parseClientTopic(e.topic.replace(/\/(response|reply)$/, '/request'))).not.toBeNull()
  })

  it('tells the whole session: connect, birth, config, prompt, rating, ack, second press, replay', () => {
    const kinds = WORKED_SESSION.map((e) => {
      const m = e.message as { state?: string; type?: string; replayed?: boolean }
      return e.schema === 'command'
        ? m.type
        : e.schema === 'event'
          ? m.type
          : e.schema === 'rating' && m.replayed
            ? 'replayed'
            : e.schema === 'status'
              ? m.state
              : e.schema
    })
    expect(kinds).toEqual([
      'offline',
      'online',
      'config',
      'online',
      'prompt',
      'rating',
      'ack',
      'secondPress',
      'rating',
      'replayed',
      'ack',
      'replay',
    ])
  })
})
