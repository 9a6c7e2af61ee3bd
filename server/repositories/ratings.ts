// Ratings, pad events and rejected messages: append-only records written by the ingest in batches.
import type { PadEvent, Rating } from '../../protocol/index.ts'
import type BetterSqlite3 from 'better-sqlite3'
import type { Db } from '../db/client.ts'
import { hallWhere, type Principal } from '../auth/principal.ts'
import { localDayHour } from '../reports/local-time.ts'
import { occurredAt, RollupDeltas, writeRollups, type Tx } from '../reports/rollups.ts'
import { Prisma } from '../db/generated/sqlite/client.ts'
import { openFollowupCases } from '../followup/cases.ts'
import { bindSqliteConnection, existingKeys, insertRows, MAX_PARAMS, queryRows } from '../db/bulk.ts'
import { newRowId } from '../db/ids.ts'

export interface IncomingRating {
  deviceId: string
  rating: Rating
  receivedAt: Date
}
export interface IncomingEvent {
  deviceId: string
  event: PadEvent
  receivedAt: Date
}
export interface RejectedInput {
  topic: string
  deviceId: string | null
  reason: string
  payload: Buffer
  receivedAt: Date
  /** The message id when it could be read, so the pad can be told not to send it again. */
  messageId?: string
}

export interface CommitResult {
  /** Ids committed per device: new ones and ones already stored (a resend is acked again). */
  committed: Map<string, string[]>
  /** Rejected message ids per device, with the reason. */
  rejected: Map<string, { id: string; reason: string }[]>
  newRatings: IncomingRating[]
  newEvents: IncomingEvent[]
}

/** Raw payloads are kept for diagnosis, but capped so a rogue pad cannot fill the disk. */
export const REJECTED_PAYLOAD_CAP = 4096

/**
 * A rejected payload (or the parser's message quoting it) as text every database can hold:
 * PostgreSQL refuses NUL in text, and one such row would fail its whole batch again and again.
 */
function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD')
}

/** The write side of ingest: the seam where a faster store (raw SQL, COPY) can replace this one. */
export interface IngestStore {
  commitBatch(
    ratings: IncomingRating[],
    events: IncomingEvent[],
    rejected: RejectedInput[],
  ): Promise<CommitResult>
}

/** The rows a commit inserts, as given to transaction hooks. */
export interface InsertedRows {
  ratings: Prisma.RatingCreateManyInput[]
  events: Prisma.PadEventRecordCreateManyInput[]
  /** The pads of the batch as the commit read them (hall zone and opening hours, clock skew). */
  devices: ReadonlyMap<string, IngestDevice>
}
export interface IngestDevice {
  id: string
  hallId: string
  windowId: string | null
  clockSkewMs: number | null
  hall: { timeZone: string; openingHours: string }
}
/** Runs inside each commit transaction: what must never miss a new rating (outboxes, bindings). */
export type IngestTransactionHook = (tx: Tx, rows: InsertedRows) => Promise<void>

/**
 * A batch's transaction (inserts, rollups, follow-up) can outlast Prisma's default 5 s on a loaded
 * machine; expiring would roll back and retry the same batch forever, so allow it a minute.
 */
const COMMIT_TX = { timeout: 60_000, maxWait: 30_000 }

/** The pads of a batch with their halls, in plain SQL (the hot path; see queryRows). */
async function ingestDevices(tx: Tx, ids: string[]) {
  const devices = new Map<string, IngestDevice & { revokedAt: unknown }>()
  for (let i = 0; i < ids.length; i += MAX_PARAMS) {
    const rows = await queryRows<{
      id: string
      hallId: string
      windowId: string | null
      revokedAt: unknown
      clockSkewMs: number | null
      timeZone: string
      openingHours: string
    }>(
      tx,
      Prisma.sql`SELECT d."id", d."hallId", d."windowId", d."revokedAt", d."clockSkewMs", h."timeZone", h."openingHours" FROM "Device" d JOIN "Hall" h ON h."id" = d."hallId" WHERE d."id" IN (${Prisma.join(ids.slice(i, i + MAX_PARAMS))})`,
    )
    for (const { timeZone, openingHours, ...d } of rows)
      devices.set(d.id, { ...d, hall: { timeZone, openingHours } })
  }
  return devices
}

type RatingDelta = Parameters<RollupDeltas['addRating']>[0]
type UnratedDelta = Parameters<RollupDeltas['addUnrated']>[0]

function push<T>(m: Map<string, T[]>, k: string, v: T) {
  const a = m.get(k)
  if (a) a.push(v)
  else m.set(k, [v])
}

