// The embedded broker's internal message bus. mqemitter hands out queued messages recursively (each
// finished delivery starts the next one on the same stack); when a burst queues thousands of messages
// whose deliveries finish at once (200 pads flushing their outboxes into a server that has just
// restarted), the stack overflows and the whole process dies (mcollina/mqemitter#204, still open).
// This one continues on the next turn of the event loop once deliveries nest too deep. Found by
// test/faults/server-kill.test.ts.
import mqemitter from 'mqemitter'

/** Nested deliveries allowed on one stack before the rest wait for the next turn. */
const MAX_DEPTH = 64

type Do = (this: unknown, message: mqemitter.Message, callback: () => void) => unknown

export function brokerEmitter(concurrency = 100): mqemitter.MQEmitter {
  const mq = mqemitter({ concurrency, matchEmptyLevels: true })
  const internal = mq as unknown as { _do: Do; _doing: boolean }
  const deliver = internal._do
  let depth = 0
  internal._do = function (message, callback) {
    if (depth >= MAX_DEPTH) {
      internal._doing = true // still busy: emit() must queue, not start a second chain
      setImmediate(() => deliver.call(mq, message, callback))
      return mq
    }
    depth++
    try {
      return deliver.call(mq, message, callback)
    } finally {
      depth--
    }
  }
  return mq
}
