// fastPress: a key pressed sooner after the prompt than a person reacts (hear the prompt, look,
// press). Both times are the pad's own clock, so its skew cancels out.
import type { Finding } from './kinds.ts'

export function fastPress(
  r: { promptedAt: Date | null; pressedAt: Date },
  thresholdMs: number,
): Finding | null {
  if (!r.promptedAt) return null
  const reactionMs = r.pressedAt.getTime() - r.promptedAt.getTime()
  // A press before its prompt is no human reaction either.
  return reactionMs < thresholdMs ? { kind: 'fastPress', detail: { reactionMs, thresholdMs } } : null
}
