// Benchmark (not a test): month and year report latency over generated ratings, read from the
// rollups by the real ReportService, against a naive GROUP BY over the raw ratings in the same run.
//
//   npm run bench:reports                       10,000,000 ratings
//   npm run bench:reports -- --ratings 1000000  fewer
//   options: --halls 10 --windows 50 --runs 20 --db FILE (keep and reuse the generated file)
//
// The generator writes raw rows and rollups straight through better-sqlite3 for speed, but the
// rollup rows come from the same RollupDeltas.addRating/addUnrated and localDayHour the ingest
// uses, upserted with the same INSERT … ON CONFLICT statements (one per row here).
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import BetterSqlite3 from 'better-sqlite3'
import { classOf, DEFAULT_REASONS, SCALE_LEVELS, type Level } from '../protocol/index.ts'
import type { Principal } from '../server/auth/principal.ts'
import { openDatabase } from '../server/db/client.ts'
import { addDays, dayStart, eachDay, localDayHour } from '../server/reports/local-time.ts'
import { ROLLUP_TABLES, RollupDeltas, type RollupTable } from '../server/reports/rollups.ts'
import { ReportService } from '../server/reports/service.ts'

const { values: args } = parseArgs({
  options: {
    ratings: { type: 'string', default: '10000000' },
    halls: { type: 'string', default: '10' },
    windows: { type: 'string', default: '50' },
    runs: { type: 'string', default: '20' },
    db: { type: 'string' },
  },
})
const N = Number(args.ratings)
const HALLS = Number(args.halls)
const WINDOWS = Number(args.windows)
const RUNS = Number(args.runs)
const FIRST_DAY = '2025-01-01'
const LAST_DAY = '2026-12-31'
const ZONE = 'Asia/Shanghai'
const UNRATED_SHARE = 0.08 // transactions whose prompt ended with no press, on top of the ratings
const STAFF_PER_HALL = Math.ceil(WINDOWS * 1.2)
const SERVICES_PER_HALL = 12

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const file = args.db ?? join(tmpdir(), `rp-bench-reports-${N}.db`)
const keep = args.db !== undefined

