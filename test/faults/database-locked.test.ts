// The database locked or unavailable for a while under a running server: SQLite held by another
// connection's BEGIN EXCLUSIVE, a PostgreSQL session holding ACCESS EXCLUSIVE on "Rating", and
// PostgreSQL refusing every connection. The server's commits wait or fail and are retried with
// backoff; nothing is acked meanwhile, so the ratings wait in the pads' outboxes, and once the
// database is back every one is stored exactly once. The windows are a few seconds here (SQLite:
// just past its 5 s busy timeout, so a commit really fails); SOAK=1 holds each for 30 s.
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { Simulator } from '../../simulator/simulator.ts'
import { PG_ADMIN_URL, postgresDatabase, type TestDatabase } from '../helpers/databases.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'
import { recordFigures } from './figures.ts'
import { compare, drainAll, rateRound, sentIds, size, storedRatings } from './helpers.ts'

const PADS = 20
const ROUNDS_DURING = 3

interface Outage {
  /** Takes the database away; returns how to count stored ratings meanwhile and how to give it back. */
  start(): Promise<{ count(): Promise<number | null>; end(): Promise<void> }>
}

type Case = {
  name: string
  holdMs: number
  setup(): Promise<{
    env: Record<string, string>
    db: { file: string } | { url: string }
    outage(s: ServerProcess): Outage
    drop(): Promise<void>
  }>
}

const CASES: Case[] = [
  {
    name: 'SQLite held by BEGIN EXCLUSIVE',
    holdMs: size(6_000, 30_000),
    async setup() {
      return {
        env: {},
        db: { file: '' },
        outage: (s) => ({
          async start() {
            const holder = new BetterSqlite3(join(s.dataDir, 'rating-pad.db'))
            holder.pragma('busy_timeout = 30000')
            holder.exec('BEGIN EXCLUSIVE')
            return {
              count: async () =>
                Number((holder.prepare('SELECT COUNT(*) AS n FROM "Rating"').get() as { n: number }).n),
              end: async () => {
                holder.exec('COMMIT')
                holder.close()
              },
            }
          },
        }),
        drop: async () => {},
      }
    },
  },
  ...(['lock', 'unavailable'] as const).map((kind): Case => ({
    name: kind === 'lock' ? 'PostgreSQL "Rating" locked ACCESS EXCLUSIVE' : 'PostgreSQL refusing connections',
    holdMs: size(3_000, 30_000),
    async setup() {
      const tdb: TestDatabase = await postgresDatabase()
      const url = (tdb.config as { url: string }).url
      const dbName = new URL(url).pathname.slice(1)
      return {
        env: { DATABASE_URL: url },
        db: { url },
        outage: () => ({
          async start() {
            if (kind === 'lock') {
              const c = new pg.Client({ connectionString: url })
              await c.connect()
              await c.query('BEGIN')
              await c.query('LOCK TABLE "Rating" IN ACCESS EXCLUSIVE MODE')
              return {
                count: async () => Number((await c.query('SELECT COUNT(*) AS n FROM "Rating"')).rows[0].n),
                end: async () => {
                  await c.query('COMMIT')
                  await c.end()
                },
              }
            }
            // The database goes away: no new connections, and the server's are cut.
            const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
            await admin.connect()
            await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`)
            await admin.query(
              'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
              [dbName],
            )
            return {
              count: async () => null,
              end: async () => {
                await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`)
                await admin.end()
              },
            }
          },
        }),
        drop: () => tdb.drop(),
      }
    },
  })),
]

describe.each(CASES)('$name', (c) => {
  let server: ServerProcess | undefined
  let drop: (() => Promise<void>) | undefined
  afterAll(async () => {
    await server?.stop()
    await drop?.()
  })

  it('keeps ratings in the pads until the database is back, acks none early, stores each once', async () => {
    const setup = await c.setup()
    drop = setup.drop
    server = await startServerProcess(setup.env)
    const db = 'file' in setup.db ? { file: join(server.dataDir, 'rating-pad.db') } : setup.db
    const sim = await Simulator.create({
      api: server.httpUrl,
      token: server.token,
      broker: server.mqttUrl,
      pads: PADS,
      prefix: 'lock',
      seed: 5,
      manualClock: true,
      keepSentLog: true,
      reconnect: { initialMs: 500, maxMs: 5000 },
    })
    await sim.start({ traffic: false })
    await rateRound(sim, 1)
    expect(await drainAll(sim)).toBe(true)
    const before = (await storedRatings(db)).ids.length
    const ackedBefore = sim.stats().ratingsAcked
    expect(before).toBe(PADS)

    const outage = await setup.outage(server).start()
    const t0 = Date.now()
    for (let round = 2; round < 2 + ROUNDS_DURING; round++) await rateRound(sim, round, { network: false })
    let maxWaiting = 0
    while (Date.now() - t0 < c.holdMs) {
      // Simulated time runs on, so the pads resend what is not acked; the server can commit none of it.
      await sim.advance(5000, { network: false })
      await new Promise((r) => setTimeout(r, 250))
      expect(sim.stats().ratingsAcked).toBe(ackedBefore)
      maxWaiting = Math.max(maxWaiting, sim.stats().ratingsOutstanding)
    }
    const stored = await outage.count()
    if (stored !== null) expect(stored).toBe(before)
    expect(maxWaiting).toBe(PADS * ROUNDS_DURING)
    await outage.end()
    const heldMs = Date.now() - t0

    expect(await drainAll(sim)).toBe(true)
    const after = await storedRatings(db)
    const { lost, invented, storedTwice } = compare(sentIds(sim), after.ids)
    expect({ lost, invented, storedTwice }).toEqual({ lost: [], invented: [], storedTwice: 0 })
    expect(after.ids).toHaveLength(PADS * (1 + ROUNDS_DURING))
    expect(after.rollupTotal).toBe(after.ids.length)
    const health = (await (await fetch(`${server.httpUrl}/health`)).json()) as {
      ingest: { commitFailures: number }
    }
    recordFigures(
      `database-${c.name.split(' ')[0].toLowerCase()}-${c.name.includes('refusing') ? 'unavailable' : 'locked'}`,
      {
        heldSeconds: Math.round(heldMs / 100) / 10,
        ratingsWaiting: maxWaiting,
        ackedDuringOutage: 0,
        commitFailuresRetried: health.ingest.commitFailures,
        stored: after.ids.length,
        lost: lost.length,
        storedTwice,
      },
    )
    await sim.stop()
  }, 300_000)
})
