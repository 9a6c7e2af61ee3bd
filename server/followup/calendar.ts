// The working-day calendar behind 差评 due dates: Monday to Friday, less public holidays (放假),
// plus the weekend days worked instead (调休上班), year by year as the State Council announces them.
// Built-in years come from cn-public-holidays.json; a year stored in the database (for every hall,
// or for one hall) replaces the built-in one. A year nobody configured counts weekends only.
import { readFileSync } from 'node:fs'
import { addDays, isDay, weekday, type Day } from '../reports/local-time.ts'

export interface CalendarYear {
  year: number
  /** Days off that would otherwise be working days (whole holiday spans may be listed). */
  off: Day[]
  /** Weekend days that are working days (调休上班). */
  work: Day[]
  source: string | null
}

interface HolidayFile {
  sources: Record<string, string>
  years: Record<string, { off: Day[]; work: Day[] }>
}

const file = JSON.parse(
  readFileSync(new URL('./cn-public-holidays.json', import.meta.url), 'utf8'),
) as HolidayFile

/** The years shipped with the server (2025 and 2026, with the notices they come from). */
export const BUILT_IN_YEARS: ReadonlyMap<number, CalendarYear> = new Map(
  Object.entries(file.years).map(([y, v]) => [
    Number(y),
    { year: Number(y), off: v.off, work: v.work, source: file.sources[y] ?? null },
  ]),
)

/** Whatever is wrong with a year's lists, as [field, message] pairs; empty when it is usable. */
export function checkCalendarYear(year: number, off: string[], work: string[]): [string, string][] {
  const problems: [string, string][] = []
  const seen = new Map<string, string>()
  for (const [field, days] of [
    ['off', off],
    ['work', work],
  ] as const)
    days.forEach((d, i) => {
      const where = `${field}.${i}`
      if (!isDay(d)) problems.push([where, `${d} is not a date YYYY-MM-DD`])
      else if (Number(d.slice(0, 4)) !== year) problems.push([where, `${d} is not in ${year}`])
      else if (seen.has(d)) problems.push([where, `${d} is also listed in ${seen.get(d)}`])
      else if (field === 'work' && weekday(d) < 6)
        problems.push([where, `${d} is a weekday; make-up working days (调休上班) are weekend days`])
      if (isDay(d)) seen.set(d, where)
    })
  return problems
}

/** Working days of any number of years; each year the most specific configuration has. */
export class WorkCalendar {
  private readonly off = new Set<Day>()
  private readonly work = new Set<Day>()
  private readonly years: Set<number>

  constructor(years: Iterable<CalendarYear>) {
    this.years = new Set()
    for (const y of years) {
      this.years.add(y.year)
      for (const d of y.off) this.off.add(d)
      for (const d of y.work) this.work.add(d)
    }
  }

  /** The built-in years, replaced year by year by the given ones (later entries win). */
  static of(...overrides: CalendarYear[][]): WorkCalendar {
    const byYear = new Map(BUILT_IN_YEARS)
    for (const list of overrides) for (const y of list) byYear.set(y.year, y)
    return new WorkCalendar(byYear.values())
  }

  /** Whether the year has a configured calendar (otherwise only weekends are days off). */
  knows(year: number): boolean {
    return this.years.has(year)
  }

  isWorkingDay(day: Day): boolean {
    if (this.work.has(day)) return true
    if (this.off.has(day)) return false
    return weekday(day) <= 5
  }

  /**
   * The n-th working day after `day` (n ≥ 1; `day` itself never counts): "within 1 working day"
   * of a 差评 received on a Friday, or on a Saturday, is the end of the next working day.
   */
  addWorkingDays(day: Day, n: number): Day {
    let d = day
    for (let left = n; left > 0;) {
      d = addDays(d, 1)
      if (this.isWorkingDay(d)) left--
    }
    return d
  }
}
