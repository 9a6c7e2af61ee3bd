// One scheduler for every simulated pad: a ManualClock (a timer heap) that either the test moves
// (deterministic mode) or one real timer drives at wall-clock pace. 10,000 pads then cost one
// Node timer, not one per pad. Each pad sees the shared time through its own view, so its clock can
// be skewed (and corrected by the server's timeSync) without touching the others.
import { ManualClock } from '../device/adapters/sim/manual-clock.ts'
import type { Clock } from '../device/ports/index.ts'

export class SimClock {
  readonly manual: ManualClock
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null

  constructor(start: number = Date.now()) {
    this.manual = new ManualClock(start)
  }

  now(): number {
    return this.manual.now()
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return this.manual.setTimeout(fn, ms)
  }

  clearTimeout(handle: unknown): void {
    this.manual.clearTimeout(handle)
  }

  /** A view for one pad: the same timers, its own offset. */
  forPad(): PadClock {
    return new PadClock(this.manual)
  }

  get realtime(): boolean {
    return this.running
  }

  /** Follows the wall clock from now on, firing due timers every `tickMs`. */
  startRealtime(tickMs = 20): void {
    if (this.running) return
    this.running = true
    this.loop = (async () => {
      while (this.running) {
        await new Promise<void>((resolve) => {
          this.wake = resolve
          setTimeout(resolve, tickMs)
        })
        this.wake = null
        const behind = Date.now() - this.manual.now()
        if (behind > 0) await this.manual.advance(behind)
      }
    })()
  }

  async stopRealtime(): Promise<void> {
    this.running = false
    this.wake?.()
    await this.loop
    this.loop = null
  }

  /** Deterministic mode: moves simulated time, letting async work settle after each timer. */
  async advance(ms: number, settle?: () => Promise<void>): Promise<void> {
    if (this.running) throw new Error('the clock follows real time; advance() is for simulated time')
    await this.manual.advance(ms, settle)
  }
}

/** A pad's clock: the shared time plus this pad's skew. */
export class PadClock implements Clock {
  skewMs = 0
  constructor(private readonly base: ManualClock) {}
  now(): number {
    return this.base.now() + this.skewMs
  }
  setTimeout(fn: () => void, ms: number): unknown {
    return this.base.setTimeout(fn, ms)
  }
  clearTimeout(handle: unknown): void {
    this.base.clearTimeout(handle)
  }
  /** timeSync from the server corrects only this pad. */
  adjust(deltaMs: number): void {
    this.skewMs += deltaMs
  }
}
