// Duplicate storms and out-of-order replays. Simulated pads publish every message twice (a lost
// PUBACK's resend) and answer a replay command from the server every fifth round, which sends
// what is still unacked again, out of order with the new ratings. Each rating is stored once.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Rating } from '../../protocol/index.ts'
import { seeded } from '../../simulator/random.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'
import { simulator } from '../simulator/helpers.ts'
import { recordFigures } from './figures.ts'
import { compare, drainAll, rateRound, sentIds, size, storedRatings } from './helpers.ts'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
})
afterAll(async () => s?.close())

const stored = async (deviceId: string) =>
  (await s.app.db.prisma.rating.findMany({ where: { deviceId }, select: { ratingId: true } })).map(
    (r) => r.ratingId,
  )

describe('duplicate storms and out-of-order replays', () => {
  it('stores once what simulated pads publish twice and replay on command', async () => {
    const PADS = 20
    const ROUNDS = size(20, 200)
    const sim = await simulator(s, { prefix: 'storm', pads: PADS })
    await sim.start({ traffic: false })
    sim.faults.duplicates('*', 1)
    const before = s.app.ingest.stats.duplicates
    for (let round = 1; round <= ROUNDS; round++) {
      await rateRound(sim, round)
      // Every fifth round the server asks each pad to replay from seq 1 (what is still unacked).
      if (round % 5 === 0) await Promise.all(sim.pads.map((p) => p.command({ type: 'replay', fromSeq: 1 })))
    }
    expect(await drainAll(sim)).toBe(true)
    const db = await storedRatings({ file: `${s.dataDir}/rating-pad.db` })
    const mine = db.ids.filter((id) => id.startsWith('storm-'))
    const { lost, invented, storedTwice } = compare(sentIds(sim), mine)
    expect({ lost, invented, storedTwice }).toEqual({ lost: [], invented: [], storedTwice: 0 })
    expect(mine).toHaveLength(PADS * ROUNDS)
    const duplicates = s.app.ingest.stats.duplicates - before
    expect(duplicates).toBeGreaterThanOrEqual(PADS * ROUNDS)
    recordFigures('duplicates-simulated', {
      ratings: mine.length,
      published: sim.stats().transport.published,
      duplicatesSeenByServer: duplicates,
      storedTwice,
    })
    await sim.stop()
  }, 600_000)
})
