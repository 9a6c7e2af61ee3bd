// Scale-out: two stateless server instances on Mosquitto and PostgreSQL share the pads' messages
// through a shared subscription. One instance is SIGKILLed halfway through 20,000 ratings from
// simulated pads: every rating is stored exactly once and every pad's outbox empties.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { Simulator } from '../../simulator/simulator.ts'
import { postgresDatabase, type TestDatabase } from '../helpers/databases.ts'
import { startServerMosquitto, type ServerMosquitto } from '../helpers/mosquitto.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'

const PADS = 200
const ROUNDS = 100 // ratings per pad

let broker: ServerMosquitto
let pgdb: TestDatabase
let a: ServerProcess
let b: ServerProcess

beforeAll(async () => {
  broker = await startServerMosquitto()
  pgdb = await postgresDatabase()
  const env = {
    ...broker.serverEnv,
    DATABASE_URL: (pgdb.config as { url: string }).url,
  }
  // Both start at once: the migration lock lets exactly one of them migrate.
  ;[a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
}, 120_000)

afterAll(async () => {
  await a?.stop()
  await b?.stop()
  await broker?.stop()
  await pgdb?.drop()
})

describe('two server instances, one killed halfway', () => {
  it('stores each of 20,000 ratings exactly once and empties every outbox', async () => {
    const token = a.token || b.token
    const sim = await Simulator.create({
      api: a.httpUrl,
      token,
      broker: broker.url,
      pads: PADS,
      halls: 2,
      prefix: 'scale',
      seed: 42,
      manualClock: true,
      keepSentLog: true,
      concurrency: 20,
    })
    // The operator's step once pads are registered: export credentials to Mosquitto.
    await broker.loadPadPasswords({ httpUrl: a.httpUrl, token })
    await sim.start({ traffic: false })

    const t0 = Date.now()
    for (let round = 1; round <= ROUNDS; round++) {
      if (round % 10 === 0) {
        const health = await Promise.all(
          [a, b].map((s) =>
            fetch(`${s.httpUrl}/health`).then(
              (r) => r.json().then((h) => h.ingest),
              () => 'down',
            ),
          ),
        )
        const { ratingsSent, ratingsAcked, outboxMessages } = sim.stats()
        console.log(
          `round ${round}: ${Date.now() - t0} ms; pads sent ${ratingsSent}, acked ${ratingsAcked}, ` +
            `outboxes ${outboxMessages}; ingest ${JSON.stringify(health)}`,
        )
      }
      if (round === ROUNDS / 2 + 1) {
        // Halfway: instance A dies without a goodbye; whatever it had not committed is never acked.
        a.child.kill('SIGKILL')
      }
      await Promise.all(
        sim.pads.map((p) =>
          p.prompt({ id: `${p.id}-t${round}`, ticket: `A${round}`, staffNo: p.spec.staffNo }),
        ),
      )
      await sim.advance(2000)
      await Promise.all(sim.pads.map((p) => p.press(1 + ((round + p.spec.index) % 4))))
      if (sim.pads.some((p) => p.screen.view === 'reasons'))
        await Promise.all(sim.pads.filter((p) => p.screen.view === 'reasons').map((p) => p.press(1)))
      await sim.advance(4000)
    }
    // Unacked ratings are resent with backoff on the pads' (simulated) clock.
    for (let i = 0; i < 60 && sim.stats().ratingsOutstanding > 0; i++)
      await sim.advance(30_000, { network: true })
    expect(await sim.drain(60_000)).toBe(true)

    const sent = sim.pads.flatMap((p) => p.sentLog!.map((id) => `${p.id}/${id}`))
    expect(sent).toHaveLength(PADS * ROUNDS)
    expect(new Set(sent).size).toBe(PADS * ROUNDS)
    expect(sim.pads.every((p) => p.outboxDepth === 0)).toBe(true)

    const db = new pg.Client({ connectionString: (pgdb.config as { url: string }).url })
    await db.connect()
    const { rows } = await db.query<{ deviceId: string; ratingId: string }>(
      'SELECT "deviceId", "ratingId" FROM "Rating"',
    )
    await db.end()
    const stored = rows.map((r) => `${r.deviceId}/${r.ratingId}`)
    expect(stored).toHaveLength(PADS * ROUNDS) // nothing twice…
    expect(new Set(stored)).toEqual(new Set(sent)) // …and nothing lost or invented
    await sim.stop()
  }, 600_000)
})
