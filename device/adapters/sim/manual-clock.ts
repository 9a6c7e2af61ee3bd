// A clock that moves only when told: for tests and for simulating many pads faster than real time.
import type { Clock } from '../../ports/index.ts'

interface Timer {
  at: number
  order: number
  fn: () => void
  state: 'pending' | 'fired' | 'cancelled'
}

export class ManualClock implements Clock {
  private timers: Timer[] = [] // binary heap by (at, order)
  private order = 0
  private live = 0

  constructor(private current: number = Date.UTC(2025, 2, 3, 1, 0, 0)) {}

  now(): number {
    return this.current
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const t: Timer = { at: this.current + Math.max(0, ms), order: this.order++, fn, state: 'pending' }
    this.push(t)
    this.live++
    return t
  }

  clearTimeout(handle: unknown): void {
    const t = handle as Timer | undefined
    if (t?.state !== 'pending') return
    t.state = 'cancelled'
    this.live--
  }

  adjust(deltaMs: number): void {
    this.current += deltaMs
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.live
  }

  /**
   * Moves time forward by ms, firing due timers in time order. `settle` runs after each timer so
   * that async work it started (and the timers that work sets) happens before time moves on.
   * With thousands of pads keep settle cheap (one setImmediate turn, not every pad's idle()),
   * since it runs once per timer.
   */
  async advance(ms: number, settle: () => Promise<void> = async () => {}): Promise<void> {
    const target = this.current + ms
    await settle()
    for (;;) {
      const t = this.timers[0]
      if (!t || t.at > target) break
      this.pop()
      if (t.state !== 'pending') continue
      t.state = 'fired'
      this.live--
      this.current = Math.max(this.current, t.at)
      t.fn()
      await settle()
    }
    this.current = Math.max(this.current, target)
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order)
  }

  private push(t: Timer): void {
    const h = this.timers
    h.push(t)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(h[i], h[p])) break
      ;[h[i], h[p]] = [h[p], h[i]]
      i = p
    }
  }

  private pop(): void {
    const h = this.timers
    const last = h.pop()!
    if (h.length === 0) return
    h[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && this.less(h[l], h[m])) m = l
      if (r < h.length && this.less(h[r], h[m])) m = r
      if (m === i) break
      ;[h[i], h[m]] = [h[m], h[i]]
      i = m
    }
  }
}
