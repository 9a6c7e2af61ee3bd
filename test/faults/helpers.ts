// Shared pieces of the fault tests: how big a run is (SOAK=1 raises the counts, `npm run
// test:soak`), a seed to reproduce a run (FAULT_SEED), rounds of ratings from simulated pads, and the
// comparison of what the pads' citizens saw accepted with what the database holds.
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import type { Simulator } from '../../simulator/simulator.ts'
import { seeded, type Random } from '../../simulator/random.ts'

export const SOAK = process.env.SOAK === '1'

/** A value for `npm test`, another for `npm run test:soak`. */
export const size = <T>(normal: T, soak: T): T => (SOAK ? soak : normal)

/** The seed of a fault run: printed, and taken from FAULT_SEED to replay one. */
export function faultRandom(name: string): { seed: number; random: Random } {
  const seed = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31))
  console.log(`${name}: FAULT_SEED=${seed}`)
  return { seed, random: seeded(seed, 1) }
}

/**
 * One round: the queue system prompts every powered pad, its citizen presses two seconds later (a
 * reason after a 差评), and the thanks screen runs out. Pads that are offline take the ratings into
 * their outbox all the same.
 */
export async function rateRound(sim: Simulator, round: number, o: { network?: boolean } = {}) {
  const on = sim.pads.filter((p) => p.on)
  await Promise.all(
    on.map((p) => p.prompt({ id: `${p.id}-t${round}`, ticket: `A${round}`, staffNo: p.spec.staffNo })),
  )
  await sim.advance(2000, { network: false })
  await Promise.all(on.map((p) => p.press(1 + ((round + p.spec.index) % 5))))
  const asking = on.filter((p) => p.screen.view === 'reasons')
  if (asking.length) await Promise.all(asking.map((p) => p.press(1)))
  await sim.advance(4000, o)
}

/**
 * Resends and reconnects run on simulated time: move it, a few seconds per step, until every powered
 * pad is connected with an empty outbox. Bounded in real time, because a reconnect storm against a
 * server that has just started takes real seconds however fast simulated time runs.
 */
export async function drainAll(sim: Simulator, realTimeoutMs = 300_000): Promise<boolean> {
  const deadline = Date.now() + realTimeoutMs
  while (Date.now() < deadline) {
    if (sim.pads.every((p) => !p.on || (p.online && p.outboxDepth === 0))) return true
    await sim.advance(5000, { budgetMs: 2000 })
    await new Promise((r) => setTimeout(r, 50))
  }
  const off = sim.pads.filter((p) => p.on && !p.online)
  console.log(
    `not drained: ${off.length} pads offline, ${sim.pads.reduce((n, p) => n + p.outboxDepth, 0)} messages waiting`,
  )
  return false
}

/** Every rating id the citizens saw accepted, as deviceId/ratingId. */
export function sentIds(sim: Simulator): string[] {
  return sim.pads.flatMap((p) => p.sentLog!.map((id) => `${p.id}/${id}`))
}

export interface StoredRatings {
  ids: string[]
  /** Sum of every rollup count: each stored rating counted once in the reports too. */
  rollupTotal: number
  /** Follow-up cases per 差评 rating: exactly one each. */
  badRatings: number
  cases: number
}

const QUERIES = {
  ids: 'SELECT "deviceId", "ratingId" FROM "Rating"',
  rollup:
    'SELECT COALESCE(SUM("level1" + "level2" + "level3" + "level4" + "level5" + "voided"), 0) AS n FROM "RollupDay"',
  bad: `SELECT COUNT(*) AS n FROM "Rating" WHERE "class" = 'bad'`,
  cases: 'SELECT COUNT(*) AS n FROM "FollowupCase"',
}

/** What the database holds, read with a connection of its own (SQLite file or PostgreSQL URL). */
export async function storedRatings(database: { file: string } | { url: string }): Promise<StoredRatings> {
  if ('file' in database) {
    const db = new BetterSqlite3(database.file, { readonly: true })
    try {
      const n = (sql: string) => Number((db.prepare(sql).get() as { n: number | bigint }).n)
      const rows = db.prepare(QUERIES.ids).all() as { deviceId: string; ratingId: string }[]
      return {
        ids: rows.map((r) => `${r.deviceId}/${r.ratingId}`),
        rollupTotal: n(QUERIES.rollup),
        badRatings: n(QUERIES.bad),
        cases: n(QUERIES.cases),
      }
    } finally {
      db.close()
    }
  }
  const c = new pg.Client({ connectionString: database.url })
  await c.connect()
  try {
    const n = async (sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0].n)
    const { rows } = await c.query<{ deviceId: string; ratingId: string }>(QUERIES.ids)
    return {
      ids: rows.map((r) => `${r.deviceId}/${r.ratingId}`),
      rollupTotal: await n(QUERIES.rollup),
      badRatings: await n(QUERIES.bad),
      cases: await n(QUERIES.cases),
    }
  } finally {
    await c.end()
  }
}

/** Ids sent but not stored, and stored but never sent: both must be empty. */
export function compare(sent: string[], stored: string[]) {
  const s = new Set(stored)
  const t = new Set(sent)
  return {
    lost: sent.filter((id) => !s.has(id)),
    invented: stored.filter((id) => !t.has(id)),
    storedTwice: stored.length - s.size,
  }
}
