// Simulated pads (the real pad runtime with sim adapters) against the real server: embedded aedes
// broker, SQLite file, REST provisioning, MQTT.js transport. Simulated time (ManualClock), real network.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, waitFor, type TestServer } from '../helpers/server.ts'
import { HOUR, MIN, rateOnce, simulator, sorted, storedRatingIds } from './helpers.ts'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
})
afterAll(async () => s?.close())

describe('simulated pads end to end', () => {
  it('provisions through the REST API, signs staff in on the keypad, rates, is acked, empties its outbox', async () => {
    const sim = await simulator(s, { prefix: 'e2e' })
    await sim.start({ traffic: false })
    const pad = sim.pads[0]
    expect(pad.screen).toMatchObject({ view: 'idle', staff: { staffNo: pad.spec.staffNo } })
    await waitFor(() => pad.screen.staff?.name === pad.spec.staffName, 'the staff card from the server')
    const win = await s.api('GET', `/api/v1/windows/${pad.spec.windowId}`)
    expect(win.body.signedIn).toMatchObject({ staffNo: pad.spec.staffNo })

    pad.prompt({
      id: 'e2e-tx-1',
      caseNo: 'CASE-1',
      ticket: 'A001',
      serviceCode: 'GA-0101',
      serviceName: '居住证办理',
      staffNo: pad.spec.staffNo,
    })
    await sim.advance(2000)
    expect(pad.screen.view).toBe('prompting')
    await pad.press(1)
    expect(pad.screen.view).toBe('thanks')
    expect(pad.sentLog).toHaveLength(1)

    await waitFor(() => pad.ratingsAcked === 1 && pad.outboxDepth === 0, 'ack and empty outbox')
    const rows = await s.app.db.prisma.rating.findMany({ where: { deviceId: pad.id } })
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      ratingId: pad.sentLog![0],
      level: 5,
      staffNo: pad.spec.staffNo,
      transactionId: 'e2e-tx-1',
      caseNo: 'CASE-1',
      serviceName: '居住证办理',
      windowId: pad.spec.windowId,
    })
    await sim.stop()
  })

  it('a second run reuses the halls, windows, staff and pads it finds (new secret)', async () => {
    const sim = await simulator(s, { prefix: 'e2e' })
    expect(sim.provisioned.created).toBe(0)
    await sim.start({ traffic: false })
    await rateOnce(sim, sim.pads[0], 2, 'e2e-tx-2')
    await waitFor(() => sim.pads[0].outboxDepth === 0, 'acked')
    expect(await storedRatingIds(s, sim.pads[0].id)).toHaveLength(2)
    await sim.stop()
  })

  it('a pad killed with ratings in its outbox resends them after restart; each is stored once', async () => {
    const sim = await simulator(s, { prefix: 'kill' })
    await sim.start({ traffic: false })
    const pad = sim.pads[0]

    // Offline: the ratings wait in the outbox.
    sim.faults.drop(pad.id, 10 * HOUR)
    await waitFor(() => !pad.online, 'link down')
    for (let i = 1; i <= 3; i++) await rateOnce(sim, pad, i, `kill-tx-${i}`)
    expect(pad.sentLog).toHaveLength(3)
    expect(pad.disk.entries.size).toBeGreaterThanOrEqual(3)

    // Power cut and back (the link works again after the reboot).
    await sim.faults.restart(pad.id)
    expect(pad.boots).toBe(2)
    await waitFor(() => pad.online && pad.outboxDepth === 0, 'resent and acked after restart')

    // Online this time, and killed right after the press, whether or not the ack made it.
    await rateOnce(sim, pad, 4, 'kill-tx-4')
    await sim.faults.restart(pad.id)
    await rateOnce(sim, pad, 5, 'kill-tx-5')
    expect(await sim.drain()).toBe(true)

    const stored = await storedRatingIds(s, pad.id)
    expect(sorted(stored)).toEqual(sorted(pad.sentLog!))
    const seqs = (
      await s.app.db.prisma.rating.findMany({ where: { deviceId: pad.id }, select: { seq: true } })
    ).map((r) => r.seq)
    expect(new Set(seqs).size).toBe(5) // no seq reused across reboots
    await sim.stop()
  })

  it('pads on file storage (--data) over MQTT on WebSocket: killed with ratings queued, they resend after restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rp-sim-files-'))
    try {
      const sim = await simulator(s, { prefix: 'files', broker: s.wsUrl, dataDir: dir })
      await sim.start({ traffic: false })
      const pad = sim.pads[0]
      sim.faults.drop(pad.id, HOUR)
      await waitFor(() => !pad.online, 'link down')
      for (let i = 1; i <= 2; i++) await rateOnce(sim, pad, i, `files-tx-${i}`)
      expect(pad.outboxDepth).toBeGreaterThanOrEqual(2)
      await sim.faults.restart(pad.id)
      expect(pad.boots).toBe(2)
      expect(await sim.drain()).toBe(true)
      expect(sorted(await storedRatingIds(s, pad.id))).toEqual(sorted(pad.sentLog!))
      expect(pad.sentLog).toHaveLength(2)
      await sim.stop()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a pad offline for a simulated day delivers everything on reconnect', async () => {
    const sim = await simulator(s, { prefix: 'day', txPerHour: 4, serviceSeconds: 240 })
    await sim.start({ traffic: false })
    const pad = sim.pads[0]
    sim.faults.drop(pad.id, 24 * HOUR)
    await waitFor(() => !pad.online, 'link down')

    sim.startTraffic()
    await sim.run(23 * HOUR, 10 * MIN)
    expect(pad.online).toBe(false)
    const queued = pad.disk.entries.size
    expect(pad.sentLog!.length).toBeGreaterThan(30)
    expect(queued).toBeGreaterThanOrEqual(pad.sentLog!.length) // ratings and unrated events
    sim.stopTraffic()
    await sim.run(1 * HOUR + 5 * MIN, MIN)

    expect(await sim.drain()).toBe(true)
    expect(sorted(await storedRatingIds(s, pad.id))).toEqual(sorted(pad.sentLog!))
    const unrated = await s.app.db.prisma.padEventRecord.count({
      where: { deviceId: pad.id, type: 'unrated' },
    })
    expect(unrated).toBe(pad.unratedEvents)
    expect(unrated).toBeGreaterThan(0)
    const span = await s.app.db.prisma.rating.aggregate({
      where: { deviceId: pad.id },
      _min: { pressedAt: true },
      _max: { pressedAt: true },
    })
    expect(span._max.pressedAt!.getTime() - span._min.pressedAt!.getTime()).toBeGreaterThan(20 * HOUR)
    await sim.stop()
  })
})
