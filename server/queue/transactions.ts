// Queue-system transactions (排队叫号): a queue system starts a transaction at a window when a
// visit ends; the window's pad is sent a `prompt` command carrying the transaction, and the rating
// (or unrated event) that answers it is bound to the row in the ingest transaction. Shared by the
// REST routes and the MQTT queue handler.
import { randomUUID } from 'node:crypto'
import type { z } from 'zod'
import {
  QueueTransactionStart,
  SCHEMA_VERSION,
  topics,
  type Command,
  type Transaction,
} from '../../protocol/index.ts'
import { assertCanWrite, assertHall, hallFilter, type Principal } from '../auth/principal.ts'
import type { Bus } from '../broker/bus.ts'
import type { Db } from '../db/client.ts'
import { Prisma } from '../db/generated/sqlite/client.ts'
import { execute, MAX_PARAMS, queryRows } from '../db/bulk.ts'
import { badRequest, conflict, notFound } from '../errors.ts'
import type { Tx } from '../reports/rollups.ts'

export const TransactionStart = QueueTransactionStart.describe(
  'A transaction whose rating the window’s pad asks for',
)
export type TransactionStart = z.infer<typeof TransactionStart>

export const TRANSACTION_STATUSES = ['pending', 'rated', 'unrated', 'cancelled'] as const
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number]

type Row = NonNullable<Awaited<ReturnType<Db['queueTransaction']['findUnique']>>>

/** rated beats cancelled (a citizen who pressed before the cancel arrived has rated), cancelled beats unrated. */
export function statusOf(r: Pick<Row, 'ratingId' | 'cancelledAt' | 'unratedAt'>): TransactionStatus {
  if (r.ratingId) return 'rated'
  if (r.cancelledAt) return 'cancelled'
  if (r.unratedAt) return 'unrated'
  return 'pending'
}

export function transactionView(r: Row) {
  return {
    id: r.id,
    status: statusOf(r),
    hallId: r.hallId,
    windowId: r.windowId,
    deviceId: r.deviceId,
    caseNo: r.caseNo,
    ticket: r.ticket,
    serviceCode: r.serviceCode,
    serviceName: r.serviceName,
    staffNo: r.staffNo,
    startedBy: r.startedBy,
    createdAt: r.createdAt.toISOString(),
    rating: r.ratingId
      ? {
          id: r.ratingId,
          level: r.level!,
          class: r.ratingClass as 'good' | 'bad',
          ratedAt: r.ratedAt!.toISOString(),
        }
      : null,
    unratedAt: r.unratedAt?.toISOString() ?? null,
    cancelledAt: r.cancelledAt?.toISOString() ?? null,
    cancelledBy: r.cancelledBy,
  }
}
export type TransactionView = ReturnType<typeof transactionView>