export class PrismaIngestStore implements IngestStore {
  private readonly hooks: IngestTransactionHook[] = []
  /** `sqlite`: the connection under Prisma (SQLite only), for the hot path's statements. */
  constructor(
    private readonly db: Db,
    private readonly sqlite?: () => BetterSqlite3.Database | undefined,
  ) {}

  onTransaction(hook: IngestTransactionHook) {
    this.hooks.push(hook)
  }

  async commitBatch(
    ratings: IncomingRating[],
    events: IncomingEvent[],
    rejected: RejectedInput[],
  ): Promise<CommitResult> {
    const result: CommitResult = { committed: new Map(), rejected: new Map(), newRatings: [], newEvents: [] }
    const deviceIds = [...new Set([...ratings.map((r) => r.deviceId), ...events.map((e) => e.deviceId)])]

    await this.db.$transaction(async (tx) => {
      bindSqliteConnection(tx, this.sqlite?.())
      const devices = await ingestDevices(tx, deviceIds)
      // What the new rows add to the report rollups, written before this transaction commits.
      const deltas = new RollupDeltas()
      const rejectedRows = [...rejected]
      const reject = (
        deviceId: string,
        id: string,
        topic: string,
        reason: string,
        payload: unknown,
        receivedAt: Date,
      ) => {
        rejectedRows.push({
          topic,
          deviceId,
          reason,
          payload: Buffer.from(JSON.stringify(payload)),
          receivedAt,
        })
        push(result.rejected, deviceId, { id, reason })
      }

      // Ratings: drop ones already stored (and repeats inside this batch), insert the rest.
      const seen = await existingKeys(
        tx,
        'Rating',
        'ratingId',
        ratings.map((r) => [r.deviceId, r.rating.id]),
      )
      // Rows to insert, each with what it adds to the rollups once it is really inserted.
      const ratingCandidates = []
      const ratingPending = new Map<string, { incoming: IncomingRating; delta: RatingDelta }>()
      for (const r of ratings) {
        const key = `${r.deviceId}\u0000${r.rating.id}`
        const device = devices.get(r.deviceId)
        if (!device || device.revokedAt) {
          reject(r.deviceId, r.rating.id, 'rating', 'unknown or revoked device', r.rating, r.receivedAt)
          continue
        }
        push(result.committed, r.deviceId, r.rating.id)
        if (seen.has(key)) continue
        seen.add(key)
        const t = r.rating.transaction
        const at = occurredAt(new Date(r.rating.pressedAt), device.clockSkewMs, r.receivedAt)
        const { day, hour } = localDayHour(at, device.hall.timeZone)
        const staffNo = t?.staffNo ?? r.rating.staffNo
        const rowId = newRowId()
        ratingPending.set(rowId, {
          incoming: r,
          delta: {
            hallId: device.hallId,
            day,
            hour,
            windowId: device.windowId,
            staffNo,
            serviceCode: t?.serviceCode ?? null,
            serviceName: t?.serviceName ?? null,
            level: r.rating.level,
            reasons: r.rating.reasons ?? [],
            voided: false,
          },
        })
        ratingCandidates.push({
          id: rowId,
          deviceId: r.deviceId,
          ratingId: r.rating.id,
          seq: r.rating.seq,
          hallId: device.hallId,
          windowId: device.windowId,
          // The rating belongs to whoever served (the transaction says), else whoever was signed in.
          staffNo,
          signedInStaffNo: r.rating.staffNo,
          scale: r.rating.scale,
          key: r.rating.key,
          level: r.rating.level,
          class: r.rating.class,
          reasons: r.rating.reasons ? JSON.stringify(r.rating.reasons) : null,
          transactionId: t?.id ?? null,
          caseNo: t?.caseNo ?? null,
          ticket: t?.ticket ?? null,
          serviceCode: t?.serviceCode ?? null,
          serviceName: t?.serviceName ?? null,
          configVersion: r.rating.configVersion ?? null,
          promptedAt: r.rating.promptedAt ? new Date(r.rating.promptedAt) : null,
          pressedAt: new Date(r.rating.pressedAt),
          receivedAt: r.receivedAt,
          replayed: r.rating.replayed,
          occurredAt: at,
          day,
          hour,
        })
      }
      // Another instance may have stored one of these since existingKeys looked (its resend went
      // there): only what this insert really added is new, counted in rollups, followed up, acked new.
      const insertedRatings = await insertRows(tx, 'Rating', ratingCandidates)
      const ratingRows = ratingCandidates.filter((row) => insertedRatings.has(row.id))
      for (const row of ratingRows) {
        const { incoming, delta } = ratingPending.get(row.id)!
        result.newRatings.push(incoming)
        deltas.addRating(delta)
      }
      // Every 差评 opens its follow-up case in this same transaction: never missed, never twice.
      await openFollowupCases(tx, ratingRows)

      const seenEvents = await existingKeys(
        tx,
        'PadEventRecord',
        'eventId',
        events.map((e) => [e.deviceId, e.event.id]),
      )
      const eventCandidates = []
      const eventPending = new Map<string, { incoming: IncomingEvent; unrated: UnratedDelta | null }>()
      for (const e of events) {
        const key = `${e.deviceId}\u0000${e.event.id}`
        const device = devices.get(e.deviceId)
        if (!device || device.revokedAt) {
          reject(e.deviceId, e.event.id, 'event', 'unknown or revoked device', e.event, e.receivedAt)
          continue
        }
        push(result.committed, e.deviceId, e.event.id)
        if (seenEvents.has(key)) continue
        seenEvents.add(key)
        const ev = e.event
        const at = occurredAt(new Date(ev.at), device.clockSkewMs, e.receivedAt)
        const { day, hour } = localDayHour(at, device.hall.timeZone)
        const staffNo =
          'staffNo' in ev ? ev.staffNo : ev.type === 'unrated' ? (ev.transaction.staffNo ?? null) : null
        const service =
          ev.type === 'unrated'
            ? {
                serviceCode: ev.transaction.serviceCode ?? null,
                serviceName: ev.transaction.serviceName ?? null,
              }
            : { serviceCode: null, serviceName: null }
        const rowId = newRowId()
        eventPending.set(rowId, {
          incoming: e,
          unrated:
            ev.type === 'unrated'
              ? { hallId: device.hallId, day, hour, windowId: device.windowId, staffNo, ...service }
              : null,
        })
        eventCandidates.push({
          id: rowId,
          deviceId: e.deviceId,
          eventId: ev.id,
          type: ev.type,
          hallId: device.hallId,
          windowId: device.windowId,
          staffNo,
          transactionId: ev.type === 'unrated' ? (ev.transaction.id ?? ev.transaction.caseNo ?? null) : null,
          payload: JSON.stringify(ev),
          at: new Date(ev.at),
          receivedAt: e.receivedAt,
          ...service,
          occurredAt: at,
          day,
          hour,
        })
      }
      const insertedEvents = await insertRows(tx, 'PadEventRecord', eventCandidates)
      const eventRows = eventCandidates.filter((row) => insertedEvents.has(row.id))
      for (const row of eventRows) {
        const { incoming, unrated } = eventPending.get(row.id)!
        result.newEvents.push(incoming)
        if (unrated) deltas.addUnrated(unrated)
      }
      await writeRollups(tx, deltas)
      if (ratingRows.length + eventRows.length)
        for (const hook of this.hooks) await hook(tx, { ratings: ratingRows, events: eventRows, devices })

      if (rejectedRows.length)
        await tx.rejectedMessage.createMany({
          data: rejectedRows.map((r) => ({
            id: newRowId(),
            topic: r.topic,
            deviceId: r.deviceId,
            reason: storableText(r.reason.slice(0, 1000)),
            payload: storableText(r.payload.subarray(0, REJECTED_PAYLOAD_CAP).toString('utf8')),
            payloadBytes: r.payload.length,
            receivedAt: r.receivedAt,
          })),
        })
      for (const r of rejected)
        if (r.deviceId && r.messageId)
          push(result.rejected, r.deviceId, { id: r.messageId, reason: r.reason })
    }, COMMIT_TX)
    return result
  }
}

