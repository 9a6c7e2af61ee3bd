// Report periods as ranges of local days. A calendar period (day, week, month, quarter, year) is
// compared with the calendar period before it; a custom range with the same number of days before it.
import {
  addDays,
  addMonths,
  daysBetween,
  isoWeek,
  monthStart,
  quarterStart,
  weekStart,
  yearStart,
  type Day,
} from './local-time.ts'

export const PERIOD_KINDS = ['day', 'week', 'month', 'quarter', 'year', 'custom'] as const
export type PeriodKind = (typeof PERIOD_KINDS)[number]

export interface DayRange {
  /** First local day, inclusive. */
  from: Day
  /** Last local day, inclusive. */
  to: Day
}

export interface Period extends DayRange {
  kind: PeriodKind
  /** '2026-03-02', '2026-W10', '2026-03', '2026-Q1', '2026', or '2026-03-01~2026-03-15'. */
  label: string
  days: number
  /** The period before, of the same kind (or the same number of days for a custom range). */
  previous: DayRange & { label: string }
}

export interface PeriodInput {
  period: PeriodKind
  /** Any day inside the period (calendar kinds); default today in the hall's zone. */
  date?: Day
  from?: Day
  to?: Day
}

/** Longest custom range, so one request cannot ask for centuries of days. */
export const MAX_CUSTOM_DAYS = 3 * 366 + 1

function calendar(kind: Exclude<PeriodKind, 'custom'>, date: Day): DayRange & { label: string } {
  switch (kind) {
    case 'day':
      return { from: date, to: date, label: date }
    case 'week': {
      const from = weekStart(date)
      return { from, to: addDays(from, 6), label: isoWeek(date) }
    }
    case 'month': {
      const from = monthStart(date)
      return { from, to: addDays(addMonths(from, 1), -1), label: date.slice(0, 7) }
    }
    case 'quarter': {
      const from = quarterStart(date)
      const q = (Number(from.slice(5, 7)) + 2) / 3
      return { from, to: addDays(addMonths(from, 3), -1), label: `${date.slice(0, 4)}-Q${q}` }
    }
    case 'year': {
      const from = yearStart(date)
      return { from, to: `${date.slice(0, 4)}-12-31`, label: date.slice(0, 4) }
    }
  }
}

/** Resolves the input (already validated by the route schema) against today's local day. */
export function resolvePeriod(input: PeriodInput, todayLocal: Day): Period {
  if (input.period === 'custom') {
    const from = input.from!
    const to = input.to!
    const days = daysBetween(from, to) + 1
    const prevTo = addDays(from, -1)
    const prevFrom = addDays(from, -days)
    return {
      kind: 'custom',
      from,
      to,
      label: `${from}~${to}`,
      days,
      previous: { from: prevFrom, to: prevTo, label: `${prevFrom}~${prevTo}` },
    }
  }
  const date = input.date ?? todayLocal
  const current = calendar(input.period, date)
  const previous = calendar(input.period, addDays(current.from, -1))
  return { kind: input.period, ...current, days: daysBetween(current.from, current.to) + 1, previous }
}