export class QueueTransactions {
  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
  ) {}

  /** The pad to prompt at a window: the one seen most recently, online ones first. */
  private async padAt(windowId: string) {
    const pads = await this.db.device.findMany({
      where: { windowId, revokedAt: null },
      orderBy: [{ online: 'desc' }, { lastSeenAt: 'desc' }, { id: 'asc' }],
      select: { id: true, online: true },
      take: 1,
    })
    return pads[0] ?? null
  }

  /** Starts a transaction and prompts the window's pad. The same id again returns what exists. */
  async start(p: Principal, input: TransactionStart, startedBy: string) {
    const window = await this.db.window.findUnique({ where: { id: input.windowId } })
    if (!window) throw badRequest(`window ${input.windowId} does not exist`, 'windowId')
    assertCanWrite(p, window.hallId)
    if (input.id) {
      const existing = await this.db.queueTransaction.findUnique({ where: { id: input.id } })
      if (existing) {
        assertHall(p, existing.hallId)
        if (existing.windowId !== input.windowId || (input.caseNo ?? null) !== existing.caseNo)
          throw conflict(`transaction ${input.id} exists with another window or case number`, 'id')
        return { transaction: transactionView(existing), created: false, padOnline: null }
      }
    }
    const pad = await this.padAt(window.id)
    if (!pad) throw conflict(`no pad is bound to window ${window.id}`, 'windowId')
    const row = await this.db.queueTransaction.create({
      data: {
        id: input.id ?? `tx-${randomUUID()}`,
        hallId: window.hallId,
        windowId: window.id,
        deviceId: pad.id,
        caseNo: input.caseNo ?? null,
        ticket: input.ticket ?? null,
        serviceCode: input.serviceCode ?? null,
        serviceName: input.serviceName ?? null,
        staffNo: input.staffNo ?? null,
        startedBy,
        createdAt: new Date(),
      },
    })
    const transaction: Transaction = { id: row.id }
    for (const k of ['caseNo', 'ticket', 'serviceCode', 'serviceName', 'staffNo'] as const)
      if (row[k]) transaction[k] = row[k]
    await this.command(pad.id, { type: 'prompt', transaction })
    return { transaction: transactionView(row), created: true, padOnline: pad.online }
  }

  async get(p: Principal, id: string) {
    const r = await this.db.queueTransaction.findUnique({ where: { id } })
    if (!r) throw notFound(`transaction ${id}`)
    assertHall(p, r.hallId)
    return transactionView(r)
  }

  async list(
    p: Principal,
    q: { hallId?: string; windowId?: string; caseNo?: string; status?: TransactionStatus; limit: number },
  ) {
    if (q.hallId) assertHall(p, q.hallId)
    const status: Prisma.QueueTransactionWhereInput =
      q.status === 'rated'
        ? { ratingId: { not: null } }
        : q.status === 'cancelled'
          ? { ratingId: null, cancelledAt: { not: null } }
          : q.status === 'unrated'
            ? { ratingId: null, cancelledAt: null, unratedAt: { not: null } }
            : q.status === 'pending'
              ? { ratingId: null, cancelledAt: null, unratedAt: null }
              : {}
    const rows = await this.db.queueTransaction.findMany({
      where: {
        ...hallFilter(p),
        ...(q.hallId ? { hallId: q.hallId } : {}),
        ...(q.windowId ? { windowId: q.windowId } : {}),
        ...(q.caseNo ? { caseNo: q.caseNo } : {}),
        ...status,
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit,
    })
    return rows.map(transactionView)
  }

  /** Cancels a transaction that has no rating yet and tells the pad to drop the prompt. */
  async cancel(p: Principal, id: string, by: string) {
    const r = await this.db.queueTransaction.findUnique({ where: { id } })
    if (!r) throw notFound(`transaction ${id}`)
    assertCanWrite(p, r.hallId)
    if (r.ratingId) throw conflict(`transaction ${id} is already rated; a rating cannot be withdrawn`)
    if (r.cancelledAt) return transactionView(r)
    await this.db.queueTransaction.updateMany({
      where: { id, ratingId: null, cancelledAt: null },
      data: { cancelledAt: new Date(), cancelledBy: by },
    })
    const now = await this.db.queueTransaction.findUniqueOrThrow({ where: { id } })
    if (now.ratingId) throw conflict(`transaction ${id} was rated meanwhile; a rating cannot be withdrawn`)
    await this.command(r.deviceId, { type: 'cancel', transactionId: id })
    return transactionView(now)
  }

  private async command(
    deviceId: string,
    body: { type: 'prompt'; transaction: Transaction } | { type: 'cancel'; transactionId: string },
  ) {
    const command = {
      v: SCHEMA_VERSION,
      id: randomUUID(),
      issuedAt: new Date().toISOString(),
      ...body,
    } as Command
    await this.bus.publish(topics.command(deviceId), JSON.stringify(command), { qos: 1 })
  }
}

/**
 * In the ingest transaction: binds each new rating (and unrated event) to the queue transaction it
 * answers, in the same hall. The first answer wins; a second rating never replaces it.
 */
export async function bindAnswers(
  tx: Tx,
  rows: { ratings: Prisma.RatingCreateManyInput[]; events: Prisma.PadEventRecordCreateManyInput[] },
): Promise<string[]> {
  const ratings = rows.ratings.filter((r) => r.transactionId)
  const unrated = rows.events.filter((e) => e.type === 'unrated' && e.transactionId)
  const ids = [...new Set([...ratings, ...unrated].map((r) => r.transactionId!))]
  if (!ids.length) return []
  // Plain SQL (queryRows, execute): this runs in every ingest commit, for every rating.
  const known = new Map<string, string>()
  for (let i = 0; i < ids.length; i += MAX_PARAMS)
    for (const t of await queryRows<{ id: string; hallId: string }>(
      tx,
      Prisma.sql`SELECT "id", "hallId" FROM "QueueTransaction" WHERE "id" IN (${Prisma.join(ids.slice(i, i + MAX_PARAMS))})`,
    ))
      known.set(t.id, t.hallId)
  const bound: string[] = []
  for (const r of ratings) {
    if (known.get(r.transactionId!) !== r.hallId) continue
    const changed = await execute(
      tx,
      Prisma.sql`UPDATE "QueueTransaction" SET "ratingId" = ${r.id}, "level" = ${r.level}, "ratingClass" = ${r.class}, "ratedAt" = ${new Date(r.occurredAt)} WHERE "id" = ${r.transactionId!} AND "ratingId" IS NULL`,
    )
    if (changed) bound.push(r.transactionId!)
  }
  for (const e of unrated) {
    if (known.get(e.transactionId!) !== e.hallId) continue
    const changed = await execute(
      tx,
      Prisma.sql`UPDATE "QueueTransaction" SET "unratedAt" = ${new Date(e.occurredAt)} WHERE "id" = ${e.transactionId!} AND "ratingId" IS NULL AND "unratedAt" IS NULL`,
    )
    if (changed) bound.push(e.transactionId!)
  }
  return bound
}
