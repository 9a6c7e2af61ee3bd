// The simulator: halls of windows, one pad per window running the real pad firmware, staff with
// different ratings, citizens arriving and rating, and fault switches. The CLI (cli.ts), the demo
// (demo.ts) and the tests all drive this class.
import type { Scale } from '../protocol/index.ts'
import type { Backoff, PadLog } from '../device/pad.ts'
import { SimClock } from './clock.ts'
import { PROFILE_NAMES, profileOf } from './profiles.ts'
import {
  ApiClient,
  ensureDevice,
  pool,
  provisionHalls,
  type HallPlan,
  type ProvisionCounts,
} from './provision.ts'
import { seeded, unseeded, type Random } from './random.ts'
import { RoguePad, type RogueKind, ROGUE_KINDS } from './rogue.ts'
import { SimPad } from './sim-pad.ts'
import { Desk, newTrafficStats, type TrafficOptions, type TrafficStats } from './traffic.ts'
import type { TransportCounters } from './transport.ts'

export interface SimulatorOptions {
  /** Server base URL (http://host:port) and an admin API token, for provisioning. */
  api: string
  token: string
  /** Broker for the pads: mqtt://host:1883 or ws://host:8080/mqtt. */
  broker: string
  /** Pads in all (one per window, one staff member per window). */
  pads: number
  halls?: number
  /** Prefix of every id made (halls, windows, staff numbers, pads), so runs can share a server. */
  prefix?: string
  /** Keys on the pads of new halls (an existing hall keeps its own). */
  scale?: Scale
  promptSeconds?: number
  /** Citizens per window per hour, mean service time in seconds. */
  txPerHour?: number
  serviceSeconds?: number
  promptBy?: TrafficOptions['promptBy']
  unratedShare?: number
  /** Staff profiles, given to the staff in turn (see profiles.ts). */
  profiles?: string[]
  /** Staff sign in on the pad keypad (staffSignIn), or through the REST API before pads connect. */
  signIn?: 'pad' | 'api'
  /** Seeded random source: the same seed gives the same staff, citizens and choices. */
  seed?: number
  /**
   * Simulated time: the clock moves only by advance() (tests), starting at this ms epoch (true:
   * now). Default: the clock follows real time.
   */
  manualClock?: boolean | number
  /** Keep pads' outboxes and settings in files under this folder instead of memory. */
  dataDir?: string
  outboxCapacity?: number
  /** Keep every accepted rating id per pad (sentLog); off saves memory on long runs. */
  keepSentLog?: boolean
  /** REST calls at a time while provisioning. */
  concurrency?: number
  /**
   * Pad secrets from an earlier run (device id → secret), reused instead of rotated; the map is
   * filled with every pad's secret (the CLI keeps it in a --secrets file).
   */
  secrets?: Map<string, string>
  /** Pads powered on per second at start (0: all at once). */
  rampPerSecond?: number
  reconnect?: Partial<Backoff>
  resend?: Partial<Backoff> & { batch?: number }
  /** Register a rogue device too (see rogue.ts). */
  rogue?: boolean
  log?: (message: string) => void
  padLog?: PadLog
}

export interface FaultPlan {
  /** Every this many ms a random pad loses its connection for dropForMs. */
  dropEveryMs?: number
  dropForMs?: number
  /** Every this many ms a random pad loses power and comes back after restartOffMs. */
  restartEveryMs?: number
  restartOffMs?: number
  /** Every this many ms the rogue pad publishes something malformed or oversized. */
  rogueEveryMs?: number
}

export interface SimStats {
  pads: number
  padsOn: number
  padsConnected: number
  prompts: number
  ratingsSent: number
  ratingsAcked: number
  /** Ratings sent and not yet acked. */
  ratingsOutstanding: number
  /** Ratings and events waiting in the pads' outboxes. */
  outboxMessages: number
  unratedEvents: number
  traffic: TrafficStats
  transport: TransportCounters
  faults: { drops: number; restarts: number; rogue: number }
}

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰文波斌宇浩凯鹏辉晨阳欣怡佳琪子涵思远海燕雪梅婷婷晓东志强'
const TITLES = ['综合受理', '业务骨干', '窗口负责人', '科员', '首席代表']

export class Simulator {
  readonly clock: SimClock
  readonly api: ApiClient
  readonly pads: SimPad[] = []
  readonly desks: Desk[] = []
  readonly trafficStats = newTrafficStats()
  readonly transportCounters: TransportCounters = { published: 0, duplicates: 0 }
  readonly faultCounts = { drops: 0, restarts: 0, rogue: 0 }
  readonly hallIds: string[] = []
  provisioned: ProvisionCounts = { created: 0, existing: 0 }
  rogue: RoguePad | null = null
  private readonly byId = new Map<string, SimPad>()
  private readonly faultRandom: Random
  private faultTimers: unknown[] = []
  private readonly log: (m: string) => void
  private trafficOn = false
  /** Inputs given to pads and not yet carried out; simulated time waits for them. */
  private readonly inflight = new Set<Promise<void>>()

