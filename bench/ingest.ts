// Ingest benchmark: ratings per second end to end (pad publish → committed → ack received by the
// pad), latency at a steady rate, and the raw broker fan-in ceiling, in one run.
// Usage: npm run bench:ingest -- [--ratings 100000] [--pads 50] [--window 200] [--steady-seconds 20] [--external]
//   [--profile DIR] (the server's CPU profile) [--no-ceiling]
//   --external also measures Mosquitto (a private one, set up as docs/deploy.md says) + PostgreSQL
//   (127.0.0.1:5432).
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import mqtt, { type MqttClient } from 'mqtt'
import pg from 'pg'
import { Ack, SCHEMA_VERSION, topics, type Rating } from '../protocol/index.ts'
import { randomId } from '../device/adapters/ids.ts'
import { startServerMosquitto } from '../test/helpers/mosquitto.ts'
import { freePort, startServerProcess, type ServerProcess } from '../test/helpers/server-process.ts'

const { values: args } = parseArgs({
  options: {
    ratings: { type: 'string', default: '100000' },
    pads: { type: 'string', default: '50' },
    window: { type: 'string', default: '200' },
    'steady-rate': { type: 'string', default: '1000' },
    'steady-seconds': { type: 'string', default: '20' },
    external: { type: 'boolean', default: false },
    /** Writes the server's CPU profile (node --cpu-prof) into this folder when it stops. */
    profile: { type: 'string' },
    'no-ceiling': { type: 'boolean', default: false },
  },
})
const N = Number(args.ratings)
const PADS = Number(args.pads)
const WINDOW = Number(args.window)

function pct(sorted: number[], p: number) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN
}

/**
 * Press times 15 s apart per pad from 200 days ago, 4 s after the prompt: what honest pads send
 * (a pad replaying its outbox after an outage looks like this). Presses at the bench's real rate,
 * hundreds a second per pad, would all be flagged as bursts and fast presses, which measures the
 * flags, not the ingest.
 */
const EPOCH = Date.now() - 200 * 86_400_000
function rating(seq: number): Rating {
  const pressed = EPOCH + seq * 15_000
  return {
    v: SCHEMA_VERSION,
    id: randomId(),
    seq,
    scale: 5,
    key: 2,
    level: 4,
    class: 'good',
    transaction: { id: `t-${seq}` },
    staffNo: 'S1',
    promptedAt: new Date(pressed - 4000).toISOString(),
    pressedAt: new Date(pressed).toISOString(),
    replayed: false,
  }
}

interface Pad {
  id: string
  client: MqttClient
  sentAt: Map<string, number>
  onAck?: (ids: string[]) => void
}

async function provision(server: ServerProcess, n: number): Promise<{ id: string; secret: string }[]> {
  await server.api('POST', '/api/v1/halls', { id: 'bench-hall', name: 'Bench hall' })
  await server.api('POST', '/api/v1/windows', { id: 'bench-w', hallId: 'bench-hall', name: 'W' })
  const out = []
  for (let i = 0; i < n; i++) {
    const d = await server.api('POST', '/api/v1/devices', {
      id: `bench-pad-${i}`,
      hallId: 'bench-hall',
      windowId: 'bench-w',
    })
    out.push({ id: d.id, secret: d.secret })
  }
  return out
}

async function connectPads(url: string, creds: { id: string; secret: string }[]): Promise<Pad[]> {
  return Promise.all(
    creds.map(async (c) => {
      const client = await mqtt.connectAsync(url, {
        username: c.id,
        password: c.secret,
        clientId: `${c.id}:${randomUUID().slice(0, 4)}`,
        reconnectPeriod: 0,
      })
      // As the pad firmware does (device/adapters/mqtt/mqtt-transport.ts): without it, Nagle's
      // algorithm holds a publish behind the previous PUBACK's delayed TCP ACK (~40 ms).
      ;(client.stream as { setNoDelay?: (on?: boolean) => void }).setNoDelay?.(true)
      const pad: Pad = { id: c.id, client, sentAt: new Map() }
      client.on('message', (_t, payload) => pad.onAck?.(Ack.parse(JSON.parse(payload.toString())).ids))
      await client.subscribeAsync(topics.ack(c.id), { qos: 1 })
      return pad
    }),
  )
}

