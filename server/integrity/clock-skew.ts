// clockSkew: the pad's clock is far off the server's. Reports already use the corrected time
// (Rating.occurredAt); the flag says the pad's own times should not be trusted as they stand.
import type { Finding } from './kinds.ts'

export function clockSkew(
  r: { pressedAt: Date; receivedAt: Date },
  /** Pad − server, measured at the pad's last birth; null when it never sent one. */
  deviceSkewMs: number | null,
  thresholdMs: number,
): Finding | null {
  if (deviceSkewMs !== null) {
    return Math.abs(deviceSkewMs) > thresholdMs
      ? { kind: 'clockSkew', detail: { skewMs: deviceSkewMs, source: 'birth', thresholdMs } }
      : null
  }
  // No birth yet: a press stamped later than it reached the server shows a clock running ahead.
  const aheadMs = r.pressedAt.getTime() - r.receivedAt.getTime()
  return aheadMs > thresholdMs
    ? { kind: 'clockSkew', detail: { skewMs: aheadMs, source: 'receipt', thresholdMs } }
    : null
}
