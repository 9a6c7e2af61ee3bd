// The conformance kit against the simulator's pads (the real pad runtime over the real MQTT
// transport) on a test broker: a good pad passes every rule; a pad broken on purpose, by wrapping
// its real transport, fails exactly the rule it breaks.
import { createServer, type Server } from 'node:net'
import { Aedes } from 'aedes'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runConformance, formatReport, RULES, type Operator, type RuleResult } from '../../conformance/kit.ts'
import { SimClock } from '../../simulator/clock.ts'
import { PROFILES } from '../../simulator/profiles.ts'
import { seeded } from '../../simulator/random.ts'
import { SimPad } from '../../simulator/sim-pad.ts'
import { waitFor } from '../helpers/server.ts'

let broker: Aedes
let tcp: Server
let url: string
const clock = new SimClock()

beforeAll(async () => {
  broker = await Aedes.createBroker()
  tcp = createServer(broker.handle)
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
  url = `mqtt://127.0.0.1:${(tcp.address() as { port: number }).port}`
  clock.startRealtime(10)
})
afterAll(async () => {
  await clock.stopRealtime()
  await new Promise<void>((resolve) => broker?.close(() => resolve()))
  tcp?.close()
})

async function simPad(id: string): Promise<SimPad> {
  const pad = new SimPad(
    {
      index: 0,
      id,
      secret: 'conformance-secret',
      hallId: 'conformance',
      windowId: 'w1',
      staffNo: 'T0001',
      staffName: '测试员',
      profile: Object.values(PROFILES)[0],
    },
    {
      broker: url,
      clock,
      random: seeded(1),
      transportCounters: { published: 0, duplicates: 0 },
      keepSentLog: false,
      reconnect: { initialMs: 200, maxMs: 1000 },
    },
  )
  await pad.boot()
  return pad
}

/** Presses keys on the simulated pad when its screen is the one the kit expects. */
const operatorFor = (pad: SimPad): Operator => ({
  async press(key, expect) {
    await waitFor(() => pad.screen.view === expect, `${pad.id} showing ${expect}`)
    await pad.press(key)
  },
  say() {},
})

async function check(pad: SimPad): Promise<RuleResult[]> {
  const results = await runConformance({
    broker: url,
    deviceId: pad.id,
    operator: operatorFor(pad),
    waitMs: 15_000,
    promptSeconds: 3,
  })
  await pad.stop()
  return results
}
const failing = (results: RuleResult[]) =>
  results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status}`)

/** Wraps the pad's real transport: every publish goes through `f`, which may drop or add messages. */
function wrapPublish(
  pad: SimPad,
  f: (
    publish: (topic: string, payload: string) => Promise<void>,
    topic: string,
    payload: string,
  ) => Promise<void>,
) {
  const t = pad.transport
  const real = t.publish.bind(t)
  t.publish = (topic, payload, options) => f((tp, p) => real(tp, p, options), topic, payload)
}

describe('conformance kit', () => {
  it('passes the simulator’s pad on every rule', async () => {
    const results = await check(await simPad('sim-good-01'))
    expect(failing(results), formatReport(results)).toEqual([])
    expect(results.map((r) => r.id)).toEqual(RULES.map(([id]) => id))
    for (const r of results) expect(r.evidence.length, r.id).toBeGreaterThan(0)
    expect(formatReport(results)).toMatch(/^11 passed, 0 failed$/m)
  })

  it('fails only reconnect-replay for a pad that never sends anything again', async () => {
    const pad = await simPad('sim-noreplay-01')
    wrapPublish(pad, async (publish, topic, payload) => {
      if (!payload.includes('"replayed":true')) await publish(topic, payload)
    })
    const results = await check(pad)
    expect(failing(results), formatReport(results)).toEqual(['reconnect-replay: fail'])
  })

  it('fails only one-rating-per-prompt for a pad that sends two ratings per prompt', async () => {
    const pad = await simPad('sim-double-01')
    // Renumbers seq itself so the extra rating is otherwise well formed (its own id, a growing seq).
    const seqOf = new Map<string, number>()
    let seq = 0
    const numbered = (r: { id: string }) => {
      if (!seqOf.has(r.id)) seqOf.set(r.id, ++seq)
      return { ...r, seq: seqOf.get(r.id)! }
    }
    wrapPublish(pad, async (publish, topic, payload) => {
      if (!topic.endsWith('/rating')) return publish(topic, payload)
      const r = JSON.parse(payload)
      const first = !seqOf.has(r.id)
      await publish(topic, JSON.stringify(numbered(r)))
      if (first) await publish(topic, JSON.stringify(numbered({ ...r, id: `${r.id}x2` })))
    })
    const results = await check(pad)
    expect(failing(results), formatReport(results)).toEqual(['one-rating-per-prompt: fail'])
  })
})

describe('npm run conformance', () => {
  it('names missing arguments and exits 2', async () => {
    const { spawnSync } = await import('node:child_process')
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'conformance/cli.ts', '--device', 'pad-1'], {
      encoding: 'utf8',
    })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--broker is required/)
    expect(r.stderr).toMatch(/usage: npm run conformance/)
  })
})
