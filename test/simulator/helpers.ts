// Shared pieces of the simulator tests.
import { Simulator, type SimulatorOptions } from '../../simulator/simulator.ts'
import type { SimPad } from '../../simulator/sim-pad.ts'
import type { TestServer } from '../helpers/server.ts'

export const MIN = 60_000
export const HOUR = 60 * MIN

/** A simulator against the test server, in deterministic mode (seeded, simulated time). */
export function simulator(
  s: TestServer,
  o: Partial<SimulatorOptions> & { prefix: string },
): Promise<Simulator> {
  return Simulator.create({
    api: s.httpUrl,
    token: s.adminToken,
    broker: s.mqttUrl,
    pads: 1,
    seed: 7,
    manualClock: true,
    ...o,
  })
}

/** Rating ids stored for this pad, with how many rows each has. */
export async function storedRatingIds(s: TestServer, deviceId: string): Promise<string[]> {
  const rows = await s.app.db.prisma.rating.findMany({ where: { deviceId }, select: { ratingId: true } })
  return rows.map((r) => r.ratingId)
}

/** One prompt from the queue system and a press after two seconds (simulated); after a 差评, reason 1. */
export async function rateOnce(sim: Simulator, pad: SimPad, key: number, txId: string): Promise<void> {
  pad.prompt({ id: txId, ticket: 'A001', serviceName: '居住证办理', staffNo: pad.spec.staffNo })
  await sim.advance(2000)
  await pad.press(key)
  if (pad.screen.view === 'reasons') await pad.press(1)
  await sim.advance(4000)
}

export const sorted = (ids: Iterable<string>) => [...ids].sort()
