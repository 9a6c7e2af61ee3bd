// Pads and recovery benchmark, with the real pad firmware (simulator) against a real server process:
//  - how many simulated pads one process keeps connected, and the memory per pad;
//  - how long 200 pads take to drain 20,000 ratings queued while offline, once they reconnect.
// Usage: npm run bench:pads -- [--pads 10000] [--recovery-pads 200] [--per-pad 100]
import { writeFileSync, mkdirSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { Simulator } from '../simulator/simulator.ts'
import { startServerProcess } from '../test/helpers/server-process.ts'

const { values: args } = parseArgs({
  options: {
    pads: { type: 'string', default: '10000' },
    'recovery-pads': { type: 'string', default: '200' },
    'per-pad': { type: 'string', default: '100' },
  },
})

const mb = (n: number) => Math.round(n / 2 ** 20)

async function connectedPads(n: number) {
  const server = await startServerProcess({ INGEST_FLUSH_MS: '20' })
  try {
    global.gc?.()
    const before = process.memoryUsage()
    const t0 = performance.now()
    const sim = await Simulator.create({
      api: server.httpUrl,
      token: server.token,
      broker: server.mqttUrl,
      pads: n,
      halls: Math.ceil(n / 200),
      prefix: 'bp',
      keepSentLog: false,
      concurrency: 16,
    })
    const provisionedS = (performance.now() - t0) / 1000
    const t1 = performance.now()
    await sim.start({ traffic: false, timeoutMs: 600_000 })
    const connectS = (performance.now() - t1) / 1000
    global.gc?.()
    const after = process.memoryUsage()
    const st = sim.stats()
    const result = {
      pads: n,
      connected: st.padsConnected,
      provisionSeconds: provisionedS,
      connectSeconds: connectS,
      rssMiB: mb(after.rss),
      heapUsedMiB: mb(after.heapUsed),
      kibPerPad: Math.round((after.rss - before.rss) / 1024 / n),
      heapKibPerPad: Math.round((after.heapUsed - before.heapUsed) / 1024 / n),
    }
    await sim.stop()
    return result
  } finally {
    await server.stop()
  }
}

async function recovery(pads: number, perPad: number) {
  const server = await startServerProcess({})
  try {
    const sim = await Simulator.create({
      api: server.httpUrl,
      token: server.token,
      broker: server.mqttUrl,
      pads,
      halls: 1,
      prefix: 'br',
      keepSentLog: false,
      manualClock: true,
      concurrency: 16,
      // Reconnect quickly once the link is back: the benchmark measures draining, not backoff.
      reconnect: { initialMs: 200, maxMs: 1000 },
    })
    await sim.start({ traffic: false })
    for (const p of sim.pads) sim.faults.drop(p.id, 24 * 3600_000)
    await sim.until(() => sim.stats().padsConnected === 0, 'links down', 60_000)
    for (let round = 1; round <= perPad; round++) {
      await Promise.all(sim.pads.map((p) => p.prompt({ id: `${p.id}-r${round}`, staffNo: p.spec.staffNo })))
      await sim.advance(1500, { network: false })
      await Promise.all(sim.pads.map((p) => p.press(1)))
      await sim.advance(4000, { network: false })
    }
    const queued = sim.stats().outboxMessages
    // Reconnect backoff and resend timers run on the pads' simulated clocks: move them along in
    // small steps while the network does the real work being measured. The clock starts when the
    // links are back, since reconnect backoff (up to a minute) is not ingest work.
    for (const p of sim.pads) p.restoreConnection()
    let t0 = performance.now()
    let ok = false
    let allBack = false
    while (!ok && performance.now() - t0 < 600_000) {
      await sim.advance(500, { budgetMs: 100 })
      if (!allBack && sim.pads.some((p) => p.online)) ((allBack = true), (t0 = performance.now()))
      ok = sim.pads.every((p) => p.online && p.outboxDepth === 0)
    }
    const seconds = (performance.now() - t0) / 1000
    await sim.stop()
    return { pads, queued, drained: ok, seconds, perSecond: queued / seconds }
  } finally {
    await server.stop()
  }
}

const results = {
  when: new Date().toISOString(),
  recovery: await recovery(Number(args['recovery-pads']), Number(args['per-pad'])),
  pads: await connectedPads(Number(args.pads)),
}
mkdirSync('bench/results', { recursive: true })
writeFileSync('bench/results/pads.json', JSON.stringify(results, null, 2) + '\n')
console.log(JSON.stringify(results, null, 2))
