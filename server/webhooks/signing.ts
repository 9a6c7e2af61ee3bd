// Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" with the webhook's secret, so a receiver
// can check both who sent it and that it is recent (it should refuse timestamps far from its clock).
import { createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'x-rp-signature'
export const TIMESTAMP_HEADER = 'x-rp-timestamp'
export const EVENT_HEADER = 'x-rp-event'
export const DELIVERY_HEADER = 'x-rp-delivery'

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`); timestamp in Unix seconds. */
export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** What a receiver does: recompute and compare in constant time, and refuse stale timestamps. */
export function verify(
  secret: string,
  headers: { signature: string; timestamp: string },
  body: string,
  opts: { now?: number; toleranceSeconds?: number } = {},
): boolean {
  const t = Number(headers.timestamp)
  if (!Number.isInteger(t)) return false
  const now = Math.floor((opts.now ?? Date.now()) / 1000)
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300)) return false
  const expected = Buffer.from(sign(secret, t, body))
  const given = Buffer.from(headers.signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}
