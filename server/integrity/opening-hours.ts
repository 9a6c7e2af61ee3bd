// outsideHours: a rating at a time the hall is closed, by the hall's opening hours (Hall.openingHours,
// the same list the pads get in their config) in the hall's time zone. No hours means always open.
import type { OpeningHours } from '../../protocol/index.ts'
import { addDays, localDateTime, toEpochDay, weekday } from '../reports/local-time.ts'
import type { Finding } from './kinds.ts'

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/**
 * Whether local minute m of `day` falls in the hours, each widened by grace minutes. Hours whose
 * close is not after their open run past midnight into the next day.
 */
function open(hours: OpeningHours, day: string, m: number, grace: number): boolean {
  const t = toEpochDay(day) * 1440 + m
  for (const d of [addDays(day, -1), day, addDays(day, 1)]) {
    const base = toEpochDay(d) * 1440
    for (const h of hours) {
      if (h.day !== weekday(d)) continue
      const o = minutes(h.open)
      const c = minutes(h.close) + (minutes(h.close) <= o ? 1440 : 0)
      if (t >= base + o - grace && t < base + c + grace) return true
    }
  }
  return false
}

export function outsideHours(
  at: Date,
  timeZone: string,
  hours: OpeningHours,
  graceMinutes: number,
): Finding | null {
  if (!hours.length) return null
  const local = localDateTime(at, timeZone) // 'YYYY-MM-DD HH:mm:ss'
  const day = local.slice(0, 10)
  const m = minutes(local.slice(11, 16))
  return open(hours, day, m, graceMinutes)
    ? null
    : { kind: 'outsideHours', detail: { local: local.slice(0, 16), weekday: weekday(day), graceMinutes } }
}