type RatingRow = NonNullable<Awaited<ReturnType<Db['rating']['findUnique']>>> & {
  voidDecision?: { decidedAt: Date; decidedBy: string; reason: string; caseId: string | null } | null
  flags?: { kind: string; detail: string }[]
}
export function ratingView(r: RatingRow) {
  return {
    id: r.id,
    deviceId: r.deviceId,
    ratingId: r.ratingId,
    seq: r.seq,
    hallId: r.hallId,
    windowId: r.windowId,
    staffNo: r.staffNo,
    scale: r.scale,
    key: r.key,
    level: r.level,
    class: r.class as 'good' | 'bad',
    reasons: r.reasons ? (JSON.parse(r.reasons) as string[]) : [],
    transaction:
      r.transactionId || r.caseNo
        ? {
            id: r.transactionId,
            caseNo: r.caseNo,
            ticket: r.ticket,
            serviceCode: r.serviceCode,
            serviceName: r.serviceName,
          }
        : null,
    promptedAt: r.promptedAt?.toISOString() ?? null,
    pressedAt: r.pressedAt.toISOString(),
    receivedAt: r.receivedAt.toISOString(),
    /** pressedAt corrected by the pad's clock skew, never after receivedAt. */
    occurredAt: r.occurredAt.toISOString(),
    /** Local day in the hall's time zone, the day reports count it on. */
    day: r.day,
    replayed: r.replayed,
    /** The recorded decision that voided this rating, or null. */
    voided: r.voidDecision
      ? {
          decidedAt: r.voidDecision.decidedAt.toISOString(),
          decidedBy: r.voidDecision.decidedBy,
          reason: r.voidDecision.reason,
          caseId: r.voidDecision.caseId,
        }
      : null,
    /** Integrity flags (fastPress, burst, outsideHours, clockSkew, seqGap) with what was measured. */
    flags: (r.flags ?? []).map((f) => ({
      kind: f.kind,
      detail: JSON.parse(f.detail) as Record<string, unknown>,
    })),
  }
}
export type RatingView = ReturnType<typeof ratingView>

