// Webhooks and upstream exporters: registration, the delivery log, redelivery. Admins see and
// manage all; a manager only those scoped to halls of their own.
import { randomBytes, randomUUID } from 'node:crypto'
import { z } from 'zod'
import { forbidden, notFound } from '../errors.ts'
import type { Principal } from '../auth/principal.ts'
import type { Db } from '../db/client.ts'
import { WEBHOOK_EVENTS, type WebhookEvent } from './events.ts'
import { UpstreamMapping } from './mapping.ts'

const Url = z
  .string()
  .max(2048)
  .refine((u) => {
    try {
      return ['http:', 'https:'].includes(new URL(u).protocol)
    } catch {
      return false
    }
  }, 'must be an http:// or https:// URL')
const Headers = z
  .record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name'), z.string().max(1024))
  .describe('Extra request headers (an upstream platform’s app key, for example)')

export const WebhookCreate = z
  .object({
    name: z.string().min(1).max(128),
    kind: z
      .enum(['webhook', 'upstream'])
      .default('webhook')
      .describe(
        'webhook: the signed event envelope; upstream: each rating mapped to an upstream 好差评 platform’s fields',
      ),
    url: Url,
    secret: z.string().min(16).max(256).optional().describe('HMAC key; made when missing and shown once'),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1)
      .optional()
      .describe('Events to send; default all (an upstream exporter sends rating.created only)'),
    hallIds: z
      .array(z.string().min(1))
      .default([])
      .describe('Only events of these halls; empty = all (admins only)'),
    mapping: UpstreamMapping.optional().describe('Required for kind upstream'),
    headers: Headers.optional(),
    active: z.boolean().default(true),
  })
  .superRefine((w, ctx) => {
    if (w.kind === 'upstream' && !w.mapping)
      ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'an upstream exporter needs a mapping' })
    if (w.kind === 'upstream' && w.events && w.events.some((e) => e !== 'rating.created'))
      ctx.addIssue({
        code: 'custom',
        path: ['events'],
        message: 'an upstream exporter sends rating.created only',
      })
    if (w.kind === 'webhook' && w.mapping)
      ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'only an upstream exporter has a mapping' })
  })
export type WebhookCreate = z.infer<typeof WebhookCreate>

export const WebhookUpdate = z.object({
  name: z.string().min(1).max(128).optional(),
  url: Url.optional(),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).optional(),
  hallIds: z.array(z.string().min(1)).optional(),
  mapping: UpstreamMapping.optional(),
  headers: Headers.nullable().optional(),
  active: z.boolean().optional(),
})

type Row = NonNullable<Awaited<ReturnType<Db['webhook']['findUnique']>>>
function view(w: Row) {
  return {
    id: w.id,
    name: w.name,
    kind: w.kind as 'webhook' | 'upstream',
    url: w.url,
    events: JSON.parse(w.events) as WebhookEvent[],
    hallIds: JSON.parse(w.hallIds) as string[],
    mapping: w.mapping ? (JSON.parse(w.mapping) as UpstreamMapping) : null,
    headers: w.headers ? (JSON.parse(w.headers) as Record<string, string>) : null,
    active: w.active,
    createdBy: w.createdBy,
    createdAt: w.createdAt.toISOString(),
  }
}

type DeliveryRow = NonNullable<Awaited<ReturnType<Db['webhookDelivery']['findUnique']>>>
function deliveryView(d: DeliveryRow) {
  return {
    id: d.id,
    webhookId: d.webhookId,
    event: d.event,
    eventKey: d.eventKey,
    hallId: d.hallId,
    status: d.status as 'pending' | 'delivered' | 'failed',
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    payload: JSON.parse(d.payload) as unknown,
  }
}

export class WebhookRepository {
  constructor(private readonly db: Db) {}

  /** A manager may touch a webhook only when it is scoped to halls that are all theirs. */
  private check(p: Principal, hallIds: string[]) {
    if (p.role === 'viewer') throw forbidden('viewers cannot manage webhooks')
    if (p.halls === 'all') return
    if (!hallIds.length) throw forbidden('only an admin can set up a webhook for all halls')
    const outside = hallIds.filter((h) => !(p.halls as string[]).includes(h))
    if (outside.length) throw forbidden(`no access to hall ${outside[0]}`)
  }

