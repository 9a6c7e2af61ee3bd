// Due dates of a 差评 case: working days counted from the local day the 差评 was received, in the
// hall's time zone, each deadline ending when its last day ends there.
import type { Db } from '../db/client.ts'
import { dayStart, addDays, type Day } from '../reports/local-time.ts'
import type { Tx } from '../reports/rollups.ts'
import { WorkCalendar, type CalendarYear } from './calendar.ts'
import type { RectifyKind } from './states.ts'

export interface DuePolicy {
  /** 回访: the same or next working day. */
  callbackDays: number
  /** 简单整改 */
  simpleRectifyDays: number
  /** Every other 整改 */
  complexRectifyDays: number
}
export const DEFAULT_DUE_POLICY: DuePolicy = { callbackDays: 1, simpleRectifyDays: 5, complexRectifyDays: 15 }

export interface Deadline {
  /** Last local day, inclusive. */
  day: Day
  /** The instant that day ends in the hall's zone (exclusive). */
  at: Date
}

export function deadline(calendar: WorkCalendar, from: Day, days: number, timeZone: string): Deadline {
  const day = calendar.addWorkingDays(from, days)
  return { day, at: dayStart(addDays(day, 1), timeZone) }
}

export function rectifyDays(policy: DuePolicy, kind: RectifyKind): number {
  return kind === 'simple' ? policy.simpleRectifyDays : policy.complexRectifyDays
}

/** What due dates of a hall are computed with. */
export interface HallRules {
  hallId: string
  timeZone: string
  policy: DuePolicy
  calendar: WorkCalendar
}

export function parseYear(row: {
  year: number
  off: string
  work: string
  source: string | null
}): CalendarYear {
  return { year: row.year, off: JSON.parse(row.off), work: JSON.parse(row.work), source: row.source }
}

/** Time zone, due policy and working-day calendar of each hall, read in three small queries. */
export async function loadRules(db: Tx | Db, hallIds: string[]): Promise<Map<string, HallRules>> {
  const ids = [...new Set(hallIds)]
  if (!ids.length) return new Map()
  // One after another: inside an interactive transaction the queries share one connection.
  const halls = await db.hall.findMany({ where: { id: { in: ids } }, select: { id: true, timeZone: true } })
  const policies = await db.followupPolicy.findMany({ where: { hallId: { in: ids } } })
  const years = await db.workCalendarYear.findMany({ where: { hallId: { in: ['', ...ids] } } })
  const shared = years.filter((y) => y.hallId === '').map(parseYear)
  const out = new Map<string, HallRules>()
  for (const h of halls) {
    const p = policies.find((x) => x.hallId === h.id)
    out.set(h.id, {
      hallId: h.id,
      timeZone: h.timeZone,
      policy: p
        ? {
            callbackDays: p.callbackDays,
            simpleRectifyDays: p.simpleRectifyDays,
            complexRectifyDays: p.complexRectifyDays,
          }
        : DEFAULT_DUE_POLICY,
      calendar: WorkCalendar.of(shared, years.filter((y) => y.hallId === h.id).map(parseYear)),
    })
  }
  return out
}