  private constructor(readonly o: SimulatorOptions) {
    const start = typeof o.manualClock === 'number' ? o.manualClock : Date.now()
    this.clock = new SimClock(start)
    this.api = new ApiClient(o.api, o.token)
    this.log = o.log ?? (() => {})
    this.faultRandom = this.stream(900_001)
  }

  /** Independent random streams, so one window's citizens do not shift another's. */
  stream(n: number): Random {
    return this.o.seed === undefined ? unseeded : seeded(this.o.seed, n)
  }

  get manual(): boolean {
    return this.o.manualClock !== undefined && this.o.manualClock !== false
  }

  /** Provisions everything through the REST API and makes the pads (powered off). */
  static async create(o: SimulatorOptions): Promise<Simulator> {
    const sim = new Simulator(o)
    await sim.provision()
    return sim
  }

  pad(id: string): SimPad {
    const p = this.byId.get(id)
    if (!p) throw new Error(`no simulated pad ${id}`)
    return p
  }

  // ---------------------------------------------------------------- provisioning

  plan(): HallPlan[] {
    const o = this.o
    const prefix = o.prefix ?? 'sim'
    const halls = Math.max(1, Math.min(o.halls ?? 1, o.pads))
    const names = this.stream(900_002)
    const plans: HallPlan[] = []
    let k = 0
    for (let h = 1; h <= halls; h++) {
      const n = Math.floor(o.pads / halls) + (h <= o.pads % halls ? 1 : 0)
      const hallId = `${prefix}-h${h}`
      const width = String(n).length
      const windows: HallPlan['windows'] = []
      for (let w = 1; w <= n; w++, k++) {
        const no = String(w).padStart(width, '0')
        const name =
          SURNAMES[Math.floor(names() * SURNAMES.length)] +
          GIVEN[Math.floor(names() * GIVEN.length)] +
          (names() < 0.6 ? GIVEN[Math.floor(names() * GIVEN.length)] : '')
        windows.push({
          id: `${hallId}-w${no}`,
          name: `${w}号窗口`,
          padId: `${hallId}-pad${no}`,
          staff: {
            staffNo: `${prefix}${h}-${no}`,
            name,
            title: TITLES[k % TITLES.length],
            stars: 3 + Math.floor(names() * 3),
          },
        })
      }
      plans.push({
        id: hallId,
        name: halls === 1 ? '模拟政务服务大厅' : `模拟政务服务大厅${h}`,
        scale: o.scale,
        promptSeconds: o.promptSeconds,
        windows,
      })
    }
    return plans
  }

  private async provision(): Promise<void> {
    const o = this.o
    const plans = this.plan()
    this.hallIds.push(...plans.map((p) => p.id))
    const t0 = Date.now()
    const { pads, counts } = await provisionHalls(this.api, plans, {
      concurrency: o.concurrency ?? 8,
      signInByApi: o.signIn === 'api',
      secrets: o.secrets,
      onProgress: (done, total) => {
        if (done % 500 === 0 || done === total) this.log(`provisioned ${done}/${total} windows`)
      },
    })
    this.provisioned = counts
    this.log(
      `provisioned ${pads.length} pads in ${plans.length} hall(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s (${counts.created} created, ${counts.existing} reused)`,
    )
    const profiles = (o.profiles?.length ? o.profiles : PROFILE_NAMES).map(profileOf)
    const traffic: TrafficOptions = {
      txPerHour: o.txPerHour ?? 30,
      serviceSeconds: o.serviceSeconds ?? 60,
      promptBy: o.promptBy ?? 'command',
      unratedShare: o.unratedShare,
    }
    pads.forEach((p, index) => {
      const pad = new SimPad(
        { ...p, index, profile: profiles[index % profiles.length] },
        {
          broker: o.broker,
          clock: this.clock,
          random: this.stream(500_000 + index),
          transportCounters: this.transportCounters,
          dataDir: o.dataDir,
          outboxCapacity: o.outboxCapacity,
          reconnect: o.reconnect,
          resend: o.resend,
          keepSentLog: o.keepSentLog ?? true,
          log: o.padLog,
          track: (work) => this.track(work),
        },
      )
      this.pads.push(pad)
      this.byId.set(pad.id, pad)
      this.desks.push(new Desk(pad, this.stream(index), this.clock, traffic, this.trafficStats))
    })
    if (o.rogue) {
      const id = `${o.prefix ?? 'sim'}-rogue`
      const secret = await ensureDevice(this.api, { id, hallId: plans[0].id, windowId: null })
      this.rogue = new RoguePad(o.broker, id, secret)
    }
  }

