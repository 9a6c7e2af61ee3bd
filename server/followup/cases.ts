// Opening 差评 cases: inside the ingest transaction that inserts the ratings (so a committed 差评
// always has its case, and a resend, being no new row, never opens a second one), and once at start
// for 差评 stored before cases existed.
import type { Db } from '../db/client.ts'
import { Prisma } from '../db/generated/sqlite/client.ts'
import { localDayHour } from '../reports/local-time.ts'
import type { Tx } from '../reports/rollups.ts'
import { deadline, loadRules } from './due.ts'
import { insertRows } from '../db/bulk.ts'
import { newRowId } from '../db/ids.ts'

/** The columns of a stored rating a case is opened from. */
export interface BadRatingRow {
  id: string
  hallId: string
  windowId: string | null
  staffNo: string | null
  level: number
  class: string
  reasons: string | null
  serviceCode: string | null
  serviceName: string | null
  caseNo: string | null
  occurredAt: Date
  day: string
  receivedAt: Date
}

export const SYSTEM = 'system'

/**
 * Opens one case per 差评 among the rows, with its due dates, and the case's first step. Call it in
 * the transaction that inserts the rows.
 */
export async function openFollowupCases(tx: Tx, rows: BadRatingRow[]): Promise<number> {
  const bad = rows.filter((r) => r.class === 'bad')
  if (!bad.length) return 0
  const rules = await loadRules(
    tx,
    bad.map((r) => r.hallId),
  )
  const cases = []
  const steps = []
  for (const r of bad) {
    const h = rules.get(r.hallId)!
    const openedDay = localDayHour(r.receivedAt, h.timeZone).day
    const callback = deadline(h.calendar, openedDay, h.policy.callbackDays, h.timeZone)
    const rectify = deadline(h.calendar, openedDay, h.policy.simpleRectifyDays, h.timeZone)
    const id = newRowId()
    cases.push({
      id,
      ratingId: r.id,
      hallId: r.hallId,
      windowId: r.windowId,
      staffNo: r.staffNo,
      level: r.level,
      reasons: r.reasons,
      serviceCode: r.serviceCode,
      serviceName: r.serviceName,
      caseNo: r.caseNo,
      ratedAt: r.occurredAt,
      ratedDay: r.day,
      openedAt: r.receivedAt,
      openedDay,
      state: 'pending_callback',
      rectifyKind: 'simple',
      callbackDueDay: callback.day,
      callbackDueAt: callback.at,
      rectifyDueDay: rectify.day,
      rectifyDueAt: rectify.at,
      dueAt: callback.at,
      updatedAt: r.receivedAt,
    })
    steps.push({
      id: newRowId(),
      caseId: id,
      seq: 0,
      action: 'open',
      fromState: null,
      toState: 'pending_callback',
      at: r.receivedAt,
      by: SYSTEM,
      byTokenId: null,
      note: `收到差评，回访期限 ${callback.day}，整改期限 ${rectify.day}`,
    })
  }
  // Raw multi-row inserts: this runs inside every ingest batch (see server/db/bulk.ts).
  await insertRows(tx, 'FollowupCase', cases)
  await insertRows(tx, 'FollowupStep', steps)
  return cases.length
}

const PAGE = 500

/**
 * At start: opens the missing cases when the follow-up backfill migration found 差评 stored before
 * cases existed (a marker in _rp_backfill), then removes the marker, so later starts scan nothing.
 */
export async function openLegacyCases(db: Db): Promise<number> {
  const marker = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT "name" FROM "_rp_backfill" WHERE "name" = 'followup'`,
  )
  if (!marker.length) return 0
  const opened = await openMissingCases(db)
  await db.$executeRawUnsafe(`DELETE FROM "_rp_backfill" WHERE "name" = 'followup'`)
  return opened
}

/**
 * Opens the cases of 差评 stored before follow-up existed (or by anything that bypassed the
 * ingest), page by page. A second instance starting at the same time loses the race on the unique
 * ratingId and simply reads the next page.
 */
export async function openMissingCases(db: Db): Promise<number> {
  let opened = 0
  for (let attempts = 0; attempts < 100; attempts++) {
    const ids = await db.$queryRaw<{ id: string }[]>(
      Prisma.sql`SELECT r."id" FROM "Rating" r LEFT JOIN "FollowupCase" c ON c."ratingId" = r."id"
        WHERE r."class" = 'bad' AND c."id" IS NULL ORDER BY r."id" LIMIT ${PAGE}`,
    )
    if (!ids.length) break
    try {
      opened += await db.$transaction(async (tx) => {
        const rows = await tx.rating.findMany({
          where: { id: { in: ids.map((r) => r.id) } },
          select: {
            id: true,
            hallId: true,
            windowId: true,
            staffNo: true,
            level: true,
            class: true,
            reasons: true,
            serviceCode: true,
            serviceName: true,
            caseNo: true,
            occurredAt: true,
            day: true,
            receivedAt: true,
          },
        })
        return openFollowupCases(tx, rows)
      })
    } catch (e) {
      if ((e as { code?: string }).code === 'P2002') continue // another instance opened some
      throw e
    }
    if (ids.length < PAGE) break
  }
  return opened
}
