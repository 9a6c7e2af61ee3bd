// Pad messages in: validate with the protocol schemas, store ratings and events once each in
// batched transactions, ack only after commit, and keep whatever does not validate as a rejected
// message. One instance of this runs per server; with several servers a shared subscription gives
// each message to exactly one of them, and the unique (device, id) keys make resends harmless.
import {
  Ack,
  MessageId,
  PadEvent,
  parseTopic,
  Rating,
  SCHEMA_VERSION,
  Status,
  topics,
  type Death,
  type UpChannel,
} from '../../protocol/index.ts'
import type { z } from 'zod'
import type { Bus } from '../broker/bus.ts'
import type { DeviceRepository } from '../repositories/devices.ts'
import type { WindowRepository } from '../repositories/registry.ts'
import type {
  CommitResult,
  IncomingEvent,
  IncomingRating,
  IngestStore,
  RejectedInput,
} from '../repositories/ratings.ts'
import type { PadConfigPublisher } from './pad-config.ts'

export interface IngestLog {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface IngestOptions {
  store: IngestStore
  devices: DeviceRepository
  windows: WindowRepository
  padConfig: PadConfigPublisher
  bus: Bus
  log: IngestLog
  batchSize: number
  flushMs: number
  /** Messages held while the database is unavailable; beyond this, new ones wait in the pads' outboxes. */
  maxPending?: number
  now?: () => Date
}

export type CommittedListener = (result: CommitResult) => void | Promise<void>
export type OfflineListener = (deviceId: string, death: Death, receivedAt: Date) => void | Promise<void>

/** What became of a message given to submit(). */
export type SubmitOutcome =
  | { status: 'committed'; id: string }
  | { status: 'rejected'; id: string; reason: string }
  /** Not JSON, or no readable id: nothing to wait for and nothing stored. */
  | { status: 'unreadable'; reason: string }
  /** The ingest is full, stopping, or did not commit in time: not stored now, send it again later. */
  | { status: 'busy' }

/** Names the first problem of a failed validation, for the rejected-messages table. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`)
    .join('; ')
}

export class Ingest {
  private ratings: IncomingRating[] = []
  private events: IncomingEvent[] = []
  private rejected: RejectedInput[] = []
  private timer: NodeJS.Timeout | null = null
  private flushing: Promise<void> | null = null
  private stopped = false
  private retryDelay = 0
  private acksInFlight: Promise<void> = Promise.resolve()
  private readonly listeners: CommittedListener[] = []
  private readonly offlineListeners: OfflineListener[] = []
  private readonly waiters = new Map<string, ((o: SubmitOutcome) => void)[]>()
  private readonly now: () => Date
  readonly stats = {
    received: 0,
    committed: 0,
    duplicates: 0,
    rejected: 0,
    dropped: 0,
    commitFailures: 0,
    /** Commits made: committed / batches is the mean batch, which says how well commits group. */
    batches: 0,
    /** Milliseconds spent in commits (the database's share of the ingest). */
    commitMs: 0,
  }

  constructor(private readonly o: IngestOptions) {
    this.now = o.now ?? (() => new Date())
  }

  /** Listeners run after a Last Will is recorded (not for stale ones). */
  onOffline(listener: OfflineListener) {
    this.offlineListeners.push(listener)
  }

  /** Listeners run after each commit (reports, live wall, webhooks hook in here). */
  onCommitted(listener: CommittedListener) {
    this.listeners.push(listener)
  }

  get pending(): number {
    return this.ratings.length + this.events.length + this.rejected.length
  }

  /**
   * The same path as handle() for a message that did not come from the broker (HTTP ingest, drivers):
   * resolves once it is committed or kept as rejected, so the caller can answer with the ack.
   */
  submit(
    deviceId: string,
    channel: 'rating' | 'event',
    payload: Buffer,
    timeoutMs = 10_000,
  ): Promise<SubmitOutcome> {
    let json: unknown
    try {
      json = JSON.parse(payload.toString('utf8'))
    } catch (e) {
      return Promise.resolve({ status: 'unreadable', reason: `payload is not JSON: ${(e as Error).message}` })
    }
    const id = readMessageId(json)
    if (!id)
      return Promise.resolve({
        status: 'unreadable',
        reason: 'id: missing, or not 8–64 characters of A–Z, a–z, 0–9, _ or -',
      })
    if (this.stopped || this.pending >= (this.o.maxPending ?? 100_000))
      return Promise.resolve({ status: 'busy' })
    const key = `${deviceId}\u0000${id}`
    return new Promise((resolve) => {
      const done = (o: SubmitOutcome) => {
        clearTimeout(timer)
        resolve(o)
      }
      const timer = setTimeout(() => {
        const left = (this.waiters.get(key) ?? []).filter((w) => w !== done)
        if (left.length) this.waiters.set(key, left)
        else this.waiters.delete(key)
        resolve({ status: 'busy' })
      }, timeoutMs)
      const list = this.waiters.get(key)
      if (list) list.push(done)
      else this.waiters.set(key, [done])
      this.handle(topics[channel](deviceId), payload)
    })
  }

  private settle(result: CommitResult) {
    if (!this.waiters.size) return
    const take = (deviceId: string, id: string) => {
      const key = `${deviceId}\u0000${id}`
      const list = this.waiters.get(key)
      this.waiters.delete(key)
      return list ?? []
    }
    for (const [deviceId, ids] of result.committed)
      for (const id of ids) for (const w of take(deviceId, id)) w({ status: 'committed', id })
    for (const [deviceId, rs] of result.rejected)
      for (const r of rs)
        for (const w of take(deviceId, r.id)) w({ status: 'rejected', id: r.id, reason: r.reason })
  }

  /** Entry point for every pad message from the bus. Never throws. */
  handle(topic: string, payload: Buffer): void {
    if (this.stopped) return
    this.stats.received++
    const receivedAt = this.now()
    const parsed = parseTopic(topic)
    if (!parsed || !['rating', 'event', 'status'].includes(parsed.channel)) {
      return this.reject({
        topic,
        deviceId: parsed?.deviceId ?? null,
        reason: 'not a pad topic of protocol v1',
        payload,
        receivedAt,
      })
    }
    const { deviceId } = parsed
    const channel = parsed.channel as UpChannel
    if (channel === 'status' && payload.length === 0) return // a cleared retained status
    let json: unknown
    try {
      json = JSON.parse(payload.toString('utf8'))
    } catch (e) {
      return this.reject({
        topic,
        deviceId,
        reason: `payload is not JSON: ${(e as Error).message}`,
        payload,
        receivedAt,
      })
    }
    const messageId = readMessageId(json)
    if (channel === 'status') return void this.handleStatus(topic, deviceId, json, payload, receivedAt)
    if (this.pending >= (this.o.maxPending ?? 100_000)) {
      // Not acked, so the pad keeps it and sends it again later: nothing is lost.
      this.stats.dropped++
      return
    }
    if (channel === 'rating') {
      const r = Rating.safeParse(json)
      if (!r.success)
        return this.reject({
          topic,
          deviceId,
          reason: describeIssues(r.error),
          payload,
          receivedAt,
          messageId,
        })
      this.ratings.push({ deviceId, rating: r.data, receivedAt })
    } else {
      const e = PadEvent.safeParse(json)
      if (!e.success)
        return this.reject({
          topic,
          deviceId,
          reason: describeIssues(e.error),
          payload,
          receivedAt,
          messageId,
        })
      this.events.push({ deviceId, event: e.data, receivedAt })
    }
    this.schedule()
  }

  /** Keeps a message that could not be read before it reached the ingest (a driver's decode failed). */
  refuse(topic: string, deviceId: string | null, reason: string, payload: Buffer) {
    this.stats.received++
    this.reject({ topic, deviceId, reason, payload, receivedAt: this.now() })
  }

  private reject(r: RejectedInput) {
    this.stats.rejected++
    this.rejected.push(r)
    this.schedule()
  }

  private async handleStatus(
    topic: string,
    deviceId: string,
    json: unknown,
    payload: Buffer,
    receivedAt: Date,
  ) {
    const s = Status.safeParse(json)
    if (!s.success)
      return this.reject({ topic, deviceId, reason: describeIssues(s.error), payload, receivedAt })
    try {
      if (s.data.state === 'online') {
        const published = await this.o.devices.recordBirth(deviceId, s.data, receivedAt)
        // The pad runs an older config than the last one published, or none: the retained copy may
        // be gone (the embedded broker keeps retained messages in memory only), so publish again.
        if (published !== null && (s.data.configVersion ?? 0) < published)
          await this.o.padConfig.republish([deviceId])
      } else {
        const r = await this.o.devices.recordDeath(deviceId, s.data, receivedAt)
        if (r === 'stale')
          this.o.log.info({ deviceId, connectCount: s.data.connectCount }, 'stale Last Will ignored')
        else for (const l of this.offlineListeners) await l(deviceId, s.data, receivedAt)
      }
    } catch (err) {
      this.o.log.error({ err, deviceId }, 'could not record pad status')
    }
  }

  private schedule() {
    if (this.flushing || this.timer) return
    const full = this.ratings.length + this.events.length >= this.o.batchSize
    this.timer = setTimeout(
      () => {
        this.timer = null
        this.flushing = this.flushLoop().finally(() => {
          this.flushing = null
          if (this.pending && !this.stopped) this.schedule()
        })
      },
      full ? 0 : Math.max(this.o.flushMs, this.retryDelay),
    )
  }

  private async flushLoop() {
    while (this.pending) {
      // Group commit: a SQLite commit blocks the event loop (better-sqlite3 is synchronous), so
      // messages that arrived meanwhile still sit unread in the sockets. One turn of the loop reads them first, so the next
      // commit carries them too instead of a commit (and an fsync) for a handful.
      if (this.ratings.length + this.events.length < this.o.batchSize)
        await new Promise<void>((r) => setImmediate(r))
      const n = this.o.batchSize
      const ratings = this.ratings.slice(0, n)
      const events = this.events.slice(0, Math.max(0, n - ratings.length))
      const rejected = this.rejected.slice(0, n)
      let result: CommitResult
      const started = performance.now()
      try {
        result = await this.o.store.commitBatch(ratings, events, rejected)
        this.stats.batches++
        this.stats.commitMs += Math.round(performance.now() - started)
      } catch (err) {
        // Database unavailable or locked: keep the batch, ack nothing, try again with backoff.
        this.stats.commitFailures++
        this.retryDelay = Math.min(5000, Math.max(100, this.retryDelay * 2))
        this.o.log.error(
          { err: String(err), retryInMs: this.retryDelay },
          'commit failed; nothing acked, will retry',
        )
        return
      }
      this.retryDelay = 0
      this.ratings.splice(0, ratings.length)
      this.events.splice(0, events.length)
      this.rejected.splice(0, rejected.length)
      this.stats.committed += result.newRatings.length + result.newEvents.length
      this.stats.duplicates +=
        ratings.length + events.length - result.newRatings.length - result.newEvents.length
      // The acks go out without waiting for the broker's PUBACKs before the next commit (an ack lost on
      // the way only means a resend, acked again); at most one commit's acks are in flight.
      await this.acksInFlight
      this.acksInFlight = this.sendAcks(result)
      this.settle(result)
      await this.applyEvents(result.newEvents)
      for (const l of this.listeners) {
        try {
          await l(result)
        } catch (err) {
          this.o.log.error({ err }, 'after-commit listener failed')
        }
      }
    }
  }

  private async sendAcks(result: CommitResult) {
    const serverTime = this.now().toISOString()
    const devices = new Set([...result.committed.keys(), ...result.rejected.keys()])
    await Promise.all(
      [...devices].map((deviceId) => {
        const ack: Ack = {
          v: SCHEMA_VERSION,
          ids: [...new Set(result.committed.get(deviceId) ?? [])],
          serverTime,
        }
        const rejected = result.rejected.get(deviceId)
        if (rejected?.length) ack.rejected = rejected
        return this.o.bus
          .publish(topics.ack(deviceId), JSON.stringify(ack), { qos: 1 })
          .catch((err) =>
            this.o.log.warn(
              { err: String(err), deviceId },
              'ack not sent; the pad will resend and be acked again',
            ),
          )
      }),
    )
  }

  /** Staff sign-in and sign-out pressed on a pad change who is shown at the window. */
  private async applyEvents(events: IncomingEvent[]) {
    for (const { deviceId, event, receivedAt } of events) {
      if (event.type !== 'staffSignIn' && event.type !== 'staffSignOut') continue
      try {
        const device = await this.o.devices.get(deviceId)
        if (!device.windowId) throw new Error('pad is not bound to a window')
        if (event.type === 'staffSignIn') {
          const r = await this.o.windows.signIn(device.windowId, event.staffNo, 'pad', deviceId, receivedAt)
          await this.o.padConfig.publishForWindows(r.affectedWindows)
        } else {
          await this.o.windows.signOut(device.windowId, receivedAt)
          await this.o.padConfig.publishForWindows([device.windowId])
        }
      } catch (err) {
        this.o.log.warn(
          { deviceId, staffNo: event.staffNo, reason: (err as Error).message },
          'pad sign-in not applied',
        )
        // Send the pad its current config again so it shows who is really signed in.
        await this.o.padConfig.publish([deviceId]).catch(() => {})
      }
    }
  }

  /** Stops taking messages and commits what is pending. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.flushing) await this.flushing
    if (this.pending) await this.flushLoop().catch(() => {})
    await this.acksInFlight
  }
}

function readMessageId(json: unknown): string | undefined {
  if (
    json &&
    typeof json === 'object' &&
    'id' in json &&
    MessageId.safeParse((json as { id: unknown }).id).success
  )
    return (json as { id: string }).id
  return undefined
}
