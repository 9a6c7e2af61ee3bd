// Start-up benchmark: time from starting the server process to accepting pads, on an empty
// database and on a large one (the file `npm run bench:reports -- --db FILE` generates and keeps).
// "Accepting pads" means a pad's CONNECT gets its CONNACK: the broker listens and pad auth can
// read the database. The pad here has no credentials, so the answer is a refusal, which is still
// the broker answering after a database lookup.
// Usage: npm run bench:startup -- [--db FILE] [--runs 3]
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import BetterSqlite3 from 'better-sqlite3'
import mqtt from 'mqtt'
import { freePort } from '../test/helpers/server-process.ts'

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    runs: { type: 'string', default: '3' },
  },
})
const RUNS = Number(args.runs)
if (args.db && !existsSync(args.db))
  throw new Error(`--db ${args.db}: no such file (make it with npm run bench:reports -- --db FILE)`)

/** One CONNECT attempt: resolves true on any CONNACK (accepted or refused), false on no answer. */
function connackFrom(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = mqtt.connect(url, {
      username: 'startup-probe',
      password: 'x',
      clientId: 'startup-probe',
      reconnectPeriod: 0,
      connectTimeout: 2000,
    })
    const done = (ok: boolean) => {
      c.end(true)
      resolve(ok)
    }
    c.once('connect', () => done(true))
    c.once('error', (err: Error & { code?: number }) => done(typeof err.code === 'number')) // CONNACK refusal
    c.once('close', () => done(false))
  })
}

async function startOnce(env: Record<string, string>, dataDir: string) {
  const port = await freePort()
  const mqttPort = await freePort()
  const t0 = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      MQTT_PORT: String(mqttPort),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  try {
    const url = `mqtt://127.0.0.1:${mqttPort}`
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
      if (await connackFrom(url)) break
      await new Promise((r) => setTimeout(r, 20))
    }
    const acceptingMs = performance.now() - t0
    // And HTTP: the dashboard and API answer.
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
      if (ok) break
      await new Promise((r) => setTimeout(r, 20))
    }
    return { acceptingMs, httpMs: performance.now() - t0 }
  } finally {
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
  }
}

async function measure(name: string, env: Record<string, string>, ratings: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rp-startup-'))
  const runs = []
  try {
    // The first start on a new data dir also migrates (on an empty database) and makes the first
    // admin; the starts after it are the everyday case (a restart), reported as their median.
    for (let i = 0; i < RUNS + 1; i++) runs.push(await startOnce(env, dataDir))
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
  const restarts = runs
    .slice(1)
    .map((r) => r.acceptingMs)
    .sort((a, b) => a - b)
  const median = restarts[Math.floor(restarts.length / 2)]
  console.error(
    `bench: start-up ${name}: first ${Math.round(runs[0].acceptingMs)} ms, restart median ${Math.round(median)} ms`,
  )
  return { name, ratings, firstStartMs: runs[0].acceptingMs, medianRestartMs: median, runs }
}

function countRatings(file: string) {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    return (db.prepare('SELECT count(*) AS n FROM "Rating"').get() as { n: number }).n
  } finally {
    db.close()
  }
}

const results: Record<string, unknown> = { when: new Date().toISOString() }
results.empty = await measure('empty SQLite', {}, 0)
if (args.db) {
  results.large = await measure(
    `SQLite with generated ratings (${(statSync(args.db).size / 2 ** 30).toFixed(1)} GB)`,
    { DATABASE_URL: `file:${args.db}` },
    countRatings(args.db),
  )
}
mkdirSync('bench/results', { recursive: true })
writeFileSync('bench/results/startup.json', JSON.stringify(results, null, 2) + '\n')
console.log(JSON.stringify(results, null, 2))