/** Every pad keeps up to WINDOW ratings unacked; returns ratings/s from first publish to last ack. */
async function sustained(pads: Pad[], total: number) {
  const perPad = Math.ceil(total / pads.length)
  const start = performance.now()
  await Promise.all(
    pads.map(
      (pad) =>
        new Promise<void>((resolve) => {
          let sent = 0
          let acked = 0
          let seq = 0
          const pump = () => {
            while (sent < perPad && sent - acked < WINDOW) {
              const r = rating(++seq)
              pad.sentAt.set(r.id, performance.now())
              pad.client.publish(topics.rating(pad.id), JSON.stringify(r), { qos: 1 })
              sent++
            }
          }
          pad.onAck = (ids) => {
            for (const id of ids) if (pad.sentAt.delete(id)) acked++
            if (acked >= perPad) resolve()
            else pump()
          }
          pump()
        }),
    ),
  )
  const seconds = (performance.now() - start) / 1000
  return { ratings: perPad * pads.length, seconds, perSecond: (perPad * pads.length) / seconds }
}

/**
 * A steady total rate spread over the pads; latency = publish → ack received. The first
 * `warmupSeconds` run at the same rate but are not counted: the figure is the steady state, not the
 * server still settling from the sustained run before it.
 */
async function steady(pads: Pad[], rate: number, seconds: number, warmupSeconds = 2) {
  const latencies: number[] = []
  for (const pad of pads) {
    pad.onAck = (ids) => {
      const now = performance.now()
      for (const id of ids) {
        const t = pad.sentAt.get(id)
        if (t !== undefined) (latencies.push(now - t), pad.sentAt.delete(id))
      }
    }
  }
  const total = rate * seconds
  const warmup = rate * warmupSeconds
  const start = performance.now()
  let seq = 1_000_000
  for (let i = 0; i < warmup + total; i++) {
    const due = start + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    const pad = pads[i % pads.length]
    const r = rating(++seq)
    if (i >= warmup) pad.sentAt.set(r.id, performance.now())
    pad.client.publish(topics.rating(pad.id), JSON.stringify(r), { qos: 1 })
  }
  const deadline = performance.now() + 30_000
  while (latencies.length < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  latencies.sort((a, b) => a - b)
  return {
    rate,
    seconds,
    received: latencies.length,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: latencies[latencies.length - 1],
  }
}

/** QoS 1 fan-in through a bare aedes (no auth, no server): the ceiling. */
async function brokerCeiling(total: number) {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/bare-aedes.ts', String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((r) => child.stdout!.on('data', (d) => /listening/.test(String(d)) && r()))
  const url = `mqtt://127.0.0.1:${port}`
  const sub = await mqtt.connectAsync(url, { reconnectPeriod: 0 })
  await sub.subscribeAsync('rp/v1/+/rating', { qos: 1 })
  const pubs = await Promise.all(
    Array.from({ length: PADS }, () => mqtt.connectAsync(url, { reconnectPeriod: 0 })),
  )
  let received = 0
  const perPad = Math.ceil(total / PADS)
  const done = new Promise<void>((r) => sub.on('message', () => ++received >= perPad * PADS && r()))
  const start = performance.now()
  await Promise.all(
    pubs.map(async (c, i) => {
      const topic = topics.rating(`ceiling-${i}`)
      // Same in-flight window as the end-to-end run.
      for (let k = 0; k < perPad; k += WINDOW) {
        await Promise.all(
          Array.from({ length: Math.min(WINDOW, perPad - k) }, (_, j) =>
            c.publishAsync(topic, JSON.stringify(rating(k + j + 1)), { qos: 1 }),
          ),
        )
      }
    }),
  )
  await done
  const seconds = (performance.now() - start) / 1000
  await Promise.all([...pubs, sub].map((c) => c.endAsync(true)))
  child.kill()
  return { messages: perPad * PADS, seconds, perSecond: (perPad * PADS) / seconds }
}

async function runSetup(
  name: string,
  env: Record<string, string>,
  /** The operator's step once pads are registered (an external broker's password file). */
  afterProvision?: (server: ServerProcess) => Promise<void>,
) {
  const server = await startServerProcess(env, {
    nodeArgs: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [],
  })
  try {
    const creds = await provision(server, PADS)
    await afterProvision?.(server)
    const pads = await connectPads(server.mqttUrl, creds)
    type Health = { ingest: { committed: number; batches: number; commitMs: number } }
    await sustained(pads, Math.min(5000, N)) // warm-up
    const h0 = (await server.api<Health>('GET', '/health')).ingest
    const s = await sustained(pads, N)
    const h1 = (await server.api<Health>('GET', '/health')).ingest
    await new Promise((r) => setTimeout(r, 2000)) // the last commits' after-work (rollups, GC) ends
    const l = await steady(pads, Number(args['steady-rate']), Number(args['steady-seconds']))
    const stored = await server.api<Health>('GET', '/health')
    await Promise.all(pads.map((p) => p.client.endAsync(true)))
    // How the sustained run's time split: commits (database) against the rest (broker, parsing, acks).
    const commits = {
      batches: h1.batches - h0.batches,
      meanBatch: (h1.committed - h0.committed) / (h1.batches - h0.batches),
      commitSeconds: (h1.commitMs - h0.commitMs) / 1000,
    }
    return {
      name,
      startupMs: server.startupMs,
      sustained: { ...s, commits },
      steady: l,
      committed: stored.ingest.committed,
    }
  } finally {
    await server.stop()
  }
}

const results: Record<string, unknown> = {
  when: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  params: { ratings: N, pads: PADS, window: WINDOW },
}
console.error('bench: raw aedes fan-in ceiling…')
results.ceiling = args['no-ceiling'] ? { perSecond: NaN } : await brokerCeiling(N)
console.error('bench: embedded default (aedes + SQLite)…')
results.embedded = await runSetup('embedded (aedes + SQLite)', {})
if (args.external) {
  const db = `rp_bench_${Date.now()}`
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${db}`)
  console.error('bench: Mosquitto + PostgreSQL…')
  // A Mosquitto of its own, configured as docs/deploy.md says (pad passwords and ACL, a queue deep
  // enough for the server's subscription); the machine's default one drops past 1,000 queued.
  const broker = await startServerMosquitto()
  try {
    results.external = await runSetup(
      'Mosquitto + PostgreSQL',
      { ...broker.serverEnv, DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}` },
      (server) => broker.loadPadPasswords(server),
    )
  } finally {
    await broker.stop()
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)
    await admin.end()
  }
}
const e = results.embedded as Awaited<ReturnType<typeof runSetup>>
const c = results.ceiling as { perSecond: number }
results.ratioToCeiling = e.sustained.perSecond / c.perSecond
mkdirSync('bench/results', { recursive: true })
writeFileSync('bench/results/ingest.json', JSON.stringify(results, null, 2) + '\n')
const row = (r: Awaited<ReturnType<typeof runSetup>>) =>
  `| ${r.name} | ${Math.round(r.sustained.perSecond)} | ${r.steady.p50.toFixed(1)} | ${r.steady.p99.toFixed(1)} | ${r.startupMs} |`
console.log(
  [
    '| setup | ratings/s end to end | p50 ms @1000/s | p99 ms @1000/s | start-up ms |',
    '|---|---|---|---|---|',
    row(e),
    ...(results.external ? [row(results.external as never)] : []),
  ].join('\n'),
)
console.log(
  `raw aedes QoS 1 fan-in ceiling: ${Math.round(c.perSecond)} msg/s; end to end is ${(100 * (results.ratioToCeiling as number)).toFixed(0)}% of it`,
)
