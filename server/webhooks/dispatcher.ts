// Sends the outbox. Each instance claims due rows with one conditional UPDATE (row unclaimed, or its
// lease expired), which PostgreSQL re-checks under the row lock and SQLite runs alone, so one row is
// held by one instance at a time; a crashed instance's rows come back when the lease ends. Failures
// are retried with exponential backoff and jitter; every attempt is logged.
import { randomUUID } from 'node:crypto'
import type { Db } from '../db/client.ts'
import { DELIVERY_HEADER, EVENT_HEADER, sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signing.ts'

export interface DispatcherOptions {
  db: Db
  /** Names this instance in the attempt log. */
  instance?: string
  pollMs: number
  retryBaseMs: number
  maxAttempts: number
  timeoutMs: number
  /** Rows claimed per round. */
  batch?: number
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void }
  now?: () => Date
}

const MAX_DELAY_MS = 3_600_000

/** Delay before attempt n+1 after n failed ones: base·2^(n−1), capped at an hour, minus up to half at random. */
export function backoff(attempts: number, baseMs: number, random = Math.random): number {
  const full = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempts - 1))
  return Math.round(full * (0.5 + random() / 2))
}

export class WebhookDispatcher {
  readonly instance: string
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private again = false
  private stopped = true
  private readonly now: () => Date
  readonly stats = { delivered: 0, failedAttempts: 0, gaveUp: 0 }

  constructor(private readonly o: DispatcherOptions) {
    this.instance = o.instance ?? `rp-${randomUUID().slice(0, 8)}`
    this.now = o.now ?? (() => new Date())
  }

  start() {
    this.stopped = false
    this.schedule(0)
  }

  /** Something was queued: look now rather than at the next poll. */
  kick() {
    if (this.stopped) return
    if (this.running) this.again = true
    else this.schedule(0)
  }

  private schedule(ms: number) {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      let claimed = 0
      this.running = this.round()
        .then((n) => void (claimed = n))
        .catch((err) => this.o.log.error({ err: String(err) }, 'webhook round failed'))
        .finally(() => {
          this.running = null
          // Rows were due: there may be more, so go on at once; otherwise wait for a kick or the poll.
          const more = this.again || claimed > 0
          this.again = false
          this.schedule(more ? 0 : this.o.pollMs)
        })
    }, ms)
  }

  /** Claims due deliveries and sends them; returns how many were claimed. */
  async round(): Promise<number> {
    const { db } = this.o
    const now = this.now()
    const due = { status: 'pending', nextAttemptAt: { lte: now } }
    const free = { OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] }
    const candidates = await db.webhookDelivery.findMany({
      where: { ...due, ...free },
      select: { id: true },
      orderBy: { nextAttemptAt: 'asc' },
      take: this.o.batch ?? 50,
    })
    if (!candidates.length) return 0
    const claim = `${this.instance}:${randomUUID()}`
    // The condition is repeated in the UPDATE itself: whoever updates a row first holds it.
    await db.webhookDelivery.updateMany({
      where: { id: { in: candidates.map((c) => c.id) }, ...due, ...free },
      data: { claimedBy: claim, claimedUntil: new Date(now.getTime() + this.o.timeoutMs * 3 + 5000) },
    })
    const mine = await db.webhookDelivery.findMany({ where: { claimedBy: claim } })
    if (!mine.length) return 0
    const webhooks = new Map(
      (
        await db.webhook.findMany({
          where: { id: { in: [...new Set(mine.map((d) => d.webhookId))] } },
        })
      ).map((w) => [w.id, w]),
    )
    const outcomes = await Promise.all(
      mine.map(async (d) => {
        const w = webhooks.get(d.webhookId)
        if (!w || !w.active) {
          // Paused or deleted: release, try again when it is active.
          await db.webhookDelivery.updateMany({
            where: { id: d.id, claimedBy: claim },
            data: {
              claimedBy: null,
              claimedUntil: null,
              nextAttemptAt: new Date(now.getTime() + this.o.pollMs * 10),
            },
          })
          return null
        }
        return { d, w, ...(await this.send(d, w)) }
      }),
    )
    // The bookkeeping of a round in few writes: one for the attempt log, one per answer status.
    const done = outcomes.filter((o) => o !== null)
    const at = this.now()
    if (done.length)
      await db.webhookAttempt.createMany({
        data: done.map((o) => ({
          id: randomUUID(),
          deliveryId: o.d.id,
          at,
          status: o.status,
          error: o.error?.slice(0, 500) ?? null,
          durationMs: o.durationMs,
          instance: this.instance,
        })),
      })
    const delivered = new Map<number, string[]>()
    for (const o of done)
      if (!o.error) delivered.set(o.status!, [...(delivered.get(o.status!) ?? []), o.d.id])
    for (const [status, ids] of delivered) {
      this.stats.delivered += ids.length
      await db.webhookDelivery.updateMany({
        where: { id: { in: ids }, claimedBy: claim },
        data: {
          status: 'delivered',
          attempts: { increment: 1 },
          deliveredAt: at,
          lastStatus: status,
          lastError: null,
          claimedBy: null,
          claimedUntil: null,
        },
      })
    }
    for (const { d, w, status, error } of done) {
      if (!error) continue
      const attempts = d.attempts + 1
      this.stats.failedAttempts++
      const gaveUp = attempts >= this.o.maxAttempts
      if (gaveUp) this.stats.gaveUp++
      this.o.log.warn(
        { delivery: d.id, url: w.url, attempts, error },
        gaveUp ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry',
      )
      await db.webhookDelivery.updateMany({
        where: { id: d.id, claimedBy: claim },
        data: {
          status: gaveUp ? 'failed' : 'pending',
          attempts,
          lastStatus: status,
          lastError: error.slice(0, 500),
          nextAttemptAt: new Date(at.getTime() + backoff(attempts, this.o.retryBaseMs)),
          claimedBy: null,
          claimedUntil: null,
        },
      })
    }
    return mine.length
  }

  /** One signed POST; any 2xx is success. */
  private async send(
    d: { id: string; event: string; payload: string },
    w: { url: string; secret: string; headers: string | null },
  ): Promise<{ status: number | null; error: string | null; durationMs: number }> {
    const started = Date.now()
    const timestamp = Math.floor(this.now().getTime() / 1000)
    let status: number | null = null
    let error: string | null = null
    try {
      const res = await fetch(w.url, {
        method: 'POST',
        headers: {
          ...(w.headers ? (JSON.parse(w.headers) as Record<string, string>) : {}),
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'rating-pad-webhooks/1',
          [EVENT_HEADER]: d.event,
          [DELIVERY_HEADER]: d.id,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: sign(w.secret, timestamp, d.payload),
        },
        body: d.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.o.timeoutMs),
      })
      status = res.status
      await res.body?.cancel().catch(() => {})
      if (status < 200 || status >= 300) error = `HTTP ${status}`
    } catch (err) {
      error =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${this.o.timeoutMs} ms`
          : String((err as Error).cause ?? err)
    }
    return { status, error, durationMs: Date.now() - started }
  }

  async stop() {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.running
  }
}
