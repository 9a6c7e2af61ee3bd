// How citizens rate a given staff member: the level distribution, how many leave without pressing,
// how fast they press, and why they were unhappy. Different profiles per staff make the reports
// show real differences between people, as in a hall.
import { SCALE_LEVELS, type Level, type Scale } from '../protocol/index.ts'
import { logNormal, weighted, type Random } from './random.ts'

export interface StaffProfile {
  name: string
  /** Weights of levels 5 (非常满意) … 1 (非常不满意), in that order. */
  levels: readonly [number, number, number, number, number]
  /** Share of prompts that end with no press (the citizen walks away): unrated. */
  unrated: number
  /** Median delay from the prompt to the press, ms, and the spread of its log. */
  pressMedianMs: number
  pressSigma: number
  /** After a 差评: share of citizens who pick a reason (the rest let the question time out). */
  reasonShare: number
  /** Weights of reason codes; codes the hall does not offer are skipped. */
  reasons: Readonly<Record<string, number>>
}

const REASONS_MIXED = { attitude: 3, efficiency: 3, skill: 2, environment: 1, policy: 2, other: 1 }

export const PROFILES: Record<string, StaffProfile> = {
  model: {
    name: 'model',
    levels: [85, 12, 2.5, 0.4, 0.1],
    unrated: 0.04,
    pressMedianMs: 2200,
    pressSigma: 0.45,
    reasonShare: 0.8,
    reasons: { policy: 4, environment: 2, other: 2 },
  },
  good: {
    name: 'good',
    levels: [65, 25, 7, 2, 1],
    unrated: 0.08,
    pressMedianMs: 2500,
    pressSigma: 0.5,
    reasonShare: 0.75,
    reasons: REASONS_MIXED,
  },
  average: {
    name: 'average',
    levels: [45, 30, 15, 7, 3],
    unrated: 0.12,
    pressMedianMs: 2800,
    pressSigma: 0.5,
    reasonShare: 0.7,
    reasons: REASONS_MIXED,
  },
  slow: {
    name: 'slow',
    levels: [30, 30, 22, 12, 6],
    unrated: 0.18,
    pressMedianMs: 3200,
    pressSigma: 0.55,
    reasonShare: 0.7,
    reasons: { efficiency: 6, skill: 2, other: 1 },
  },
  poor: {
    name: 'poor',
    levels: [15, 20, 25, 25, 15],
    unrated: 0.25,
    pressMedianMs: 3000,
    pressSigma: 0.6,
    reasonShare: 0.65,
    reasons: { attitude: 6, efficiency: 2, skill: 2, other: 1 },
  },
}

export const PROFILE_NAMES = Object.keys(PROFILES)

export function profileOf(name: string): StaffProfile {
  const p = PROFILES[name]
  if (!p) throw new Error(`unknown staff profile ${name} (known: ${PROFILE_NAMES.join(', ')})`)
  return p
}

/** The level a citizen of this staff member means to give. */
export function drawLevel(r: Random, p: StaffProfile): Level {
  return ([5, 4, 3, 2, 1] as const)[weighted(r, p.levels)]
}

/** The key for a level on a pad with fewer keys: the key of the nearest level (the better on a tie). */
export function keyFor(scale: Scale, level: Level): number {
  const levels = SCALE_LEVELS[scale]
  let best = 0
  for (let i = 1; i < levels.length; i++)
    if (Math.abs(levels[i] - level) < Math.abs(levels[best] - level)) best = i
  return best + 1
}

/** Prompt → press, ms; right-skewed like human reaction, never under 300 ms. */
export function drawPressDelay(r: Random, p: StaffProfile): number {
  return Math.max(300, Math.round(logNormal(r, p.pressMedianMs, p.pressSigma)))
}

/** Index (0-based) of the reason picked among those offered, or null for none offered. */
export function drawReason(r: Random, p: StaffProfile, offered: readonly string[]): number | null {
  if (offered.length === 0) return null
  const weights = offered.map((code) => p.reasons[code] ?? 0.2)
  return weighted(r, weights)
}
