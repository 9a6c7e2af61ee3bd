// Reading the flags: counts per kind, window and staff member for the flags report, and the list
// of flags (with what they are on) for managers to look through. Flags are few next to ratings,
// so these read RatingFlag directly through its (hallId, day) index.
import { hallWhere, type Principal } from '../auth/principal.ts'
import type { Db } from '../db/client.ts'
import { FLAG_KINDS, type FlagKind } from './kinds.ts'

export type FlagCounts = Record<FlagKind, number> & { total: number }
export const emptyCounts = (): FlagCounts =>
  Object.assign(Object.fromEntries(FLAG_KINDS.map((k) => [k, 0])) as Record<FlagKind, number>, { total: 0 })

export interface FlagFilters {
  hallId?: string
  days?: { from: string; to: string }
  windowId?: string
  staffNo?: string
  deviceId?: string
  kind?: FlagKind
}

export class FlagRepository {
  constructor(private readonly db: Db) {}

  private where(p: Principal, f: FlagFilters) {
    return {
      ...hallWhere(p, f.hallId),
      ...(f.days ? { day: { gte: f.days.from, lte: f.days.to } } : {}),
      ...(f.windowId ? { windowId: f.windowId } : {}),
      ...(f.staffNo ? { staffNo: f.staffNo } : {}),
      ...(f.deviceId ? { deviceId: f.deviceId } : {}),
      ...(f.kind ? { kind: f.kind } : {}),
    }
  }

  /** Counts per kind for the hall, and per window and per staff member ('' = none). */
  async counts(p: Principal, f: FlagFilters & { hallId: string; days: { from: string; to: string } }) {
    const groups = await this.db.ratingFlag.groupBy({
      by: ['kind', 'windowId', 'staffNo'],
      where: this.where(p, f),
      _count: { _all: true },
    })
    const total = emptyCounts()
    const windows = new Map<string, FlagCounts>()
    const staff = new Map<string, FlagCounts>()
    const add = (m: Map<string, FlagCounts>, key: string, kind: FlagKind, n: number) => {
      let c = m.get(key)
      if (!c) m.set(key, (c = emptyCounts()))
      c[kind] += n
      c.total += n
    }
    for (const g of groups) {
      const kind = g.kind as FlagKind
      if (!(kind in total)) continue
      const n = g._count._all
      total[kind] += n
      total.total += n
      add(windows, g.windowId ?? '', kind, n)
      add(staff, g.staffNo ?? '', kind, n)
    }
    return { total, windows, staff }
  }

  /** Counts per kind for each of these halls (the caller has checked they may be seen). */
  async hallCounts(hallIds: string[], days: { from: string; to: string }) {
    const groups = await this.db.ratingFlag.groupBy({
      by: ['hallId', 'kind'],
      where: { hallId: { in: hallIds }, day: { gte: days.from, lte: days.to } },
      _count: { _all: true },
    })
    const out = new Map(hallIds.map((id) => [id, emptyCounts()]))
    for (const g of groups) {
      const c = out.get(g.hallId)
      const kind = g.kind as FlagKind
      if (!c || !(kind in c)) continue
      c[kind] += g._count._all
      c.total += g._count._all
    }
    return out
  }

  /** Flags, newest day first, cursor paged, each with the rating it is on (or the event). */
  async list(p: Principal, f: FlagFilters & { limit: number; cursor?: string }) {
    const rows = await this.db.ratingFlag.findMany({
      where: this.where(p, f),
      include: {
        rating: { select: { ratingId: true, seq: true, level: true, class: true, occurredAt: true } },
      },
      orderBy: [{ day: 'desc' }, { createdAt: 'desc' }, { id: 'desc' }],
      take: f.limit + 1,
      ...(f.cursor ? { cursor: { id: f.cursor }, skip: 1 } : {}),
    })
    const page = rows.slice(0, f.limit)
    return {
      items: page.map((r) => ({
        id: r.id,
        kind: r.kind as FlagKind,
        day: r.day,
        hallId: r.hallId,
        windowId: r.windowId,
        staffNo: r.staffNo,
        deviceId: r.deviceId,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
        createdAt: r.createdAt.toISOString(),
        /** Rating.id (as in GET /ratings), or null for a flag on a pad event. */
        ratingId: r.ratingId,
        rating: r.rating
          ? {
              padRatingId: r.rating.ratingId,
              seq: r.rating.seq,
              level: r.rating.level,
              class: r.rating.class,
              occurredAt: r.rating.occurredAt.toISOString(),
            }
          : null,
        /** PadEventRecord.id, for a noPrompt flag. */
        eventId: r.eventId,
      })),
      nextCursor: rows.length > f.limit ? page[page.length - 1].id : null,
    }
  }
}