/** A fixed-seed PRNG (mulberry32), so every run generates the same data. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00') // as Prisma stores DateTime
const hallId = (h: number) => `hall-${String(h + 1).padStart(2, '0')}`
const windowId = (h: number, w: number) => `${hallId(h)}-w${String(w + 1).padStart(3, '0')}`

async function generate() {
  const t0 = performance.now()
  // Schema and migrations exactly as the server makes them.
  await (await openDatabase({ provider: 'sqlite', file })).close()
  const db = new BetterSqlite3(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = OFF')
  db.pragma('cache_size = -1000000')
  const now = iso(Date.now())
  const reasons = JSON.stringify(DEFAULT_REASONS)
  db.transaction(() => {
    for (let h = 0; h < HALLS; h++) {
      db.prepare(
        `INSERT INTO "Hall" ("id","name","timeZone","reasons","createdAt","updatedAt") VALUES (?,?,?,?,?,?)`,
      ).run(hallId(h), `第${h + 1}政务服务中心`, ZONE, reasons, now, now)
      for (let w = 0; w < WINDOWS; w++) {
        db.prepare(
          `INSERT INTO "Window" ("id","hallId","name","createdAt","updatedAt") VALUES (?,?,?,?,?)`,
        ).run(windowId(h, w), hallId(h), `${w + 1}号窗口`, now, now)
        db.prepare(
          `INSERT INTO "Device" ("id","secretHash","hallId","windowId","createdAt","updatedAt") VALUES (?,?,?,?,?,?)`,
        ).run(`${windowId(h, w)}-pad`, 'x', hallId(h), windowId(h, w), now, now)
      }
      for (let s = 0; s < STAFF_PER_HALL; s++)
        db.prepare(
          `INSERT INTO "Staff" ("id","staffNo","hallId","name","createdAt","updatedAt") VALUES (?,?,?,?,?,?)`,
        ).run(
          `${hallId(h)}-s${s}`,
          `${h + 1}${String(s).padStart(4, '0')}`,
          hallId(h),
          `工作人员${s}`,
          now,
          now,
        )
    }
  })()

  const insertRating = db.prepare(
    `INSERT INTO "Rating" ("id","deviceId","ratingId","seq","hallId","windowId","staffNo","signedInStaffNo","scale","key","level","class","reasons","transactionId","serviceCode","serviceName","pressedAt","receivedAt","replayed","occurredAt","day","hour","promptedAt")
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?,?,?)`,
  )
  const insertEvent = db.prepare(
    `INSERT INTO "PadEventRecord" ("id","deviceId","eventId","type","hallId","windowId","staffNo","transactionId","payload","at","receivedAt","serviceCode","serviceName","occurredAt","day","hour")
     VALUES (?,?,?,'unrated',?,?,?,?,?,?,?,?,?,?,?,?)`,
  )
  const insertVoid = db.prepare(
    `INSERT INTO "RatingVoid" ("id","ratingId","hallId","decidedAt","decidedBy","reason","createdAt") VALUES (?,?,?,?,?,?,?)`,
  )
  // The same upsert writeRollups sends, one row at a time.
  const upserts = Object.fromEntries(
    (Object.keys(ROLLUP_TABLES) as RollupTable[]).map((t) => {
      const def = ROLLUP_TABLES[t]
      const cols = [...def.keys, ...def.measures]
      const set = def.measures.map((m) => `"${m}" = "${def.name}"."${m}" + excluded."${m}"`).join(', ')
      return [
        t,
        db.prepare(
          `INSERT INTO "${def.name}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
           ON CONFLICT (${def.keys.map((k) => `"${k}"`).join(', ')}) DO UPDATE SET ${set}`,
        ),
      ]
    }),
  ) as Record<RollupTable, BetterSqlite3.Statement>

  const days = eachDay(FIRST_DAY, LAST_DAY)
  const perHallDay = N / (HALLS * days.length)
  const rand = prng(42)
  // Some windows do worse than others, so rankings move.
  const bias = Array.from({ length: HALLS * WINDOWS }, () => rand() * 0.12)
  const services = Array.from({ length: SERVICES_PER_HALL }, (_, i) => ({
    code: `11${String(i).padStart(4, '0')}`,
    name: [
      '居民身份证换领',
      '户籍迁移',
      '社保登记',
      '医保报销',
      '不动产登记',
      '营业执照',
      '公积金提取',
      '出入境证件',
      '婚姻登记',
      '税务申报',
      '车辆登记',
      '其他事项',
    ][i],
  }))
  let made = 0
  let events = 0
  let voids = 0
  let seq = 0
  for (const [d, day] of days.entries()) {
    const deltas = new RollupDeltas()
    const open = dayStart(day, ZONE).getTime() + 8.5 * 3600_000
    db.transaction(() => {
      for (let h = 0; h < HALLS; h++) {
        // Spread the remainder so the total is exactly N.
        const target = Math.round(perHallDay * (d * HALLS + h + 1)) - Math.round(perHallDay * (d * HALLS + h))
        const transactions = Math.round(target * (1 + UNRATED_SHARE))
        for (let i = 0; i < transactions; i++) {
          const w = Math.floor(rand() * WINDOWS)
          const at = open + Math.floor(rand() * 9 * 3600_000)
          // Staff rotate between windows day by day; some change window after lunch.
          const shift = at - open > 4.5 * 3600_000 && w % 10 === 0 ? 1 : 0
          const staffNo = `${h + 1}${String((w + d * 7 + shift) % STAFF_PER_HALL).padStart(4, '0')}`
          const svc = services[(w + [0, 1, 5][Math.floor(rand() * 3)]) % SERVICES_PER_HALL]
          const received = at + 1000 + Math.floor(rand() * 2000)
          const { day: localDay, hour } = localDayHour(at, ZONE) // same as the ingest
          const place = {
            hallId: hallId(h),
            day: localDay,
            hour,
            windowId: windowId(h, w),
            staffNo,
            serviceCode: svc.code,
            serviceName: svc.name,
          }
          const txId = `T${++seq}`
          if (i >= target) {
            insertEvent.run(
              `e${seq}`,
              `${windowId(h, w)}-pad`,
              `e${seq}`,
              place.hallId,
              place.windowId,
              staffNo,
              txId,
              '{}',
              iso(at),
              iso(received),
              svc.code,
              svc.name,
              iso(at),
              localDay,
              hour,
            )
            deltas.addUnrated(place)
            events++
            continue
          }
          const twoKeys = w >= WINDOWS * 0.8
          const r = rand() + bias[h * WINDOWS + w]
          const level: Level = twoKeys
            ? r < 0.93
              ? 4
              : 2
            : r < 0.7
              ? 5
              : r < 0.88
                ? 4
                : r < 0.95
                  ? 3
                  : r < 0.98
                    ? 2
                    : 1
          const scale = twoKeys ? 2 : 5
          const key = SCALE_LEVELS[scale].indexOf(level) + 1
          const bad = classOf(level) === 'bad'
          const why = bad ? [DEFAULT_REASONS[Math.floor(rand() * DEFAULT_REASONS.length)].code] : []
          const id = `r${seq}`
          insertRating.run(
            id,
            `${windowId(h, w)}-pad`,
            id,
            seq,
            place.hallId,
            place.windowId,
            staffNo,
            staffNo,
            scale,
            key,
            level,
            classOf(level),
            bad ? JSON.stringify(why) : null,
            txId,
            svc.code,
            svc.name,
            iso(at),
            iso(received),
            iso(at),
            localDay,
            hour,
            iso(at - 5000),
          )
          // One 差评 in 500 is voided after appeal, as a recorded decision.
          const voided = bad && seq % 500 === 0
          if (voided) {
            insertVoid.run(
              `v${seq}`,
              id,
              place.hallId,
              iso(received + 86_400_000),
              '督查室',
              '申诉属实',
              iso(received),
            )
            voids++
          }
          deltas.addRating({ ...place, level, reasons: why, voided })
          made++
        }
      }
      for (const t of Object.keys(ROLLUP_TABLES) as RollupTable[])
        for (const row of deltas.rows(t)) upserts[t].run(...row.keys, ...row.measures)
    })()
    if (d % 91 === 90 || d === days.length - 1)
      console.log(`  generated ${made.toLocaleString('en')} ratings through ${day}`)
  }
  console.log('  analyzing…')
  db.exec('ANALYZE')
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  return { seconds: (performance.now() - t0) / 1000, ratings: made, unratedEvents: events, voids }
}

// ---------------------------------------------------------------- measuring

const admin: Principal = { tokenId: 'bench', name: 'bench', role: 'admin', halls: 'all' }

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

async function time<T>(fn: () => Promise<T>) {
  const samples: number[] = []
  let last: T | undefined
  for (let i = 0; i < RUNS + 2; i++) {
    const t = performance.now()
    last = await fn()
    if (i >= 2) samples.push(performance.now() - t) // two warm-up runs
  }
  samples.sort((a, b) => a - b)
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), last: last! }
}

async function main() {
  console.log(
    `reports benchmark: ${N.toLocaleString('en')} ratings, ${HALLS} halls × ${WINDOWS} windows, ${FIRST_DAY} … ${LAST_DAY}`,
  )
  let generation: Awaited<ReturnType<typeof generate>> | null = null
  if (keep && existsSync(file)) console.log(`  reusing ${file}`)
  else {
    rmSync(file, { force: true })
    generation = await generate()
    console.log(`  generated in ${generation.seconds.toFixed(1)} s`)
  }
  const db = await openDatabase({ provider: 'sqlite', file })
  const prisma = db.prisma
  const reports = new ReportService(prisma, () => new Date('2026-12-31T04:00:00Z'))
  const count = async (table: string) =>
    Number((await prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT COUNT(*) AS n FROM "${table}"`))[0].n)
  const rows = {
    Rating: await count('Rating'),
    PadEventRecord: await count('PadEventRecord'),
    RollupDay: await count('RollupDay'),
    RollupService: await count('RollupService'),
    RollupHour: await count('RollupHour'),
    RollupReason: await count('RollupReason'),
  }
  console.log('  rows:', rows)

  const hall = hallId(0)
  const periods = [
    { name: 'month', query: { period: 'month' as const, date: '2026-06-15' } },
    { name: 'year', query: { period: 'year' as const, date: '2026-06-15' } },
  ]

  /**
   * The naive way: the same figures by GROUP BY over the raw ratings (with the best index,
   * hallId + occurredAt) and the unrated events, with the 差评 reasons parsed from the rows.
   */
  async function naive(from: string, to: string, by: 'none' | 'window' | 'day') {
    const start = dayStart(from, ZONE).toISOString().replace('Z', '+00:00')
    const end = dayStart(addDays(to, 1), ZONE).toISOString().replace('Z', '+00:00')
    const g = by === 'window' ? `r."windowId", ` : by === 'day' ? `r."day", ` : ''
    const range = `r."hallId" = ? AND r."occurredAt" >= ? AND r."occurredAt" < ?`
    const rated = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT ${g}r."level", COUNT(*) AS n, COUNT(v."id") AS voided FROM "Rating" r LEFT JOIN "RatingVoid" v ON v."ratingId" = r."id"
       WHERE ${range} GROUP BY ${g}r."level"`,
      hall,
      start,
      end,
    )
    const unrated = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT ${g}COUNT(*) AS n FROM "PadEventRecord" r
       WHERE ${range} AND r."type" = 'unrated'${g ? ` GROUP BY ${g.slice(0, -2)}` : ''}`,
      hall,
      start,
      end,
    )
    if (by !== 'none') return { rated, unrated, reasons: new Map<string, number>() }
    const reasons = new Map<string, number>()
    const rows = await prisma.$queryRawUnsafe<{ reasons: string; n: bigint }[]>(
      `SELECT r."reasons", COUNT(*) AS n FROM "Rating" r LEFT JOIN "RatingVoid" v ON v."ratingId" = r."id"
       WHERE ${range} AND r."level" <= 2 AND v."id" IS NULL GROUP BY r."reasons"`,
      hall,
      start,
      end,
    )
    for (const r of rows)
      for (const code of new Set(JSON.parse(r.reasons ?? '[]') as string[]))
        reasons.set(code, (reasons.get(code) ?? 0) + Number(r.n))
    return { rated, unrated, reasons }
  }
  const sum = (rs: Record<string, unknown>[], f: (r: Record<string, unknown>) => boolean = () => true) =>
    rs.filter(f).reduce((a, r) => a + Number(r.n) - Number(r.voided ?? 0), 0)

  const results = []
  for (const { name, query } of periods) {
    const summary = await time(() => reports.summary(admin, { hallId: hall, ...query }))
    const p = summary.last.period
    const naiveSummary = await time(() => naive(p.from, p.to, 'none'))
    const windows = await time(() =>
      reports.breakdown(admin, 'window', { hallId: hall, ...query, by: 'satisfaction', minRated: 1 }),
    )
    // Rankings need the previous period too, so the naive way reads both.
    const naiveWindows = await time(async () => [
      await naive(p.from, p.to, 'window'),
      await naive(p.previous.from, p.previous.to, 'window'),
    ])
    const interval = name === 'year' ? 'month' : 'day'
    const trend = await time(() => reports.trend(admin, { hallId: hall, ...query, interval }))
    const naiveTrend = await time(() => naive(p.from, p.to, 'day'))
    // The two ways must agree before their times mean anything.
    const m = summary.last.metrics
    const n = naiveSummary.last
    const agree =
      m.rated === sum(n.rated) &&
      m.bad === sum(n.rated, (r) => Number(r.level) <= 2) &&
      m.unrated === sum(n.unrated) &&
      summary.last.reasons.every((r) => n.reasons.get(r.code) === r.count) &&
      windows.last.rows.reduce((a, r) => a + r.metrics.rated, 0) === sum(naiveWindows.last[0].rated) &&
      trend.last.points.reduce((a, x) => a + x.metrics.rated, 0) === sum(naiveTrend.last.rated)
    if (!agree) throw new Error(`rollups and raw ratings disagree for the ${name} report`)
    const inPeriod = sum(n.rated) + n.rated.reduce((a, r) => a + Number(r.voided), 0)
    results.push(
      { report: 'summary (with 差评 reasons)', period: name, inPeriod, rollup: summary, naive: naiveSummary },
      {
        report: 'windows, ranked vs previous period',
        period: name,
        inPeriod,
        rollup: windows,
        naive: naiveWindows,
      },
      { report: `trend per ${interval}`, period: name, inPeriod, rollup: trend, naive: naiveTrend },
    )
  }
  await db.close()

  const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1))
  const table = results.map((r) => ({
    report: r.report,
    period: r.period,
    'ratings in period': r.inPeriod.toLocaleString('en'),
    'rollups p50 ms': fmt(r.rollup.p50),
    'rollups p95 ms': fmt(r.rollup.p95),
    'raw GROUP BY p50 ms': fmt(r.naive.p50),
    'raw GROUP BY p95 ms': fmt(r.naive.p95),
    'speed-up (p50)': `${(r.naive.p50 / r.rollup.p50).toFixed(1)}×`,
  }))
  console.table(table)
  const out = {
    ratings: N,
    halls: HALLS,
    windowsPerHall: WINDOWS,
    days: `${FIRST_DAY}..${LAST_DAY}`,
    runs: RUNS,
    generation,
    databaseBytes: statSync(file).size,
    rows,
    node: process.version,
    results: results.map((r) => ({
      report: r.report,
      period: r.period,
      ratingsInPeriod: r.inPeriod,
      rollupMs: { p50: r.rollup.p50, p95: r.rollup.p95 },
      rawGroupByMs: { p50: r.naive.p50, p95: r.naive.p95 },
    })),
    at: new Date().toISOString(),
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true })
  writeFileSync(join(root, 'bench/results/reports.json'), JSON.stringify(out, null, 2) + '\n')
  console.log('  wrote bench/results/reports.json')
  if (!keep) rmSync(file, { force: true })
  for (const ext of ['-wal', '-shm']) if (!keep) rmSync(file + ext, { force: true })
}

await main()
