// npm run sim -- [flags]: simulated halls of pads against a running server. See simulator/README.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { PROFILE_NAMES } from './profiles.ts'
import { seedOf } from './random.ts'
import { heapUsed, Progress, summary, summaryText } from './report.ts'
import { Simulator } from './simulator.ts'

const HELP = `npm run sim -- [flags]

  --api URL             server (default $RP_API or http://localhost:8080)
  --token T             admin API token (default $RP_TOKEN)
  --broker URL          mqtt://host:1883 or ws://host:8080/mqtt (default $RP_BROKER or mqtt://<api host>:1883)
  --pads N              pads, one per window and staff member (default 10)
  --halls N             halls the pads are spread over (default 1)
  --prefix P            prefix of every id made, so runs can share a server (default sim)
  --scale 2..5          keys on the pads of new halls (default 5)
  --prompt-seconds S    prompt window of new halls
  --tx-per-hour N       citizens per window per hour (default 30)
  --service-time S      mean service time, seconds (default 60)
  --prompt-by command|key   queue system's prompt command (default) or the staff 请评价 key
  --unrated SHARE       share of citizens who walk away without pressing (default: per profile)
  --profiles LIST       staff profiles given in turn (${PROFILE_NAMES.join(',')})
  --sign-in pad|api     staff sign in on the pad keypad (default) or through the REST API
  --seed N              seeded random source: same seed, same staff and citizens
  --duration T          stop after T (90, 90s, 5m, 2h; default: until Ctrl-C)
  --ratings N           stop after N ratings
  --drain T             wait at most T at the end for outboxes to empty (default 30s)
  --ramp N              pads powered on per second (default 100; 0 = all at once)
  --data DIR            keep pads' outboxes in files under DIR (default: memory)
  --outbox-capacity N   outbox size per pad (default 50000)
  --concurrency N       REST calls at a time while provisioning (default 8)
  --secrets FILE        keep the pads' secrets here, so a rerun reuses them (no secret rotation)
  --sent-log FILE       write each pad's accepted rating ids (JSON lines) at the end
  --verbose             pad warnings (connection trouble) on stderr
  --json                print the summary as JSON on stdout
  --quiet               no progress line
 faults:
  --drop-every T --drop-for T        a random pad loses its link for a while (default for 30s)
  --restart-every T --restart-off T  a random pad loses power, back after a while (default 5s)
  --skew-share X --skew T            this share of pads runs T ahead (half of them T behind)
  --duplicates SHARE                 share of publishes sent twice
  --rogue-every T                    a rogue pad publishes malformed or oversized payloads
`

function duration(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim())
  if (!m) throw new Error(`--${name}: expected a duration like 90, 90s, 5m or 2h, got ${v}`)
  const n = Number(m[1])
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'])
}

function num(v: string | undefined, name: string, min = 0, max = Infinity): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < min || n > max)
    throw new Error(`--${name}: expected a number ${min}…${max}, got ${v}`)
  return n
}

function oneOf<T extends string>(v: string | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined
  if (!allowed.includes(v as T)) throw new Error(`--${name}: expected ${allowed.join(' or ')}, got ${v}`)
  return v as T
}

