// The kinds of integrity flag and the options behind them. A flag is a row of its own beside the
// rating (or the pad event) it is about; the rating itself never changes.
import type { AppConfig } from '../config.ts'

export const FLAG_KINDS = ['fastPress', 'burst', 'outsideHours', 'clockSkew', 'seqGap', 'noPrompt'] as const
export type FlagKind = (typeof FLAG_KINDS)[number]
/** The kinds a rating can carry (noPrompt is on a pad event: no rating was made). */
export const RATING_FLAG_KINDS = ['fastPress', 'burst', 'outsideHours', 'clockSkew', 'seqGap'] as const

/** What a rule found: the kind and what was measured (stored as the flag's detail JSON). */
export interface Finding {
  kind: FlagKind
  detail: Record<string, unknown>
}

export interface IntegrityOptions {
  /** fastPress: pressedAt − promptedAt below this (pad time on both sides, so skew cancels). */
  fastPressMs: number
  /** burst: at least `count` ratings of one pad whose pressedAt lie within `windowMs`. */
  burst: { count: number; windowMs: number }
  /** clockSkew: |pad clock − server clock| above this. */
  clockSkewMs: number
  /** outsideHours: minutes before opening and after closing still taken as open. */
  hoursGraceMinutes: number
  /** seqGap: how long after the rating that follows a gap the gap is judged never filled. */
  seqGapGraceMs: number
}

export function integrityOptions(c: AppConfig): IntegrityOptions {
  return {
    fastPressMs: c.FLAG_FAST_PRESS_MS,
    burst: { count: c.FLAG_BURST_COUNT, windowMs: c.FLAG_BURST_WINDOW_MS },
    clockSkewMs: c.FLAG_CLOCK_SKEW_MS,
    hoursGraceMinutes: c.FLAG_HOURS_GRACE_MINUTES,
    seqGapGraceMs: c.SEQ_GAP_GRACE_MS,
  }
}

export const DEFAULT_INTEGRITY: IntegrityOptions = {
  fastPressMs: 500,
  burst: { count: 5, windowMs: 10_000 },
  clockSkewMs: 300_000,
  hoursGraceMinutes: 30,
  seqGapGraceMs: 86_400_000,
}
