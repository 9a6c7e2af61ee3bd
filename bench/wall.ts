// Benchmark (not a test): how long from a pad's rating to the hall walls showing it.
//
//   npm run bench:wall                          300 ratings at 20/s, 50 windows, 20 walls
//   options: --ratings 300 --rate 20 --windows 50 --walls 20
//
// The server runs in its own process (embedded broker, SQLite), as `npm start` runs it. Pads are
// mqtt.js clients sending protocol v1 ratings; walls are SSE clients of
// /api/v1/live/halls/{hall}/stream. A rating counts as shown on a wall when a snapshot arrives
// whose window count has reached it; the latency is from just before the pad publishes it.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { sampleTransaction } from '../test/fixtures/messages.ts'
import { RawPad } from '../test/helpers/raw-pad.ts'
import { startServerProcess } from '../test/helpers/server-process.ts'

const { values: args } = parseArgs({
  options: {
    ratings: { type: 'string', default: '300' },
    rate: { type: 'string', default: '20' },
    windows: { type: 'string', default: '50' },
    walls: { type: 'string', default: '20' },
  },
})
const RATINGS = Number(args.ratings)
const RATE = Number(args.rate)
const WINDOWS = Number(args.windows)
const WALLS = Number(args.walls)
const HALL = 'bench-hall'

const server = await startServerProcess({ LOG_LEVEL: 'error' })
const api = server.api.bind(server)
await api('POST', '/api/v1/halls', { id: HALL, name: '基准大厅' })
const pads: RawPad[] = []
for (let i = 0; i < WINDOWS; i++) {
  const windowId = `${HALL}-w${i}`
  await api('POST', '/api/v1/windows', { id: windowId, hallId: HALL, name: `${i + 1}号窗口` })
  await api('POST', '/api/v1/staff', { staffNo: `B${i}`, hallId: HALL, name: `人员${i}` })
  await api('POST', `/api/v1/windows/${windowId}/sign-in`, { staffNo: `B${i}` })
  const pad = await api('POST', '/api/v1/devices', { id: `bench-pad-${i}`, hallId: HALL, windowId })
  pads.push(await RawPad.connect(server.mqttUrl, pad.id, pad.secret))
}

/** sent[w][k]: when the k-th rating (1-based count) of window w was sent. */
const sent: number[][] = Array.from({ length: WINDOWS }, () => [])
const latencies: number[] = []
const walls = Array.from({ length: WALLS }, () => ({
  seen: new Array<number>(WINDOWS).fill(0),
  ready: false,
}))
const controllers: AbortController[] = []

async function follow(wall: (typeof walls)[number]) {
  const ctrl = new AbortController()
  controllers.push(ctrl)
  const res = await fetch(`${server.httpUrl}/api/v1/live/halls/${HALL}/stream`, {
    headers: { authorization: `Bearer ${server.token}`, accept: 'text/event-stream' },
    signal: ctrl.signal,
  })
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let i
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, i)
        buffer = buffer.slice(i + 2)
        const data = frame
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('')
        if (!/^event: ?wall/m.test(frame) || !data) continue
        const now = Date.now()
        const snap = JSON.parse(data) as { windows: { id: string; metrics: { rated: number } }[] }
        wall.ready = true
        for (const w of snap.windows) {
          const index = Number(w.id.slice(`${HALL}-w`.length))
          for (let k = wall.seen[index] + 1; k <= w.metrics.rated; k++)
            if (sent[index][k] !== undefined) latencies.push(now - sent[index][k])
          wall.seen[index] = Math.max(wall.seen[index], w.metrics.rated)
        }
      }
    }
  } catch {}
}
for (const w of walls) void follow(w)
while (!walls.every((w) => w.ready)) await new Promise((r) => setTimeout(r, 20))

const started = Date.now()
for (let n = 0; n < RATINGS; n++) {
  const w = n % WINDOWS
  const due = started + (n * 1000) / RATE
  if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()))
  const now = new Date()
  const rating = pads[w].rating({
    key: 1 + (n % 5),
    promptedAt: new Date(now.getTime() - 2000).toISOString(),
    pressedAt: now.toISOString(),
    transaction: sampleTransaction({ id: `T-bench-${n}`, staffNo: `B${w}` }),
  })
  sent[w][Math.floor(n / WINDOWS) + 1] = Date.now()
  void pads[w].send(rating)
}
const expected = RATINGS * WALLS
const deadline = Date.now() + 30_000
while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))

const sorted = [...latencies].sort((a, b) => a - b)
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
const result = {
  when: new Date().toISOString(),
  ratings: RATINGS,
  ratePerSecond: RATE,
  windows: WINDOWS,
  walls: WALLS,
  shown: latencies.length,
  expected,
  ms: { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: sorted.at(-1) },
}
console.log('rating → hall wall (ms)')
console.log(
  `  ratings ${RATINGS} at ${RATE}/s over ${WINDOWS} windows, ${WALLS} walls: ${latencies.length}/${expected} shown`,
)
console.log(`  p50 ${result.ms.p50}   p95 ${result.ms.p95}   p99 ${result.ms.p99}   max ${result.ms.max}`)
const out = join(dirname(fileURLToPath(import.meta.url)), 'results')
mkdirSync(out, { recursive: true })
writeFileSync(join(out, 'wall.json'), JSON.stringify(result, null, 2))

for (const c of controllers) c.abort()
for (const p of pads) await p.close()
await server.stop()
process.exit(latencies.length === expected ? 0 : 1)
