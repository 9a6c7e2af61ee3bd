// The simulator's fault switches do what they say, against the real server and broker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, waitFor, type TestServer } from '../helpers/server.ts'
import { HOUR, MIN, rateOnce, simulator, sorted, storedRatingIds } from './helpers.ts'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
})
afterAll(async () => s?.close())

const device = async (id: string) => (await s.api('GET', `/api/v1/devices/${id}`)).body

describe('fault switches', () => {
  it('drop: the link goes down for a while (the broker publishes the will), ratings wait, then arrive', async () => {
    const sim = await simulator(s, { prefix: 'drop' })
    await sim.start({ traffic: false })
    const pad = sim.pads[0]
    await waitFor(async () => (await device(pad.id)).status.online, 'pad online in the registry')

    sim.faults.drop(pad.id, 10 * MIN)
    await waitFor(() => !pad.online, 'link down')
    expect(pad.screen.offline).toBe(true)
    await waitFor(async () => !(await device(pad.id)).status.online, 'will published')
    await rateOnce(sim, pad, 1, 'drop-tx-1')
    await rateOnce(sim, pad, 3, 'drop-tx-2')
    await sim.run(9 * MIN, 30_000)
    expect(pad.online).toBe(false) // still within the 10 minutes
    expect(await storedRatingIds(s, pad.id)).toEqual([])

    await sim.run(2 * MIN, 30_000) // back, on its next reconnect attempt (backoff ≤ 60 s)
    expect(await sim.drain()).toBe(true)
    expect(sorted(await storedRatingIds(s, pad.id))).toEqual(sorted(pad.sentLog!))
    expect(pad.sentLog).toHaveLength(2)
    await waitFor(async () => (await device(pad.id)).status.online, 'pad online again')
    await sim.stop()
  })

  it('duplicates: every rating published twice is stored once', async () => {
    const sim = await simulator(s, { prefix: 'dup' })
    await sim.start({ traffic: false })
    const pad = sim.pads[0]
    const before = s.app.ingest.stats.duplicates
    sim.faults.duplicates(pad.id, 1)
    for (let i = 1; i <= 3; i++) await rateOnce(sim, pad, i, `dup-tx-${i}`)
    expect(await sim.drain()).toBe(true)
    await waitFor(() => s.app.ingest.stats.duplicates - before >= 3, 'duplicates seen by the server')
    expect(sim.stats().transport.duplicates).toBeGreaterThanOrEqual(3)
    expect(sorted(await storedRatingIds(s, pad.id))).toEqual(sorted(pad.sentLog!))
    expect(pad.sentLog).toHaveLength(3)
    await sim.stop()
  })

  it('skew: the pad clock runs two hours ahead; its birth shows it and the server keeps the time honest', async () => {
    const sim = await simulator(s, { prefix: 'skew' })
    await sim.start({ traffic: false })
    const pad = sim.pads[0]
    const before = await waitFor(async () => (await device(pad.id)).status.clockSkewMs, 'first birth')

    sim.faults.skew(pad.id, 2 * HOUR)
    sim.faults.drop(pad.id, 0) // reconnect at once: a new birth with the skewed clock
    await waitFor(() => !pad.online, 'dropped')
    // until() moves the clock a second per poll: the reconnect sleep may be set only after a first
    // advance (the close is seen in real time), so one fixed advance could leave it waiting.
    await sim.until(() => pad.online, 'back', 30_000)
    const after = await waitFor(async () => {
      const skew = (await device(pad.id)).status.clockSkewMs as number
      return skew - before > HOUR && skew
    }, 'skew seen by the server')
    expect(Math.abs(after - before - 2 * HOUR)).toBeLessThan(MIN)

    await rateOnce(sim, pad, 2, 'skew-tx-1')
    expect(await sim.drain()).toBe(true)
    const row = await s.app.db.prisma.rating.findFirstOrThrow({ where: { deviceId: pad.id } })
    expect(row.pressedAt.getTime() - row.receivedAt.getTime()).toBeGreaterThan(HOUR)
    expect(row.occurredAt.getTime()).toBeLessThanOrEqual(row.receivedAt.getTime())
    await sim.stop()
  })

  it('rogue: malformed payloads land in rejected messages, an oversized one is refused by the broker', async () => {
    const sim = await simulator(s, { prefix: 'rogue', rogue: true })
    await sim.start({ traffic: false })
    const rogueId = sim.rogue!.deviceId

    const notJson = await sim.faults.rogue('notJson')
    const notProtocol = await sim.faults.rogue('notProtocol')
    const badRating = await sim.faults.rogue('badRating')
    expect([notJson.accepted, notProtocol.accepted, badRating.accepted]).toEqual([true, true, true])
    const oversized = await sim.faults.rogue('oversized')
    expect(oversized.accepted).toBe(false)
    expect(oversized.bytes).toBeGreaterThan(16 * 1024)

    const rejected = await waitFor(async () => {
      const r = await s.api('GET', '/api/v1/rejected-messages?limit=100')
      const mine = (r.body as { deviceId: string | null; reason: string; payload: string }[]).filter(
        (m) => m.deviceId === rogueId,
      )
      return mine.length >= 3 && mine
    }, 'rejected messages')
    expect(rejected).toHaveLength(3)
    const reasons = rejected.map((m) => m.reason).join('\n')
    expect(reasons).toMatch(/not JSON/)
    expect(reasons).toMatch(/level/)
    expect(await s.app.db.prisma.rating.count({ where: { deviceId: rogueId } })).toBe(0)

    // The server took it in its stride: a real pad is still served.
    await rateOnce(sim, sim.pads[0], 1, 'rogue-tx-1')
    expect(await sim.drain()).toBe(true)
    expect(await storedRatingIds(s, sim.pads[0].id)).toEqual(sim.pads[0].sentLog)
    await sim.stop()
  })
})