  // ---------------------------------------------------------------- running

  /**
   * Powers the pads on, waits until they are connected and configured, signs the staff in, and
   * (unless traffic is false) lets the citizens come.
   */
  async start(options: { traffic?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 60_000 + this.pads.length * 50
    if (!this.manual) this.clock.startRealtime()
    const ramp = this.o.rampPerSecond ?? 0
    const t0 = Date.now()
    if (ramp > 0) {
      for (let i = 0; i < this.pads.length; i += Math.max(1, Math.round(ramp / 10))) {
        const batch = this.pads.slice(i, i + Math.max(1, Math.round(ramp / 10)))
        await Promise.all(batch.map((p) => p.boot()))
        await new Promise((r) => setTimeout(r, 100))
      }
    } else await pool(this.pads, 200, (p) => p.boot())
    await this.until(
      () => this.pads.every((p) => p.online && p.runtime.coreState.config?.window),
      'pads connected and configured',
      timeoutMs,
    ).catch((e) => {
      const missing = this.pads.filter((p) => !p.online)
      if (missing.length === 0) throw e
      throw new Error(
        `${missing.length} of ${this.pads.length} pads did not connect (for example ${missing[0].id}); ` +
          'is the broker URL right, and are the secrets current (delete a stale --secrets file)?',
      )
    })
    this.log(
      `${this.pads.length} pads connected and configured in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    )
    if (this.o.signIn !== 'api') {
      // Sign in at pads whose window shows somebody else or nobody (a rerun finds staff signed in).
      for (const p of this.pads)
        if (p.runtime.coreState.staff?.staffNo !== p.spec.staffNo)
          void p.input({ type: 'staffSignIn', staffNo: p.spec.staffNo })
    }
    // A keypad sign-in shows the 工号 at once; the card (name, photo) follows with the server's
    // config once it has taken the sign-in, which with thousands of pads can take a while.
    await this.until(
      () =>
        this.pads.every(
          (p) => p.runtime.coreState.staff?.staffNo === p.spec.staffNo && !p.runtime.coreState.paused,
        ),
      'staff signed in',
      timeoutMs,
    )
    this.log('staff signed in')
    if (options.traffic !== false) this.startTraffic()
  }

  startTraffic(): void {
    this.trafficOn = true
    for (const d of this.desks) d.start()
  }

  stopTraffic(): void {
    this.trafficOn = false
    for (const d of this.desks) d.stop()
  }

  get trafficRunning(): boolean {
    return this.trafficOn
  }

  private track(work: Promise<void>): Promise<void> {
    this.inflight.add(work)
    void work.finally(() => this.inflight.delete(work))
    return work
  }

  /**
   * Runs after each simulated timer: lets the microtasks it started run, then waits for the inputs
   * it gave to pads to be carried out, so citizens see what the pads really show before time moves.
   * No macrotask turn when nothing waits: thousands of timers stay cheap.
   */
  private readonly settle = async (): Promise<void> => {
    for (let i = 0; i < 8; i++) await null
    while (this.inflight.size) await Promise.all(this.inflight)
  }

  /**
   * Simulated time only: moves the clock, letting the pads' async work run after each timer. Then,
   * unless `network` is false, waits (in real time, at most `budgetMs`) until the connected pads'
   * outboxes are acked, so the network looks instantaneous next to simulated time: acks are not
   * left behind by a clock racing ahead, which would only cause resends.
   */
  async advance(ms: number, o: { network?: boolean; budgetMs?: number } = {}): Promise<void> {
    await this.clock.advance(ms, this.settle)
    await new Promise<void>((r) => setImmediate(r))
    if (o.network !== false) await this.settleNetwork(o.budgetMs ?? 2000)
  }

  /** Moves simulated time in steps of `stepMs` (network settled between steps) up to `ms`. */
  async run(ms: number, stepMs = 5000): Promise<void> {
    for (let t = 0; t < ms; t += stepMs) await this.advance(Math.min(stepMs, ms - t))
  }

  /** Waits in real time, at most budgetMs, until every connected pad's outbox is empty. */
  async settleNetwork(budgetMs: number): Promise<boolean> {
    const deadline = Date.now() + budgetMs
    for (;;) {
      if (this.pads.every((p) => !p.online || p.outboxDepth === 0)) return true
      if (Date.now() > deadline) return false
      await new Promise((r) => setTimeout(r, 1))
    }
  }

  /**
   * Waits until every powered pad's outbox is empty (everything acked). With simulated time the
   * clock moves on meanwhile, so resends and reconnects happen.
   */
  async drain(timeoutMs = 30_000): Promise<boolean> {
    try {
      await this.until(
        () => this.pads.every((p) => !p.on || (p.online && p.outboxDepth === 0)),
        'outboxes empty',
        timeoutMs,
      )
      return true
    } catch {
      return false
    }
  }

  /** Polls in real time; with simulated time, also moves the clock a second per poll. */
  async until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const start = Date.now()
    for (;;) {
      if (check()) return
      if (Date.now() - start > timeoutMs) throw new Error(`simulator: timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 50))
      if (this.manual && !check()) await this.advance(1000, { network: false })
    }
  }

  async stop(o: { drainMs?: number } = {}): Promise<void> {
    this.stopTraffic()
    for (const t of this.faultTimers) this.clock.clearTimeout(t)
    this.faultTimers = []
    if (o.drainMs) await this.drain(o.drainMs)
    await pool(this.pads, 200, (p) => p.stop().catch(() => {}))
    await this.rogue?.close()
    await this.clock.stopRealtime()
  }

  stats(): SimStats {
    let padsOn = 0
    let padsConnected = 0
    let prompts = 0
    let sent = 0
    let acked = 0
    let outbox = 0
    let unrated = 0
    for (const p of this.pads) {
      if (p.on) {
        padsOn++
        if (p.online) padsConnected++
        outbox += p.outboxDepth
      }
      prompts += p.prompts
      sent += p.ratingsSent
      acked += p.ratingsAcked
      unrated += p.unratedEvents
    }
    return {
      pads: this.pads.length,
      padsOn,
      padsConnected,
      prompts,
      ratingsSent: sent,
      ratingsAcked: acked,
      ratingsOutstanding: sent - acked,
      outboxMessages: outbox,
      unratedEvents: unrated,
      traffic: { ...this.trafficStats, levels: [...this.trafficStats.levels] },
      transport: { ...this.transportCounters },
      faults: { ...this.faultCounts },
    }
  }

  /** Per staff member: profile and what their citizens gave. */
  staffSummary() {
    return this.desks.map((d) => {
      const total = d.levels.reduce((a, b) => a + b, 0)
      const good = d.levels[0] + d.levels[1] + d.levels[2]
      return {
        staffNo: d.pad.spec.staffNo,
        name: d.pad.spec.staffName,
        windowId: d.pad.spec.windowId,
        profile: d.pad.spec.profile.name,
        ratings: total,
        levels: { 5: d.levels[0], 4: d.levels[1], 3: d.levels[2], 2: d.levels[3], 1: d.levels[4] },
        goodShare: total ? Math.round((good / total) * 1000) / 1000 : null,
      }
    })
  }

  // ---------------------------------------------------------------- fault switches

  readonly faults = {
    /** The pad's link drops now and stays down for `ms` of (simulated) time. */
    drop: (padId: string, ms: number) => {
      this.faultCounts.drops++
      this.pad(padId).dropConnection(ms)
    },
    /** Power cut and power on again after `offMs` (the outbox and settings survive on its disk). */
    restart: async (padId: string, offMs = 0) => {
      this.faultCounts.restarts++
      await this.pad(padId).restart(offMs)
    },
    /** The pad's clock runs `ms` ahead (negative: behind). */
    skew: (padId: string, ms: number) => this.pad(padId).skewClock(ms),
    /** Share of the pad's ratings and events published twice (every pad when padId is '*'). */
    duplicates: (padId: string, share: number) => {
      for (const p of padId === '*' ? this.pads : [this.pad(padId)]) p.setDuplicates(share)
    },
    /** The rogue pad publishes one misbehaving message (registered with `rogue: true`). */
    rogue: async (kind: RogueKind) => {
      if (!this.rogue) throw new Error('no rogue pad: create the simulator with rogue: true')
      this.faultCounts.rogue++
      return this.rogue.send(kind)
    },
  }

  /** Random faults on a schedule (the CLI's fault flags). */
  startFaults(plan: FaultPlan): void {
    const r = this.faultRandom
    const every = (ms: number | undefined, fn: () => void) => {
      if (!ms || ms <= 0) return
      const tick = () => {
        fn()
        this.faultTimers.push(this.clock.setTimeout(tick, ms))
      }
      this.faultTimers.push(this.clock.setTimeout(tick, ms))
    }
    const anyOn = () => {
      const on = this.pads.filter((p) => p.on)
      return on.length ? on[Math.floor(r() * on.length)] : null
    }
    every(plan.dropEveryMs, () => {
      const p = anyOn()
      if (p) this.faults.drop(p.id, plan.dropForMs ?? 30_000)
    })
    every(plan.restartEveryMs, () => {
      const p = anyOn()
      if (p) void this.faults.restart(p.id, plan.restartOffMs ?? 5000)
    })
    if (this.rogue)
      every(
        plan.rogueEveryMs,
        () => void this.faults.rogue(ROGUE_KINDS[Math.floor(r() * ROGUE_KINDS.length)]),
      )
  }
}
