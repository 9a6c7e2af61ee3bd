// burst: many ratings from one pad within seconds, by the pad's own press times. Each needs a
// prompt and a press, so a run of them is staff (or a child) pressing, not citizens being served.
// Pad time, not receive time: an outbox sent all at once after a day offline is no burst.

export interface Press {
  id: string
  pressedAt: Date
}

/**
 * The ids of presses that lie in a run of at least `count` presses spanning less than `windowMs`,
 * each with the size of the largest such run it belongs to.
 */
export function bursts(presses: readonly Press[], count: number, windowMs: number): Map<string, number> {
  const sorted = [...presses].sort((a, b) => a.pressedAt.getTime() - b.pressedAt.getTime())
  const out = new Map<string, number>()
  let end = 0
  for (let start = 0; start < sorted.length; start++) {
    const t0 = sorted[start].pressedAt.getTime()
    if (end < start) end = start
    while (end + 1 < sorted.length && sorted[end + 1].pressedAt.getTime() - t0 < windowMs) end++
    const n = end - start + 1
    if (n < count) continue
    for (let i = start; i <= end; i++) out.set(sorted[i].id, Math.max(out.get(sorted[i].id) ?? 0, n))
  }
  return out
}
