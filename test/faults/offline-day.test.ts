// A pad cut off for a simulated day while its window keeps serving: 20,000 ratings wait in its
// outbox (capacity 50,000), none lost and no 'outbox full'. When the link comes back it sends them
// in batches, the server stores each once, and the reports count each on the day it was pressed,
// not the day it arrived.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type TestServer } from '../helpers/server.ts'
import { simulator } from '../simulator/helpers.ts'
import { recordFigures } from './figures.ts'
import { compare, drainAll, sentIds, size } from './helpers.ts'

const RATINGS = size(20_000, 45_000)
const DAY = 86_400_000

let s: TestServer
beforeAll(async () => {
  s = await startServer()
})
afterAll(async () => s?.close())

describe('a pad offline for a day', () => {
  it(`keeps ${RATINGS} ratings and delivers each once when it reconnects`, async () => {
    // The simulated day ends about now, so pad and server clocks agree when it comes back.
    const sim = await simulator(s, { prefix: 'offday', manualClock: Date.now() - DAY - 60_000 })
    await sim.start({ traffic: false })
    const pad = sim.pads[0]
    sim.faults.drop(pad.id, DAY)
    const step = DAY / RATINGS
    const t0 = Date.now()
    let maxDepth = 0
    for (let i = 1; i <= RATINGS; i++) {
      await pad.prompt({ id: `offday-t${i}`, staffNo: pad.spec.staffNo })
      await sim.advance(Math.min(1000, step / 2), { network: false })
      await pad.press(1 + (i % 3))
      await sim.advance(step - Math.min(1000, step / 2), { network: false })
      maxDepth = Math.max(maxDepth, pad.outboxDepth)
    }
    expect(pad.online).toBe(false)
    expect(pad.runtime.coreState.outbox.fullReported).toBe(false)
    expect(maxDepth).toBeGreaterThanOrEqual(RATINGS)
    const offlineMs = Date.now() - t0

    const t1 = Date.now()
    await sim.advance(120_000, { network: false }) // the day is over: the link is back
    expect(await drainAll(sim)).toBe(true)
    const deliverMs = Date.now() - t1

    const rows = await s.app.db.prisma.rating.findMany({
      where: { deviceId: pad.id },
      select: {
        ratingId: true,
        pressedAt: true,
        occurredAt: true,
        receivedAt: true,
        day: true,
        replayed: true,
      },
    })
    const { lost, invented, storedTwice } = compare(
      sentIds(sim),
      rows.map((r) => `${pad.id}/${r.ratingId}`),
    )
    expect({ lost, invented, storedTwice }).toEqual({ lost: [], invented: [], storedTwice: 0 })
    expect(rows).toHaveLength(RATINGS)
    // Counted when pressed: spread over the day before it arrived (the pad's clock was right).
    const oldest = Math.min(...rows.map((r) => r.occurredAt.getTime()))
    const firstArrival = Math.min(...rows.map((r) => r.receivedAt.getTime()))
    expect(firstArrival - oldest).toBeGreaterThan(DAY * 0.9)
    for (const r of rows)
      expect(Math.abs(r.occurredAt.getTime() - r.pressedAt.getTime())).toBeLessThan(10 * 60_000)
    expect(new Set(rows.map((r) => r.day)).size).toBeGreaterThanOrEqual(2)
    recordFigures('offline-day', {
      ratingsQueued: RATINGS,
      maxOutboxDepth: maxDepth,
      stored: rows.length,
      lost: lost.length,
      storedTwice,
      simulateDaySeconds: Math.round(offlineMs / 1000),
      deliverSeconds: Math.round(deliverMs / 1000),
      ratingsPerSecondOnReconnect: Math.round(RATINGS / (deliverMs / 1000)),
    })
    await sim.stop()
  }, 1_200_000)
})
