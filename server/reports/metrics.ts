// The metrics managers read (DOMAIN.md), computed from rollup sums, and the unrated policy.
// Pure functions: the report service feeds them sums read from the rollups.
import type { Level } from '../../protocol/index.ts'
import { addDays, type Day } from './local-time.ts'

/** Sums read from a rollup table for one group. */
export interface RawTally {
  /** Ratings per level 1..5 (index 0 = level 1), voided ones left out. */
  levels: number[]
  voided: number
  unrated: number
  /** Of `unrated`, those old enough to count at the policy's default level (0 when kept). */
  due: number
}

/** A tally after the unrated policy: citizen ratings and unrated counted by default, apart. */
export interface Tally {
  rated: number[]
  defaulted: number[]
  voided: number
  unrated: number
}

export const emptyRaw = (): RawTally => ({ levels: [0, 0, 0, 0, 0], voided: 0, unrated: 0, due: 0 })
export const emptyTally = (): Tally => ({
  rated: [0, 0, 0, 0, 0],
  defaulted: [0, 0, 0, 0, 0],
  voided: 0,
  unrated: 0,
})

export function addRaw(a: RawTally, b: RawTally): RawTally {
  return {
    levels: a.levels.map((n, i) => n + b.levels[i]),
    voided: a.voided + b.voided,
    unrated: a.unrated + b.unrated,
    due: a.due + b.due,
  }
}

export function addTally(a: Tally, b: Tally): Tally {
  return {
    rated: a.rated.map((n, i) => n + b.rated[i]),
    defaulted: a.defaulted.map((n, i) => n + b.defaulted[i]),
    voided: a.voided + b.voided,
    unrated: a.unrated + b.unrated,
  }
}

// ---------------------------------------------------------------- unrated policy

export type UnratedPolicy = { mode: 'keep' } | { mode: 'default'; level: Level; afterDays: number }
export const KEEP_UNRATED: UnratedPolicy = { mode: 'keep' }

/** The policy as a report applied it, stated in every report response. */
export type AppliedPolicy = UnratedPolicy & {
  /** The day the report was computed for (today in the hall's zone unless asked otherwise). */
  asOf: Day
  /** Unrated transactions on this day or before count at the default level; null when kept. */
  countedThrough: Day | null
}

export function applyPolicyAt(policy: UnratedPolicy, asOf: Day): AppliedPolicy {
  return policy.mode === 'keep'
    ? { mode: 'keep', asOf, countedThrough: null }
    : { ...policy, asOf, countedThrough: addDays(asOf, -policy.afterDays) }
}

/** Counts the due unrated transactions at the default level; they stay apart from citizen ratings. */
export function countWithPolicy(raw: RawTally, policy: UnratedPolicy): Tally {
  const t: Tally = {
    rated: [...raw.levels],
    defaulted: [0, 0, 0, 0, 0],
    voided: raw.voided,
    unrated: raw.unrated,
  }
  if (policy.mode === 'default' && raw.due > 0) {
    t.defaulted[policy.level - 1] = raw.due
    t.unrated -= raw.due
  }
  return t
}

// ---------------------------------------------------------------- metrics

export interface Metrics {
  /** Count per level '1'..'5', unrated counted by default included (see `defaulted`). */
  levels: Record<'1' | '2' | '3' | '4' | '5', number>
  /** Citizen ratings, voided ones left out. */
  rated: number
  /** Unrated transactions counted at the default level by the hall's unrated policy. */
  defaulted: number
  /** 好评: the top three levels. */
  good: number
  /** 差评: the bottom two levels. */
  bad: number
  /** 满意率 / 好评率 = good ÷ (rated + defaulted); null with nothing rated. */
  satisfaction: number | null
  /** 差评率 = bad ÷ (rated + defaulted). */
  badRate: number | null
  /** Mean level, 1..5. */
  average: number | null
  /** Transactions whose prompt ended with no press and not counted by default. */
  unrated: number
  /** rated + defaulted + unrated. */
  transactions: number
  /** 参评率 = rated ÷ transactions (only citizens' own ratings count as taking part). */
  participation: number | null
  /** Ratings voided by a recorded decision; outside every other figure. */
  voided: number
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null)

export function metricsOf(t: Tally): Metrics {
  const levels = t.rated.map((n, i) => n + t.defaulted[i])
  const rated = t.rated.reduce((a, b) => a + b, 0)
  const defaulted = t.defaulted.reduce((a, b) => a + b, 0)
  const counted = rated + defaulted
  const good = levels[2] + levels[3] + levels[4]
  const bad = levels[0] + levels[1]
  const transactions = counted + t.unrated
  return {
    levels: { '1': levels[0], '2': levels[1], '3': levels[2], '4': levels[3], '5': levels[4] },
    rated,
    defaulted,
    good,
    bad,
    satisfaction: ratio(good, counted),
    badRate: ratio(bad, counted),
    average: ratio(
      levels.reduce((s, n, i) => s + n * (i + 1), 0),
      counted,
    ),
    unrated: t.unrated,
    transactions,
    participation: ratio(rated, transactions),
    voided: t.voided,
  }
}

// ---------------------------------------------------------------- rankings

export const RANK_BY = ['satisfaction', 'badRate', 'average', 'participation', 'rated'] as const
export type RankBy = (typeof RANK_BY)[number]

/** Lower is better only for 差评率. */
const ascending: Record<RankBy, boolean> = {
  satisfaction: false,
  badRate: true,
  average: false,
  participation: false,
  rated: false,
}

/**
 * Competition ranks (1, 2, 2, 4) by one metric; rows with fewer than minRated counted ratings, or
 * with no value, are not ranked (null).
 */
export function ranks(metrics: Metrics[], by: RankBy, minRated: number): (number | null)[] {
  const value = (m: Metrics) => (m.rated + m.defaulted >= minRated ? m[by] : null)
  const values = metrics.map(value)
  const ranked = values.filter((v): v is number => v !== null)
  return values.map((v) => {
    if (v === null) return null
    return 1 + ranked.filter((o) => (ascending[by] ? o < v : o > v)).length
  })
}

/** Differences against a reference (the hall average, or all halls for the hall ranking). */
export function versus(m: Metrics, ref: Metrics) {
  const d = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b)
  return {
    satisfaction: d(m.satisfaction, ref.satisfaction),
    badRate: d(m.badRate, ref.badRate),
    average: d(m.average, ref.average),
    participation: d(m.participation, ref.participation),
  }
}
