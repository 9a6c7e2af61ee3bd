// A pad's storage loop in a process of its own, for test/faults/pad-power-loss.test.ts to SIGKILL at
// any moment: it puts ratings into the file outbox as fast as the disk allows, and prints the id of
// each one once put() has resolved (the moment the pad would say 谢谢). Now and then it removes the
// oldest entries, as the server's acks would, and prints those too.
import { writeSync } from 'node:fs'
import { FileOutbox } from '../../device/adapters/node/file-outbox.ts'
import { sampleRating } from '../fixtures/messages.ts'

const dir = process.argv[2]
const outbox = await FileOutbox.open(dir, { compactMinDead: 50 })
let seq = await outbox.maxSeq()
writeSync(1, `ready ${seq}\n`)
for (;;) {
  seq++
  const id = `pwr-${process.pid}-${seq}`
  await outbox.put({ id, seq, channel: 'rating', message: sampleRating({ id, seq }) })
  writeSync(1, `put ${id}\n`)
  if (seq % 7 === 0) {
    const oldest = (await outbox.list({ limit: 5 })).map((e) => e.id)
    // Said before removing: a kill between the remove and this line would otherwise make the test
    // count acked entries as lost (a pad removes only what the server has committed).
    writeSync(1, `removed ${oldest.join(' ')}\n`)
    await outbox.remove(oldest)
  }
}
