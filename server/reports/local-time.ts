// Local calendar days and hours in a hall's time zone, and plain day arithmetic on 'YYYY-MM-DD'.
// Rollups are keyed by the local day, so everything here must be exact at day boundaries and fast
// enough for the ingest and the 10-million-rating benchmark (Intl is slow: offsets are cached).

/** A local calendar day, 'YYYY-MM-DD'. */
export type Day = string

const DAY_MS = 86_400_000
/** Time-zone offsets change at most once per bucket; each bucket's offset is computed once. */
const BUCKET_MS = 15 * 60_000

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** Offset of the zone from UTC at instant ms (local = utc + offset), exactly, via Intl. */
function exactOffset(timeZone: string, ms: number): number {
  const p: Record<string, number> = {}
  for (const part of formatter(timeZone).formatToParts(new Date(ms)))
    if (part.type !== 'literal') p[part.type] = Number(part.value)
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  return asUtc - Math.floor(ms / 1000) * 1000
}

const bucketCache = new Map<string, Map<number, number | null>>()

/** Offset at ms; cached per 15-minute bucket when the offset is the same at both of its ends. */
export function zoneOffset(timeZone: string, ms: number): number {
  let zone = bucketCache.get(timeZone)
  if (!zone) bucketCache.set(timeZone, (zone = new Map()))
  const bucket = Math.floor(ms / BUCKET_MS)
  let offset = zone.get(bucket)
  if (offset === undefined) {
    const start = exactOffset(timeZone, bucket * BUCKET_MS)
    const end = exactOffset(timeZone, (bucket + 1) * BUCKET_MS - 1000)
    offset = start === end ? start : null // a transition inside: compute each instant exactly
    if (zone.size > 200_000) zone.clear()
    zone.set(bucket, offset)
  }
  return offset ?? exactOffset(timeZone, ms)
}

/** The local day and hour of an instant in a time zone. */
export function localDayHour(at: Date | number, timeZone: string): { day: Day; hour: number } {
  const ms = typeof at === 'number' ? at : at.getTime()
  const local = new Date(ms + zoneOffset(timeZone, ms))
  return { day: local.toISOString().slice(0, 10), hour: local.getUTCHours() }
}

/** 'YYYY-MM-DD HH:mm:ss' in the zone, for exports. */
export function localDateTime(at: Date, timeZone: string): string {
  const ms = at.getTime()
  return new Date(ms + zoneOffset(timeZone, ms)).toISOString().slice(0, 19).replace('T', ' ')
}

/** The first instant of a local day (local midnight, or the first instant after a gap). */
export function dayStart(day: Day, timeZone: string): Date {
  const midnightUtc = toEpochDay(day) * DAY_MS
  let t = midnightUtc - zoneOffset(timeZone, midnightUtc)
  // Once more with the offset at the candidate, which is right unless a transition lies between.
  t = midnightUtc - zoneOffset(timeZone, t)
  if (localDayHour(t, timeZone).day < day) t += 3_600_000 // midnight skipped by a DST gap
  return new Date(t)
}

export function today(timeZone: string, now: Date = new Date()): Day {
  return localDayHour(now, timeZone).day
}

// ---------------------------------------------------------------- day arithmetic (no time zone)

export const DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/

export function isDay(s: string): boolean {
  return DAY_PATTERN.test(s) && fromEpochDay(toEpochDay(s)) === s
}

export function toEpochDay(day: Day): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / DAY_MS
}

export function fromEpochDay(n: number): Day {
  return new Date(n * DAY_MS).toISOString().slice(0, 10)
}

export function addDays(day: Day, n: number): Day {
  return fromEpochDay(toEpochDay(day) + n)
}

/** Days from a to b (b − a). */
export function daysBetween(a: Day, b: Day): number {
  return toEpochDay(b) - toEpochDay(a)
}

/** 1 = Monday … 7 = Sunday, as in opening hours. */
export function weekday(day: Day): number {
  const d = new Date(toEpochDay(day) * DAY_MS).getUTCDay()
  return d === 0 ? 7 : d
}

/** Monday of the ISO week of the day. */
export function weekStart(day: Day): Day {
  return addDays(day, 1 - weekday(day))
}

/** ISO week label, e.g. '2026-W10'. */
export function isoWeek(day: Day): string {
  const thursday = addDays(weekStart(day), 3)
  const year = thursday.slice(0, 4)
  const week = Math.floor(daysBetween(`${year}-01-01`, thursday) / 7) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}

export function monthStart(day: Day): Day {
  return `${day.slice(0, 7)}-01`
}

export function addMonths(day: Day, n: number): Day {
  const y = Number(day.slice(0, 4))
  const m = Number(day.slice(5, 7)) - 1 + n
  return fromEpochDay(Date.UTC(y + Math.floor(m / 12), ((m % 12) + 12) % 12, 1) / DAY_MS)
}

export function quarterStart(day: Day): Day {
  const m = Number(day.slice(5, 7))
  return `${day.slice(0, 4)}-${String(m - ((m - 1) % 3)).padStart(2, '0')}-01`
}

export function yearStart(day: Day): Day {
  return `${day.slice(0, 4)}-01-01`
}

/** Every day from a to b inclusive. */
export function eachDay(from: Day, to: Day): Day[] {
  const out: Day[] = []
  for (let n = toEpochDay(from), end = toEpochDay(to); n <= end; n++) out.push(fromEpochDay(n))
  return out
}
