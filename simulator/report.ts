// The live progress line (stderr) and the end-of-run summary of the simulator.
import type { Simulator } from './simulator.ts'

const fmt = (n: number) => n.toLocaleString('en-US')

export class Progress {
  private timer: NodeJS.Timeout | null = null
  private lastSent = 0
  private lastAt = Date.now()
  private lastLine = 0
  private rate = 0

  constructor(
    private readonly sim: Simulator,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  start(everyMs = 1000): void {
    this.lastSent = this.sim.stats().ratingsSent
    this.lastAt = Date.now()
    this.timer = setInterval(() => this.tick(), everyMs)
  }

  /** Ratings per second over the last interval. */
  get ratePerSecond(): number {
    return this.rate
  }

  line(): string {
    const st = this.sim.stats()
    const now = Date.now()
    const secs = (now - this.lastAt) / 1000
    if (secs > 0.2) {
      this.rate = (st.ratingsSent - this.lastSent) / secs
      this.lastSent = st.ratingsSent
      this.lastAt = now
    }
    const parts = [
      `pads ${fmt(st.padsConnected)}/${fmt(st.pads)} connected`,
      `ratings ${fmt(st.ratingsSent)} sent`,
      `${fmt(st.ratingsAcked)} acked`,
      `${fmt(st.ratingsOutstanding)} outstanding`,
      `${this.rate.toFixed(1)}/s`,
      `unrated ${fmt(st.unratedEvents)}`,
      `outbox ${fmt(st.outboxMessages)}`,
    ]
    const f = st.faults
    if (f.drops || f.restarts || f.rogue || st.transport.duplicates)
      parts.push(
        `faults: ${f.drops} drops, ${f.restarts} restarts, ${st.transport.duplicates} dups, ${f.rogue} rogue`,
      )
    return parts.join(' · ')
  }

  private tick(): void {
    const line = this.line()
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${line}`)
    else if (Date.now() - this.lastLine >= 5000) {
      this.lastLine = Date.now()
      this.out.write(`${line}\n`)
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    if (this.out.isTTY) this.out.write('\n')
  }
}

export interface RunInfo {
  startedAt: number
  endedAt: number
  /** heapUsed before the pads were powered on and once all were connected (per-pad figure). */
  heapBefore: number
  heapStarted: number
  /** When the citizens started coming (after the pads connected), for the rate. */
  trafficStartedAt?: number
  drained: boolean
}

/** heapUsed after a full GC when node runs with --expose-gc (NODE_OPTIONS=--expose-gc), else as is. */
export function heapUsed(): number {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().heapUsed
}

export function summary(sim: Simulator, run: RunInfo) {
  const st = sim.stats()
  const mem = process.memoryUsage()
  const seconds = (run.endedAt - run.startedAt) / 1000
  const trafficSeconds = (run.endedAt - (run.trafficStartedAt ?? run.startedAt)) / 1000
  const t = st.traffic
  return {
    pads: st.pads,
    halls: sim.hallIds.length,
    durationSeconds: Math.round(seconds * 10) / 10,
    provisioned: sim.provisioned,
    transactions: t.transactions,
    prompts: st.prompts,
    ratingsSent: st.ratingsSent,
    ratingsAcked: st.ratingsAcked,
    ratingsOutstanding: st.ratingsOutstanding,
    outboxMessages: st.outboxMessages,
    drained: run.drained,
    trafficSeconds: Math.round(trafficSeconds * 10) / 10,
    ratingsPerSecond: trafficSeconds > 0 ? Math.round((st.ratingsSent / trafficSeconds) * 10) / 10 : 0,
    unrated: st.unratedEvents,
    walkAways: t.walkAways,
    latePresses: t.latePresses,
    noPrompt: t.noPrompt,
    reasonsPicked: t.reasonsPicked,
    levels: { 5: t.levels[0], 4: t.levels[1], 3: t.levels[2], 2: t.levels[3], 1: t.levels[4] },
    published: st.transport.published,
    faults: { ...st.faults, duplicatesSent: st.transport.duplicates },
    memory: {
      rssMB: Math.round(mem.rss / 1048576),
      heapUsedMB: Math.round(mem.heapUsed / 1048576),
      /** Heap the pads took when connected and idle (with --expose-gc for a clean figure). */
      heapPerPadKB:
        st.pads && run.heapStarted > run.heapBefore
          ? Math.round((run.heapStarted - run.heapBefore) / st.pads / 102.4) / 10
          : null,
    },
    staff: sim.staffSummary(),
  }
}

export type Summary = ReturnType<typeof summary>

export function summaryText(s: Summary): string {
  const pct = (x: number | null) => (x === null ? '  –  ' : `${(x * 100).toFixed(1)}%`)
  const lines = [
    `${fmt(s.pads)} pads in ${s.halls} hall(s), ${s.durationSeconds} s (traffic ${s.trafficSeconds} s)`,
    `transactions ${fmt(s.transactions)}, ratings ${fmt(s.ratingsSent)} sent / ${fmt(s.ratingsAcked)} acked` +
      ` (${fmt(s.ratingsOutstanding)} outstanding${s.drained ? '' : ', not drained'}), ${s.ratingsPerSecond}/s`,
    `unrated ${fmt(s.unrated)} (walked away ${fmt(s.walkAways)}), late presses ${fmt(s.latePresses)}, reasons picked ${fmt(s.reasonsPicked)}`,
    `levels 5:${s.levels[5]} 4:${s.levels[4]} 3:${s.levels[3]} 2:${s.levels[2]} 1:${s.levels[1]}`,
    `faults: ${s.faults.drops} drops, ${s.faults.restarts} restarts, ${s.faults.duplicatesSent} duplicates, ${s.faults.rogue} rogue`,
    `memory: rss ${s.memory.rssMB} MB, heap ${s.memory.heapUsedMB} MB` +
      (s.memory.heapPerPadKB !== null ? `, about ${s.memory.heapPerPadKB} KB heap per connected pad` : ''),
  ]
  const staff = [...s.staff]
    .filter((x) => x.ratings > 0)
    .sort((a, b) => (b.goodShare ?? 0) - (a.goodShare ?? 0))
  if (staff.length) {
    lines.push('staff (好评率, ratings, profile):')
    const show = staff.length > 10 ? [...staff.slice(0, 5), null, ...staff.slice(-5)] : staff
    for (const x of show)
      lines.push(
        x
          ? `  ${x.staffNo.padEnd(14)} ${x.name.padEnd(4, '　')} ${pct(x.goodShare)}  ${String(x.ratings).padStart(5)}  ${x.profile}`
          : '  …',
      )
  }
  return lines.join('\n')
}