  private async row(p: Principal, id: string) {
    const w = await this.db.webhook.findUnique({ where: { id } })
    if (!w) throw notFound(`webhook ${id}`)
    try {
      this.check(p, JSON.parse(w.hallIds))
    } catch {
      throw notFound(`webhook ${id}`)
    }
    return w
  }

  async create(p: Principal, input: WebhookCreate) {
    this.check(p, input.hallIds)
    const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`
    const now = new Date()
    const w = await this.db.webhook.create({
      data: {
        id: randomUUID(),
        name: input.name,
        kind: input.kind,
        url: input.url,
        secret,
        events: JSON.stringify(
          input.events ?? (input.kind === 'upstream' ? ['rating.created'] : WEBHOOK_EVENTS),
        ),
        hallIds: JSON.stringify(input.hallIds),
        mapping: input.mapping ? JSON.stringify(input.mapping) : null,
        headers: input.headers ? JSON.stringify(input.headers) : null,
        active: input.active,
        createdBy: p.name,
        createdAt: now,
        updatedAt: now,
      },
    })
    return { ...view(w), secret }
  }

  async list(p: Principal) {
    const rows = await this.db.webhook.findMany({ orderBy: { createdAt: 'asc' } })
    return rows
      .filter((w) => {
        try {
          this.check(p, JSON.parse(w.hallIds))
          return true
        } catch {
          return false
        }
      })
      .map(view)
  }

  async get(p: Principal, id: string) {
    return view(await this.row(p, id))
  }

  async update(p: Principal, id: string, input: z.infer<typeof WebhookUpdate>) {
    const w = await this.row(p, id)
    if (input.hallIds) this.check(p, input.hallIds)
    if (input.mapping && w.kind !== 'upstream') throw forbidden('only an upstream exporter has a mapping')
    const u = await this.db.webhook.update({
      where: { id },
      data: {
        name: input.name,
        url: input.url,
        events: input.events ? JSON.stringify(input.events) : undefined,
        hallIds: input.hallIds ? JSON.stringify(input.hallIds) : undefined,
        mapping: input.mapping ? JSON.stringify(input.mapping) : undefined,
        headers:
          input.headers === undefined ? undefined : input.headers ? JSON.stringify(input.headers) : null,
        active: input.active,
        updatedAt: new Date(),
      },
    })
    return view(u)
  }

  /** Removes the webhook; what it had not delivered yet is marked failed, and the log stays. */
  async delete(p: Principal, id: string) {
    await this.row(p, id)
    await this.db.$transaction([
      this.db.webhookDelivery.updateMany({
        where: { webhookId: id, status: 'pending' },
        data: { status: 'failed', lastError: 'webhook deleted', claimedBy: null, claimedUntil: null },
      }),
      this.db.webhook.delete({ where: { id } }),
    ])
  }

  async deliveries(
    p: Principal,
    webhookId: string,
    q: { status?: 'pending' | 'delivered' | 'failed'; event?: WebhookEvent; limit: number; cursor?: string },
  ) {
    await this.row(p, webhookId)
    const rows = await this.db.webhookDelivery.findMany({
      where: { webhookId, ...(q.status ? { status: q.status } : {}), ...(q.event ? { event: q.event } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
      ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
    })
    const page = rows.slice(0, q.limit)
    return {
      items: page.map(deliveryView),
      nextCursor: rows.length > q.limit ? page[page.length - 1].id : null,
    }
  }

  async delivery(p: Principal, id: string) {
    const d = await this.db.webhookDelivery.findUnique({ where: { id } })
    if (!d) throw notFound(`delivery ${id}`)
    await this.row(p, d.webhookId).catch(() => {
      throw notFound(`delivery ${id}`)
    })
    const attempts = await this.db.webhookAttempt.findMany({
      where: { deliveryId: id },
      orderBy: { at: 'asc' },
    })
    return {
      ...deliveryView(d),
      attemptLog: attempts.map((a) => ({
        at: a.at.toISOString(),
        status: a.status,
        error: a.error,
        durationMs: a.durationMs,
        instance: a.instance,
      })),
    }
  }

  /** Sends a delivery again now (a failed one, or a delivered one the receiver lost). */
  async redeliver(p: Principal, id: string) {
    await this.delivery(p, id)
    await this.db.webhookDelivery.update({
      where: { id },
      data: { status: 'pending', nextAttemptAt: new Date(), claimedBy: null, claimedUntil: null },
    })
    return this.delivery(p, id)
  }
}
