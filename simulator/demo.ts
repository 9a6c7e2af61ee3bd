// npm run demo: the server on its embedded default (aedes broker, SQLite under ./data/demo) plus a
// demo hall of simulated pads rating a few times a second, so a newcomer sees data flow at once.
// Everything goes through the real paths: REST provisioning, MQTT, ingest, reports.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../server/app.ts'
import { PortInUseError } from '../server/broker/embedded.ts'
import { loadConfig, type AppConfig } from '../server/config.ts'
import { heapUsed, Progress, summary, summaryText } from './report.ts'
import { Simulator } from './simulator.ts'

const DEMO_PROFILES = [
  'model',
  'good',
  'average',
  'slow',
  'poor',
  'good',
  'average',
  'model',
  'good',
  'slow',
  'average',
  'poor',
]

interface DemoCredentials {
  apiToken?: string
  username?: string
  password?: string
}

async function startServer(
  env: Record<string, string | undefined>,
): Promise<{ app: FastifyInstance; config: AppConfig }> {
  const config = loadConfig(env)
  const app = await buildApp({ config, logger: { level: config.LOG_LEVEL } })
  try {
    await app.listen({ port: config.PORT, host: config.HOST })
    return { app, config }
  } catch (e) {
    await app.close().catch(() => {})
    throw e
  }
}

/** The demo's admin token and dashboard account, kept in the demo data folder so reruns show the same. */
async function credentials(app: FastifyInstance, dataDir: string): Promise<Required<DemoCredentials>> {
  const file = join(dataDir, 'demo-credentials.json')
  const saved: DemoCredentials = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}
  const principal = saved.apiToken ? await app.repos.tokens.principalFor(saved.apiToken) : null
  const apiToken =
    principal?.role === 'admin'
      ? saved.apiToken!
      : (await app.repos.tokens.create({ name: 'demo', role: 'admin' })).token
  const username = 'demo'
  let password = saved.password
  const existing = (await app.users.list()).find((u) => u.username === username)
  if (!existing) {
    password = randomBytes(9).toString('base64url')
    await app.users.create({ username, password, role: 'admin', displayName: 'Demo' })
  } else if (!password) {
    password = randomBytes(9).toString('base64url')
    await app.users.update(existing.id, { password })
  }
  const result = { apiToken, username, password: password! }
  writeFileSync(file, JSON.stringify(result, null, 2), { mode: 0o600 })
  return result
}

async function main() {
  const { values: a } = parseArgs({
    options: {
      pads: { type: 'string' },
      'tx-per-hour': { type: 'string' },
      'service-time': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (a.help) {
    process.stdout.write(
      'npm run demo [-- --pads 12 --service-time 1 --tx-per-hour 3600]\n' +
        'Environment as for npm start (PORT, MQTT_PORT, DATA_DIR default ./data/demo, LOG_LEVEL default warn).\n',
    )
    return
  }
  const env = {
    ...process.env,
    DATA_DIR: process.env.DATA_DIR ?? './data/demo',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  }
  mkdirSync(env.DATA_DIR, { recursive: true })
  let server: { app: FastifyInstance; config: AppConfig }
  try {
    server = await startServer(env)
  } catch (e) {
    if (e instanceof PortInUseError && !process.env.MQTT_PORT && !process.env.MQTT_URL) {
      // Something (often a Mosquitto) has 1883: the demo's pads live in this process, any port will do.
      console.log(`MQTT port ${e.port} is busy; the demo's embedded broker takes a free port instead.`)
      server = await startServer({ ...env, MQTT_PORT: '0' })
    } else if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`HTTP port ${process.env.PORT ?? 8080} is already in use: set PORT to a free port.`)
      process.exit(1)
    } else throw e
  }
  const { app, config } = server
  const port = (app.server.address() as { port: number }).port
  const creds = await credentials(app, config.dataDir)
  const broker = app.broker ? `mqtt://127.0.0.1:${app.broker.port}` : config.MQTT_URL!
  const base = `http://localhost:${port}`

  // The pads' secrets, so a rerun reuses the pads without rotating every secret.
  const secretsFile = join(config.dataDir, 'demo-pads.json')
  const secrets = new Map<string, string>(
    existsSync(secretsFile) ? Object.entries(JSON.parse(readFileSync(secretsFile, 'utf8'))) : [],
  )
  const sim = await Simulator.create({
    api: `http://127.0.0.1:${port}`,
    token: creds.apiToken,
    broker,
    pads: Number(a.pads ?? 12),
    halls: 1,
    prefix: 'demo',
    txPerHour: Number(a['tx-per-hour'] ?? 3600),
    serviceSeconds: Number(a['service-time'] ?? 1),
    profiles: DEMO_PROFILES,
    keepSentLog: false,
    secrets,
    log: (m) => console.log(m),
  })
  writeFileSync(secretsFile, JSON.stringify(Object.fromEntries(secrets), null, 1), { mode: 0o600 })
  const hallId = sim.hallIds[0]
  console.log(`
rating-pad demo: ${sim.pads.length} simulated pads in hall ${hallId}, data in ${config.dataDir}

  Dashboard      ${base}/            username ${creds.username}  password ${creds.password}
  API docs       ${base}/docs
  Admin token    ${creds.apiToken}
  MQTT broker    ${app.broker ? `mqtt://localhost:${app.broker.port}` : broker}  (ws://localhost:${port}/mqtt for browsers)

Try:
  curl -H "Authorization: Bearer ${creds.apiToken}" '${base}/api/v1/reports/staff?hallId=${hallId}&period=day'
  curl -H "Authorization: Bearer ${creds.apiToken}" '${base}/api/v1/ratings?hallId=${hallId}&limit=5'

(the token and password are kept in ${join(config.dataDir, 'demo-credentials.json')}; Ctrl-C stops)
`)
  let progress: Progress | null = null
  let stopping = false
  let run: { heapBefore: number; heapStarted: number; startedAt: number; trafficStartedAt: number } | null =
    null
  const stop = async () => {
    if (stopping) process.exit(1)
    stopping = true
    sim.stopTraffic()
    const drained = await sim.drain(5000)
    progress?.stop()
    if (run) console.log(summaryText(summary(sim, { ...run, endedAt: Date.now(), drained })))
    await sim.stop()
    await app.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())

  const heapBefore = heapUsed()
  const startedAt = Date.now()
  await sim.start({ traffic: false })
  if (stopping) return
  run = { heapBefore, heapStarted: heapUsed(), startedAt, trafficStartedAt: Date.now() }
  sim.startTraffic()
  progress = new Progress(sim)
  progress.start()
}

main().catch((e) => {
  console.error(`demo: ${(e as Error).stack ?? e}`)
  process.exit(1)
})
