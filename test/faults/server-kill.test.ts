// The server process (with its embedded broker) SIGKILLed at random moments while 200 simulated
// pads send 20,000 ratings, ten times over, and started again on the same SQLite file and ports.
// Whatever a killed server had not committed it never acked, so the pads keep it and send it again:
// every rating a citizen saw accepted is stored exactly once, its 差评 has one follow-up case, and
// the report rollups count it once. SOAK=1: 100,000 ratings and 30 kills.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import BetterSqlite3 from 'better-sqlite3'
import { Simulator } from '../../simulator/simulator.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'
import { recordFigures } from './figures.ts'
import { compare, drainAll, faultRandom, rateRound, sentIds, size, storedRatings } from './helpers.ts'

const PADS = 200
const ROUNDS = size(100, 500) // ratings per pad
const KILLS = size(10, 30)

let server: ServerProcess
let token: string
const killed: ServerProcess[] = []
/** A server that died of anything but our SIGKILL: a crash is a failure, not a fault we injected. */
const crashes: string[] = []

function watch(s: ServerProcess): ServerProcess {
  s.child.once('exit', (code, signal) => {
    if (signal !== 'SIGKILL' && !stopping) crashes.push(`exit ${code} ${signal ?? ''}`)
  })
  return s
}
let stopping = false

beforeAll(async () => {
  server = watch(await startServerProcess({ INGEST_FLUSH_MS: '20' }))
  token = server.token
}, 120_000)
afterAll(async () => {
  stopping = true
  await server?.stop()
  for (const s of killed) await s.stop().catch(() => {})
})

const dbFile = () => join(server.dataDir, 'rating-pad.db')

describe('server killed at random moments', () => {
  it(`stores each of ${PADS * ROUNDS} ratings exactly once through ${KILLS} SIGKILLs`, async () => {
    const { random } = faultRandom('server-kill')
    const sim = await Simulator.create({
      api: server.httpUrl,
      token,
      broker: server.mqttUrl,
      pads: PADS,
      halls: 2,
      prefix: 'kill',
      seed: 11,
      manualClock: true,
      keepSentLog: true,
      concurrency: 20,
      // Reconnect within a few simulated seconds of the server coming back.
      reconnect: { initialMs: 500, maxMs: 5000 },
    })
    await sim.start({ traffic: false })

    // Distinct rounds, spread over the stream, each with a kill a random moment into it.
    const killRounds = new Set<number>()
    while (killRounds.size < KILLS) killRounds.add(2 + Math.floor(random() * (ROUNDS - 3)))
    let restarting: Promise<void> | null = null
    const downtimes: number[] = []
    const t0 = Date.now()

    for (let round = 1; round <= ROUNDS; round++) {
      if (killRounds.has(round)) {
        await restarting // the previous restart is done
        const victim = server
        const delay = Math.floor(random() * 150)
        // During the presses and the commits that follow them, not between rounds.
        setTimeout(() => victim.child.kill('SIGKILL'), delay)
        restarting = (async () => {
          const down = Date.now()
          await new Promise((r) => victim.child.once('exit', r))
          killed.push(victim)
          server = watch(
            await startServerProcess(
              { INGEST_FLUSH_MS: '20' },
              { dataDir: victim.dataDir, port: victim.port, mqttPort: victim.mqttPort },
            ),
          )
          downtimes.push(Date.now() - down)
        })()
      }
      await rateRound(sim, round)
    }
    await restarting
    const drained = await drainAll(sim)
    expect(crashes).toEqual([])
    expect(drained).toBe(true)
    const elapsedMs = Date.now() - t0

    const sent = sentIds(sim)
    expect(sent).toHaveLength(PADS * ROUNDS)
    const db = await storedRatings({ file: dbFile() })
    const { lost, invented, storedTwice } = compare(sent, db.ids)
    expect(lost).toEqual([])
    expect(invented).toEqual([])
    expect(storedTwice).toBe(0)
    expect(db.ids).toHaveLength(PADS * ROUNDS)
    expect(db.rollupTotal).toBe(PADS * ROUNDS)
    expect(db.cases).toBe(db.badRatings)
    expect(sim.pads.every((p) => p.outboxDepth === 0)).toBe(true)
    const check = new BetterSqlite3(dbFile(), { readonly: true })
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok')
    check.close()

    const stats = sim.stats()
    recordFigures('server-kill', {
      pads: PADS,
      ratings: sent.length,
      kills: downtimes.length,
      stored: db.ids.length,
      lost: lost.length,
      storedTwice,
      published: stats.transport.published,
      resent: stats.transport.published - sent.length,
      medianRestartMs: downtimes.sort((a, b) => a - b)[Math.floor(downtimes.length / 2)],
      elapsedSeconds: Math.round(elapsedMs / 1000),
    })
    await sim.stop()
  }, 1_800_000)
})
