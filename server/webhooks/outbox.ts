// The durable webhook outbox. enqueue() fans an event out to every active webhook that wants it and
// writes one delivery row each, in the caller's transaction: a rating that commits always has its
// deliveries, a rating that rolls back has none. The dispatcher sends them later.
import type { Db } from '../db/client.ts'
import type { Prisma } from '../db/generated/sqlite/client.ts'
import type { Tx } from '../reports/rollups.ts'
import {
  levelLabel,
  ratingData,
  type OutboundEvent,
  type RatingRecord,
  type WebhookEnvelope,
  type WebhookEvent,
} from './events.ts'
import { applyMapping, UpstreamMapping } from './mapping.ts'
import { newRowId } from '../db/ids.ts'

type Client = Tx | Db

export interface WebhookRow {
  id: string
  kind: string
  events: string
  hallIds: string
  mapping: string | null
}

function wants(w: WebhookRow, e: OutboundEvent): boolean {
  const events = JSON.parse(w.events) as WebhookEvent[]
  if (!events.includes(e.type)) return false
  const halls = JSON.parse(w.hallIds) as string[]
  return halls.length === 0 || (e.hallId !== null && halls.includes(e.hallId))
}

/** The delivery rows for these events (no write). */
export function deliveriesFor(webhooks: WebhookRow[], events: OutboundEvent[], now = new Date()) {
  const rows: Prisma.WebhookDeliveryCreateManyInput[] = []
  for (const e of events) {
    const envelope: WebhookEnvelope = {
      id: newRowId(),
      type: e.type,
      createdAt: e.at.toISOString(),
      hallId: e.hallId,
      data: e.data,
    }
    for (const w of webhooks) {
      if (!wants(w, e)) continue
      let body: unknown = envelope
      if (w.kind === 'upstream') {
        if (!e.record) continue
        body = applyMapping(UpstreamMapping.parse(JSON.parse(w.mapping ?? '{}')), e.record)
        if (body === null) continue
      }
      rows.push({
        id: newRowId(),
        webhookId: w.id,
        event: e.type,
        eventKey: e.key,
        hallId: e.hallId,
        payload: JSON.stringify(body),
        status: 'pending',
        nextAttemptAt: now,
        createdAt: now,
      })
    }
  }
  return rows
}

async function activeWebhooks(db: Client): Promise<WebhookRow[]> {
  return db.webhook.findMany({
    where: { active: true },
    select: { id: true, kind: true, events: true, hallIds: true, mapping: true },
  })
}

/**
 * Queues events in the caller's transaction. Keys already queued for a webhook are left alone, so
 * an event reported twice (a retained Last Will read again at start) is delivered once.
 */
export async function enqueue(
  db: Client,
  events: OutboundEvent[] | (() => Promise<OutboundEvent[]>),
): Promise<number> {
  if (Array.isArray(events) && !events.length) return 0
  const webhooks = await activeWebhooks(db)
  if (!webhooks.length) return 0
  // Built only when some webhook may want them: the ingest pays nothing while none is set up.
  let rows = deliveriesFor(webhooks, Array.isArray(events) ? events : await events())
  if (!rows.length) return 0
  const existing = await db.webhookDelivery.findMany({
    where: { eventKey: { in: [...new Set(rows.map((r) => r.eventKey))] } },
    select: { webhookId: true, eventKey: true },
  })
  const seen = new Set(existing.map((e) => `${e.webhookId}\u0000${e.eventKey}`))
  rows = rows.filter((r) => {
    const k = `${r.webhookId}\u0000${r.eventKey}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
  if (rows.length) await db.webhookDelivery.createMany({ data: rows })
  return rows.length
}

/** Queues outside any transaction: a concurrent duplicate (another instance) is not an error. */
export async function enqueueOnce(db: Db, events: OutboundEvent[]): Promise<number> {
  try {
    return await enqueue(db, events)
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') return 0
    throw err
  }
}

/** rating.created (and rating.bad for 差评) for the ratings a commit inserts. */
export async function ratingEvents(
  tx: Client,
  rows: Prisma.RatingCreateManyInput[],
): Promise<OutboundEvent[]> {
  if (!rows.length) return []
  const uniq = <T>(xs: (T | null | undefined)[]) => [...new Set(xs.filter((x): x is T => x != null))]
  const [halls, windows, staff] = await Promise.all([
    tx.hall.findMany({
      where: { id: { in: uniq(rows.map((r) => r.hallId)) } },
      select: { id: true, name: true, timeZone: true },
    }),
    tx.window.findMany({
      where: { id: { in: uniq(rows.map((r) => r.windowId)) } },
      select: { id: true, name: true },
    }),
    tx.staff.findMany({
      where: { staffNo: { in: uniq(rows.map((r) => r.staffNo)) } },
      select: { staffNo: true, name: true },
    }),
  ])
  const hall = new Map(halls.map((h) => [h.id, h]))
  const windowName = new Map(windows.map((w) => [w.id, w.name]))
  const staffName = new Map(staff.map((s) => [s.staffNo, s.name]))
  const events: OutboundEvent[] = []
  for (const r of rows) {
    const h = hall.get(r.hallId)
    const record: RatingRecord = {
      ratingId: r.id,
      padRatingId: r.ratingId,
      deviceId: r.deviceId,
      hallId: r.hallId,
      hallName: h?.name ?? null,
      windowId: r.windowId ?? null,
      windowName: r.windowId ? (windowName.get(r.windowId) ?? null) : null,
      staffNo: r.staffNo ?? null,
      staffName: r.staffNo ? (staffName.get(r.staffNo) ?? null) : null,
      transactionId: r.transactionId ?? null,
      caseNo: r.caseNo ?? null,
      ticket: r.ticket ?? null,
      serviceCode: r.serviceCode ?? null,
      serviceName: r.serviceName ?? null,
      level: r.level,
      levelLabel: levelLabel(r.level),
      class: r.class,
      reasons: r.reasons ? (JSON.parse(r.reasons) as string[]) : [],
      pressedAt: new Date(r.pressedAt),
      occurredAt: new Date(r.occurredAt),
      receivedAt: new Date(r.receivedAt),
      day: r.day,
      timeZone: h?.timeZone ?? 'Asia/Shanghai',
    }
    const data = ratingData(record)
    const at = record.receivedAt
    events.push({ type: 'rating.created', key: `rating.created:${r.id}`, hallId: r.hallId, at, data, record })
    if (r.class === 'bad')
      events.push({ type: 'rating.bad', key: `rating.bad:${r.id}`, hallId: r.hallId, at, data })
  }
  return events
}
