// The embedded broker's retained-message index answers every subscription exactly as aedes's own
// memory persistence does, exact topics and wildcards alike, after stores and deletions.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import memory from 'aedes-persistence'
import { indexedRetainedPersistence } from '../../server/broker/retained.ts'

type Persistence = {
  setup(broker: unknown): Promise<void>
  storeRetained(p: object): Promise<void>
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<{ topic: string; payload: Buffer }>
}

async function retainedFor(p: Persistence, patterns: string[]) {
  const out: string[] = []
  for await (const packet of p.createRetainedStreamCombi(patterns))
    out.push(`${packet.topic}=${packet.payload.toString()}`)
  return out.sort()
}

// As aedes calls it: the promise form.
const store = (p: Persistence, topic: string, payload: string) =>
  p.storeRetained({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: true })

const devices = ['pad-1', 'pad-2', 'pad-3']
const channels = ['config', 'status', 'ack']
const topic = fc
  .tuple(fc.constantFrom(...devices), fc.constantFrom(...channels))
  .map(([d, c]) => `rp/v1/${d}/${c}`)
const pattern = fc.oneof(
  topic,
  fc.constantFrom('rp/v1/+/status', 'rp/v1/pad-1/#', 'rp/v1/#', '#', 'rp/v1/+/+', 'rp/v2/none'),
)

describe('retained messages indexed by topic', () => {
  it('gives every subscription what aedes’s own memory persistence gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Stores, with an empty payload now and then (which deletes), then subscriptions.
        fc.array(fc.tuple(topic, fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: 5 }))), {
          maxLength: 30,
        }),
        fc.array(fc.array(pattern, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        async (stores, subscriptions) => {
          const ours = indexedRetainedPersistence() as unknown as Persistence
          const theirs = (memory as unknown as () => Persistence)()
          await ours.setup({})
          await theirs.setup({})
          for (const [t, payload] of stores) {
            await store(ours, t, payload)
            await store(theirs, t, payload)
          }
          for (const patterns of subscriptions)
            expect(await retainedFor(ours, patterns)).toEqual(await retainedFor(theirs, patterns))
        },
      ),
      { seed: 20261126, numRuns: 200 },
    )
  })
})