export interface RatingFilters {
  hallId?: string
  windowId?: string
  deviceId?: string
  staffNo?: string
  /** Local days (inclusive) in the hall's time zone, as resolved from a report period. */
  days?: { from: string; to: string }
  level?: number
  class?: 'good' | 'bad'
  serviceCode?: string
  voided?: 'include' | 'exclude' | 'only'
  /** Only ratings with a flag of this kind, or with any flag. */
  flag?: string
}

const VOID_SELECT = { select: { decidedAt: true, decidedBy: true, reason: true, caseId: true } } as const

export class RatingRepository {
  constructor(private readonly db: Db) {}

  private where(p: Principal, q: RatingFilters) {
    return {
      ...hallWhere(p, q.hallId),
      ...(q.windowId ? { windowId: q.windowId } : {}),
      ...(q.deviceId ? { deviceId: q.deviceId } : {}),
      ...(q.staffNo ? { staffNo: q.staffNo } : {}),
      ...(q.days ? { day: { gte: q.days.from, lte: q.days.to } } : {}),
      ...(q.level ? { level: q.level } : {}),
      ...(q.class ? { class: q.class } : {}),
      ...(q.serviceCode ? { serviceCode: q.serviceCode } : {}),
      ...(q.voided === 'exclude'
        ? { voidDecision: { is: null } }
        : q.voided === 'only'
          ? { voidDecision: { isNot: null } }
          : {}),
      ...(q.flag ? { flags: { some: q.flag === 'any' ? {} : { kind: q.flag } } } : {}),
    }
  }

  /** Raw ratings, newest first (by corrected time), with an opaque cursor for the next page. */
  async list(p: Principal, q: RatingFilters & { limit: number; cursor?: string }) {
    const rows = await this.db.rating.findMany({
      where: this.where(p, q),
      include: {
        voidDecision: VOID_SELECT,
        flags: { select: { kind: true, detail: true }, orderBy: { kind: 'asc' } },
      },
      orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
      ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
    })
    const page = rows.slice(0, q.limit)
    return {
      items: page.map(ratingView),
      nextCursor: rows.length > q.limit ? page[page.length - 1].id : null,
    }
  }

  /** Every matching rating, page by page, for streamed exports. */
  async *iterate(p: Principal, q: RatingFilters, pageSize = 1000): AsyncGenerator<RatingView> {
    let cursor: string | undefined
    do {
      const page = await this.list(p, { ...q, limit: pageSize, cursor })
      yield* page.items
      cursor = page.nextCursor ?? undefined
    } while (cursor)
  }

  async listRejected(limit: number) {
    const rows = await this.db.rejectedMessage.findMany({ orderBy: { receivedAt: 'desc' }, take: limit })
    return rows.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() }))
  }

  async listEvents(p: Principal, q: { hallId?: string; deviceId?: string; type?: string; limit: number }) {
    const rows = await this.db.padEventRecord.findMany({
      where: {
        ...hallWhere(p, q.hallId),
        ...(q.deviceId ? { deviceId: q.deviceId } : {}),
        ...(q.type ? { type: q.type } : {}),
      },
      orderBy: { receivedAt: 'desc' },
      take: q.limit,
    })
    return rows.map((r) => ({
      id: r.id,
      deviceId: r.deviceId,
      eventId: r.eventId,
      type: r.type,
      hallId: r.hallId,
      windowId: r.windowId,
      staffNo: r.staffNo,
      payload: JSON.parse(r.payload),
      at: r.at.toISOString(),
      receivedAt: r.receivedAt.toISOString(),
    }))
  }
}
