// A small seeded random source for the simulator (sfc32, seeded through splitmix32), so a run with
// --seed behaves the same every time. fast-check's generators (pure-rand) are a dev dependency only,
// and `npm run demo` must work from a production install, hence these few lines of our own.

export interface Random {
  /** Uniform in [0, 1). */
  (): number
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** A generator from a seed; the same seed (and stream) gives the same numbers. */
export function seeded(seed: number, stream = 0): Random {
  const init = splitmix32((seed ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0)
  let a = init()
  let b = init()
  let c = init()
  let d = init()
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t / 4294967296
  }
  for (let i = 0; i < 12; i++) next() // warm up
  return next
}

/** An unseeded source (Math.random), for ordinary runs. */
export const unseeded: Random = () => Math.random()

/** A seed from a string or number flag ("42", "demo"). */
export function seedOf(value: string | number): number {
  if (typeof value === 'number') return value >>> 0
  if (/^\d+$/.test(value)) return Number(value) >>> 0
  let h = 2166136261
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 16777619)
  return h >>> 0
}

/** Exponential with this mean (inter-arrival times of a Poisson process). */
export function exponential(r: Random, mean: number): number {
  return -Math.log(1 - r()) * mean
}

/** Standard normal (Box–Muller). */
export function normal(r: Random): number {
  const u = 1 - r()
  const v = r()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/**
 * Log-normal with this median and spread (sigma of the log): a human reaction time is
 * right-skewed, most quick, a few slow.
 */
export function logNormal(r: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(r))
}

/** Index picked with probability proportional to its weight. */
export function weighted(r: Random, weights: readonly number[]): number {
  let total = 0
  for (const w of weights) total += Math.max(0, w)
  let x = r() * total
  for (let i = 0; i < weights.length; i++) {
    x -= Math.max(0, weights[i])
    if (x < 0) return i
  }
  return weights.length - 1
}

export function pick<T>(r: Random, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]
}
