// The people at one window: citizens arrive (a Poisson process), wait, are served for a while, and
// when the transaction ends the queue system prompts the pad. The citizen then presses a key after a
// human-like delay, walks away without pressing, presses too late, or after a 差评 picks a reason.
// Every draw for a transaction is made up front from the window's own seeded stream, so what the
// citizens do does not depend on network timing: the same seed gives the same behaviour.
import type { Level, Transaction } from '../protocol/index.ts'
import type { SimClock } from './clock.ts'
import { drawLevel, drawPressDelay, drawReason, keyFor } from './profiles.ts'
import { exponential, logNormal, pick, type Random } from './random.ts'
import type { SimPad } from './sim-pad.ts'

export interface TrafficOptions {
  /** Citizens arriving per window per hour. */
  txPerHour: number
  /** Mean service time at the window, seconds. */
  serviceSeconds: number
  /** How the pad is prompted: the queue system's prompt command, or staff pressing 请评价. */
  promptBy: 'command' | 'key'
  /** Overrides every profile's share of citizens who walk away without pressing. */
  unratedShare?: number
}

export interface TrafficStats {
  arrivals: number
  transactions: number
  presses: number
  latePresses: number
  walkAways: number
  reasonsPicked: number
  /** The pad was not prompting when the citizen looked (refused, powered off, unconfigured). */
  noPrompt: number
  /** Ratings taken by level 5 … 1 (index 0 = level 5). */
  levels: [number, number, number, number, number]
}

export function newTrafficStats(): TrafficStats {
  return {
    arrivals: 0,
    transactions: 0,
    presses: 0,
    latePresses: 0,
    walkAways: 0,
    reasonsPicked: 0,
    noPrompt: 0,
    levels: [0, 0, 0, 0, 0],
  }
}

export const SERVICES: readonly (readonly [string, string])[] = [
  ['GA-0101', '居住证办理'],
  ['SC-0214', '营业执照设立登记'],
  ['RS-0203', '社会保障卡申领'],
  ['YB-0031', '医保关系转移接续'],
  ['GJ-0007', '住房公积金提取'],
  ['BD-0012', '不动产登记'],
  ['CR-0005', '出入境证件办理'],
  ['SW-0022', '涉税事项办理'],
  ['MZ-0009', '婚姻登记'],
  ['JY-0016', '就业失业登记'],
]

export class Desk {
  private queue = 0
  private busy = false
  private stopped = true
  private n = 0
  /** Ratings taken at this window by level 5 … 1. */
  readonly levels: [number, number, number, number, number] = [0, 0, 0, 0, 0]

  constructor(
    readonly pad: SimPad,
    private readonly random: Random,
    private readonly clock: SimClock,
    private readonly o: TrafficOptions,
    private readonly stats: TrafficStats,
  ) {}

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.scheduleArrival()
  }

  /** The hall closes: no new arrivals, nobody else called; the citizen at the window finishes. */
  stop(): void {
    this.stopped = true
    this.queue = 0
  }

  private after(ms: number, fn: () => void | Promise<void>): void {
    this.clock.setTimeout(() => void fn(), Math.max(0, Math.round(ms)))
  }

  private scheduleArrival(): void {
    if (this.stopped || this.o.txPerHour <= 0) return
    this.after(exponential(this.random, 3_600_000 / this.o.txPerHour), () => {
      if (this.stopped) return
      this.stats.arrivals++
      this.queue++
      if (!this.busy) this.serveNext()
      this.scheduleArrival()
    })
  }

  private serveNext(): void {
    if (this.queue === 0 || this.stopped) {
      this.busy = false
      return
    }
    this.queue--
    this.busy = true
    const mean = this.o.serviceSeconds * 1000
    const service = Math.max(200, logNormal(this.random, mean * 0.9, 0.45))
    this.after(service, () => this.endService())
  }

  /** The transaction is done: prompt the pad and let the citizen act. */
  private async endService(): Promise<void> {
    const r = this.random
    const pad = this.pad
    const profile = pad.spec.profile
    // All draws first, in a fixed order (see the header).
    const walkAway = r() < (this.o.unratedShare ?? profile.unrated)
    const level = drawLevel(r, profile)
    const delay = drawPressDelay(r, profile)
    const wantsReason = r() < profile.reasonShare
    const reasonDraw = r()
    const reasonDelay = Math.max(400, logNormal(r, 3500, 0.4))
    const gap = 500 + r() * 1500
    const service = pick(r, SERVICES)

    this.stats.transactions++
    const n = ++this.n
    const now = this.clock.now()
    const cfg = pad.on ? pad.runtime.coreState.config : null
    const promptMs = (cfg?.timeouts.promptSeconds ?? 10) * 1000
    const reasonMs = (cfg?.timeouts.reasonSeconds ?? 15) * 1000

    let txId: string | undefined
    if (this.o.promptBy === 'command') {
      const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '')
      const transaction: Transaction = {
        id: `q${pad.spec.index.toString(36)}-${now.toString(36)}-${n}`,
        caseNo: `${day}${String(pad.spec.index % 10_000).padStart(4, '0')}${String(n % 100_000).padStart(5, '0')}`,
        ticket: `${String.fromCharCode(65 + (pad.spec.index % 26))}${String(n % 1000).padStart(3, '0')}`,
        serviceCode: service[0],
        serviceName: service[1],
        staffNo: pad.spec.staffNo,
      }
      txId = transaction.id
      await pad.prompt(transaction)
    } else {
      await pad.press('rate')
      const phase = pad.on ? pad.runtime.coreState.phase : null
      txId = phase?.name === 'prompting' ? phase.prompt.transaction.id : undefined
    }

    if (walkAway) {
      this.stats.walkAways++
      return this.after(promptMs + gap, () => this.serveNext())
    }
    const late = delay >= promptMs
    this.after(delay, async () => {
      const phase = pad.on ? pad.runtime.coreState.phase : null
      const prompting = phase?.name === 'prompting' && phase.prompt.transaction.id === txId
      if (!prompting && !late) {
        // Nothing on the pad asked this citizen (prompt refused, pad off): they leave.
        this.stats.noPrompt++
        return this.after(gap, () => this.serveNext())
      }
      const scale = pad.runtime.coreState.config?.scale ?? 5
      await pad.press(keyFor(scale, level))
      this.stats.presses++
      if (late) {
        // Too late for this prompt: the pad records a press with no prompt, never a rating.
        this.stats.latePresses++
        return this.after(gap, () => this.serveNext())
      }
      const after = pad.on ? pad.runtime.coreState.phase : null
      if (after?.name === 'thanks' || after?.name === 'reasons') this.countLevel(level)
      if (after?.name !== 'reasons') return this.after(gap, () => this.serveNext())
      // A 差评 and the pad asks why.
      if (!wantsReason || reasonDelay >= reasonMs) return this.after(reasonMs + gap, () => this.serveNext())
      this.after(reasonDelay, async () => {
        const open = pad.on ? pad.runtime.coreState : null
        if (open?.phase.name === 'reasons' && open.config) {
          const offered = open.config.reasons.map((x) => x.code)
          const i = drawReason(() => reasonDraw, profile, offered)
          if (i !== null) {
            this.stats.reasonsPicked++
            // A reason with a key of its own is pressed; the others only a touch screen offers.
            if (i < open.config.scale) await pad.press(i + 1)
            else await pad.input({ type: 'reasons', codes: [offered[i]] })
          }
        }
        this.after(gap, () => this.serveNext())
      })
    })
  }

  private countLevel(level: Level): void {
    this.levels[5 - level]++
    this.stats.levels[5 - level]++
  }
}