async function main() {
  const { values: a } = parseArgs({
    options: {
      api: { type: 'string' },
      token: { type: 'string' },
      broker: { type: 'string' },
      pads: { type: 'string' },
      halls: { type: 'string' },
      prefix: { type: 'string' },
      scale: { type: 'string' },
      'prompt-seconds': { type: 'string' },
      'tx-per-hour': { type: 'string' },
      'service-time': { type: 'string' },
      'prompt-by': { type: 'string' },
      unrated: { type: 'string' },
      profiles: { type: 'string' },
      'sign-in': { type: 'string' },
      seed: { type: 'string' },
      duration: { type: 'string' },
      ratings: { type: 'string' },
      drain: { type: 'string' },
      ramp: { type: 'string' },
      data: { type: 'string' },
      'outbox-capacity': { type: 'string' },
      concurrency: { type: 'string' },
      'sent-log': { type: 'string' },
      secrets: { type: 'string' },
      verbose: { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      'drop-every': { type: 'string' },
      'drop-for': { type: 'string' },
      'restart-every': { type: 'string' },
      'restart-off': { type: 'string' },
      'skew-share': { type: 'string' },
      skew: { type: 'string' },
      duplicates: { type: 'string' },
      'rogue-every': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (a.help) {
    process.stdout.write(HELP)
    return
  }
  const api = a.api ?? process.env.RP_API ?? 'http://localhost:8080'
  const token = a.token ?? process.env.RP_TOKEN
  if (!token)
    throw new Error('an admin API token is needed: --token T or RP_TOKEN (printed at the first server start)')
  const broker = a.broker ?? process.env.RP_BROKER ?? `mqtt://${new URL(api).hostname}:1883`
  const pads = num(a.pads, 'pads', 1, 100_000) ?? 10
  const log = (m: string) => process.stderr.write(`${m}\n`)
  const secretsFile = a.secrets
  const secrets = new Map<string, string>(
    secretsFile && existsSync(secretsFile)
      ? Object.entries(JSON.parse(readFileSync(secretsFile, 'utf8')))
      : [],
  )

  const sim = await Simulator.create({
    api,
    token,
    broker,
    pads,
    halls: num(a.halls, 'halls', 1, 10_000),
    prefix: a.prefix,
    scale: num(a.scale, 'scale', 2, 5) as 2 | 3 | 4 | 5 | undefined,
    promptSeconds: num(a['prompt-seconds'], 'prompt-seconds', 3, 600),
    txPerHour: num(a['tx-per-hour'], 'tx-per-hour', 0),
    serviceSeconds: num(a['service-time'], 'service-time', 0.1),
    promptBy: oneOf(a['prompt-by'], 'prompt-by', ['command', 'key'] as const),
    unratedShare: num(a.unrated, 'unrated', 0, 1),
    profiles: a.profiles?.split(',').map((s) => s.trim()),
    signIn: oneOf(a['sign-in'], 'sign-in', ['pad', 'api'] as const),
    seed: a.seed === undefined ? undefined : seedOf(a.seed),
    dataDir: a.data,
    outboxCapacity: num(a['outbox-capacity'], 'outbox-capacity', 2),
    keepSentLog: a['sent-log'] !== undefined,
    concurrency: num(a.concurrency, 'concurrency', 1, 256),
    rampPerSecond: num(a.ramp, 'ramp', 0) ?? 100,
    rogue: a['rogue-every'] !== undefined,
    secrets,
    log,
    padLog: a.verbose
      ? (level, message, detail) =>
          level !== 'info' &&
          log(`${level}: ${message}${detail instanceof Error ? `: ${detail.message}` : ''}`)
      : undefined,
  })
  if (secretsFile)
    writeFileSync(secretsFile, JSON.stringify(Object.fromEntries(secrets), null, 1), { mode: 0o600 })
  const heapBefore = heapUsed()
  const startedAt = Date.now()
  const progress = new Progress(sim)
  if (!a.quiet) progress.start()
  await sim.start({ traffic: false })
  const heapStarted = heapUsed()
  const trafficStartedAt = Date.now()
  sim.startTraffic()
  log(`traffic started: ${sim.o.txPerHour ?? 30} citizens per window per hour; Ctrl-C to stop`)

  const skewShare = num(a['skew-share'], 'skew-share', 0, 1) ?? 0
  const skewMs = duration(a.skew, 'skew') ?? 300_000
  if (skewShare > 0) {
    const r = sim.stream(900_003)
    for (const p of sim.pads) if (r() < skewShare) sim.faults.skew(p.id, r() < 0.5 ? skewMs : -skewMs)
  }
  const dup = num(a.duplicates, 'duplicates', 0, 1)
  if (dup) sim.faults.duplicates('*', dup)
  sim.startFaults({
    dropEveryMs: duration(a['drop-every'], 'drop-every'),
    dropForMs: duration(a['drop-for'], 'drop-for'),
    restartEveryMs: duration(a['restart-every'], 'restart-every'),
    restartOffMs: duration(a['restart-off'], 'restart-off'),
    rogueEveryMs: duration(a['rogue-every'], 'rogue-every'),
  })

  const durationMs = duration(a.duration, 'duration')
  const maxRatings = num(a.ratings, 'ratings', 1)
  await new Promise<void>((resolve) => {
    let interrupted = false
    process.on('SIGINT', () => {
      if (interrupted) process.exit(130)
      interrupted = true
      log('\nstopping (Ctrl-C again to quit at once)')
      resolve()
    })
    process.on('SIGTERM', () => resolve())
    if (durationMs) setTimeout(resolve, durationMs)
    if (maxRatings) {
      const t = setInterval(() => {
        if (sim.stats().ratingsSent >= maxRatings) {
          clearInterval(t)
          resolve()
        }
      }, 100)
    }
  })

  sim.stopTraffic()
  const drainMs = duration(a.drain, 'drain') ?? 30_000
  const drained = await sim.drain(drainMs)
  progress.stop()
  const endedAt = Date.now()
  const result = summary(sim, { startedAt, endedAt, heapBefore, heapStarted, trafficStartedAt, drained })
  if (a['sent-log'])
    writeFileSync(
      a['sent-log'],
      sim.pads.map((p) => JSON.stringify({ deviceId: p.id, ratingIds: p.sentLog })).join('\n') + '\n',
    )
  await sim.stop()
  if (a.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  else process.stdout.write(`${summaryText(result)}\n`)
  process.exit(0)
}

main().catch((e) => {
  process.stderr.write(`sim: ${(e as Error).message}\n`)
  process.exit(1)
})
