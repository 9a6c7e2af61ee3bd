// The embedded broker's persistence: aedes's in-memory one, with retained messages also indexed by
// topic. aedes finds the retained messages for a new subscription by testing every retained topic
// against it, O(retained) per subscription. Every pad subscribes to three exact topics and keeps two
// retained ones (config, status), so connecting 10,000 pads cost 10,000 × 3 × 20,000 topic tests:
// measured 13 pads connected a second near the end. An exact topic is a map lookup here.
import { createRequire } from 'node:module'
import { Readable } from 'node:stream'

// Its memory persistence and callback wrapper are CommonJS files with no types of their own.
const require = createRequire(import.meta.url)
const MemoryPersistence = require('aedes-persistence/asyncPersistence.js')
const callBack = require('aedes-persistence/callBackPersistence.js')

interface RetainedPacket {
  topic: string
  payload: Buffer
}

const hasWildcard = (pattern: string) => pattern.includes('+') || pattern.includes('#')

class IndexedRetainedPersistence extends (MemoryPersistence as unknown as new (opts?: object) => {
  storeRetained(packet: RetainedPacket): Promise<void>
  createRetainedStreamCombi(patterns: string[]): Readable
}) {
  private readonly byTopic = new Map<string, RetainedPacket>()

  override async storeRetained(packet: RetainedPacket): Promise<void> {
    await super.storeRetained(packet)
    // The same rule as the parent's: an empty retained payload deletes; a copy is kept.
    if (packet.payload.length === 0) this.byTopic.delete(packet.topic)
    else this.byTopic.set(packet.topic, { ...packet })
  }

  override createRetainedStreamCombi(patterns: string[]): Readable {
    if (patterns.some(hasWildcard)) return super.createRetainedStreamCombi(patterns)
    const found: RetainedPacket[] = []
    for (const topic of patterns) {
      const packet = this.byTopic.get(topic)
      if (packet) found.push(packet)
    }
    return Readable.from(found)
  }
}

/** What aedes takes as `persistence`, built the way aedes-persistence's default export builds it. */
export function indexedRetainedPersistence() {
  const { CallBackPersistence } = callBack as unknown as {
    CallBackPersistence: new (factory: (opts: object) => unknown, opts?: object) => unknown
  }
  return new CallBackPersistence((opts) => new IndexedRetainedPersistence(opts))
}
