// Many simulated pads with traffic in deterministic mode (seeded citizens, simulated time): every
// rating a citizen saw accepted is in the database exactly once, staff profiles show in the data,
// and the same seed makes the same citizens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../../simulator/simulator.ts'
import { startServer, type TestServer } from '../helpers/server.ts'
import { MIN, simulator, sorted } from './helpers.ts'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
})
afterAll(async () => s?.close())

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0) // a Monday, 09:00 in Beijing

async function runDay(prefix: string): Promise<Simulator> {
  const sim = await simulator(s, {
    prefix,
    pads: 6,
    halls: 2,
    seed: 2026,
    manualClock: T0,
    txPerHour: 120,
    serviceSeconds: 20,
    profiles: ['model', 'poor', 'good', 'slow', 'average'],
  })
  await sim.start()
  await sim.run(15 * MIN, 9000)
  sim.stopTraffic()
  await sim.run(1 * MIN, 9000)
  expect(await sim.drain()).toBe(true)
  return sim
}

/** Levels of a pad's stored ratings in seq order. */
async function levels(deviceId: string): Promise<number[]> {
  const rows = await s.app.db.prisma.rating.findMany({
    where: { deviceId },
    orderBy: { seq: 'asc' },
    select: { level: true },
  })
  return rows.map((r) => r.level)
}

describe('N pads × M ratings, deterministic', () => {
  let a: Simulator
  let b: Simulator

  it('stores every rating in the sent logs exactly once, and nothing else', async () => {
    // Two simulators with the same seed side by side, in halls of their own.
    ;[a, b] = await Promise.all([runDay('det-a'), runDay('det-b')])
    for (const sim of [a, b]) {
      const st = sim.stats()
      expect(st.ratingsSent).toBeGreaterThan(6 * 12)
      expect(st.ratingsOutstanding).toBe(0)
      expect(st.traffic.walkAways).toBeGreaterThan(0)
      expect(st.traffic.reasonsPicked).toBeGreaterThan(0)
      for (const pad of sim.pads) {
        const rows = await s.app.db.prisma.rating.findMany({
          where: { deviceId: pad.id },
          select: { ratingId: true },
        })
        expect(sorted(rows.map((r) => r.ratingId))).toEqual(sorted(pad.sentLog!))
      }
      const total = await s.app.db.prisma.rating.count({ where: { hallId: { in: sim.hallIds } } })
      expect(total).toBe(st.ratingsSent)
      const unrated = await s.app.db.prisma.padEventRecord.count({
        where: { hallId: { in: sim.hallIds }, type: 'unrated' },
      })
      expect(unrated).toBe(st.unratedEvents)
      await sim.stop()
    }
  })

  it('shows the staff profiles in the data: a model worker rates better than a poor one', async () => {
    const good = async (staffNo: string) => {
      const all = await s.app.db.prisma.rating.count({ where: { staffNo } })
      const ok = await s.app.db.prisma.rating.count({ where: { staffNo, class: 'good' } })
      return ok / all
    }
    const model = a.pads.find((p) => p.spec.profile.name === 'model')!
    const poor = a.pads.find((p) => p.spec.profile.name === 'poor')!
    expect(await good(model.spec.staffNo)).toBeGreaterThan((await good(poor.spec.staffNo)) + 0.15)
    const reasons = await s.app.db.prisma.rating.count({
      where: { hallId: { in: a.hallIds }, class: 'bad', NOT: { reasons: null } },
    })
    expect(reasons).toBeGreaterThan(0)
  })

  it('the same seed makes the same citizens', async () => {
    expect(b.stats().traffic).toEqual(a.stats().traffic)
    expect(b.pads.map((p) => p.spec.staffName)).toEqual(a.pads.map((p) => p.spec.staffName))
    for (let i = 0; i < a.pads.length; i++) {
      expect(b.pads[i].sentLog!.length).toBe(a.pads[i].sentLog!.length)
      expect(await levels(b.pads[i].id)).toEqual(await levels(a.pads[i].id))
    }
  })
})
