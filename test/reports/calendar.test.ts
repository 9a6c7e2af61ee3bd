// Local days in a hall's time zone and report periods: exact at day boundaries and DST changes.
import { describe, expect, it } from 'vitest'
import {
  addMonths,
  dayStart,
  isDay,
  isoWeek,
  localDateTime,
  localDayHour,
  weekday,
} from '../../server/reports/local-time.ts'
import { resolvePeriod } from '../../server/reports/periods.ts'

describe('local day and hour', () => {
  it('puts 23:30 and 00:30 Beijing time on their own local days, though both are the same UTC day', () => {
    expect(localDayHour(new Date('2026-03-02T15:30:00Z'), 'Asia/Shanghai')).toEqual({
      day: '2026-03-02',
      hour: 23,
    })
    expect(localDayHour(new Date('2026-03-02T16:30:00Z'), 'Asia/Shanghai')).toEqual({
      day: '2026-03-03',
      hour: 0,
    })
    expect(localDayHour(new Date('2026-03-02T15:59:59.999Z'), 'Asia/Shanghai').day).toBe('2026-03-02')
    expect(localDayHour(new Date('2026-03-02T16:00:00Z'), 'Asia/Shanghai').day).toBe('2026-03-03')
  })

  it('follows daylight saving time and odd offsets', () => {
    // New York springs forward on 2026-03-08 at 02:00 (UTC−5 → UTC−4).
    expect(localDayHour(new Date('2026-03-08T06:59:00Z'), 'America/New_York')).toEqual({
      day: '2026-03-08',
      hour: 1,
    })
    expect(localDayHour(new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toEqual({
      day: '2026-03-08',
      hour: 3,
    })
    expect(localDayHour(new Date('2026-03-09T03:59:00Z'), 'America/New_York')).toEqual({
      day: '2026-03-08',
      hour: 23,
    })
    expect(localDayHour(new Date('2026-03-09T04:00:00Z'), 'America/New_York')).toEqual({
      day: '2026-03-09',
      hour: 0,
    })
    // Kathmandu is UTC+05:45.
    expect(localDayHour(new Date('2026-03-02T18:14:00Z'), 'Asia/Kathmandu')).toEqual({
      day: '2026-03-02',
      hour: 23,
    })
    expect(localDayHour(new Date('2026-03-02T18:15:00Z'), 'Asia/Kathmandu')).toEqual({
      day: '2026-03-03',
      hour: 0,
    })
  })

  it('agrees with Intl on every minute around a DST change', () => {
    const fmt = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/London',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    })
    for (let t = Date.parse('2026-10-24T22:00:00Z'); t < Date.parse('2026-10-25T04:00:00Z'); t += 60_000) {
      const [day, hour] = fmt.format(t).split(' ')
      expect(localDayHour(t, 'Europe/London')).toEqual({ day, hour: Number(hour) })
    }
  })

  it('finds the first instant of a local day', () => {
    expect(dayStart('2026-03-03', 'Asia/Shanghai').toISOString()).toBe('2026-03-02T16:00:00.000Z')
    expect(dayStart('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z')
    expect(dayStart('2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z')
    expect(localDateTime(new Date('2026-03-02T16:30:05Z'), 'Asia/Shanghai')).toBe('2026-03-03 00:30:05')
  })

  it('does day arithmetic', () => {
    expect(isDay('2026-02-29')).toBe(false)
    expect(isDay('2028-02-29')).toBe(true)
    expect(weekday('2026-03-02')).toBe(1)
    expect(weekday('2026-03-01')).toBe(7)
    expect(isoWeek('2026-01-01')).toBe('2026-W01')
    expect(isoWeek('2027-01-01')).toBe('2026-W53')
    expect(addMonths('2026-11-01', 3)).toBe('2027-02-01')
    expect(addMonths('2026-01-01', -1)).toBe('2025-12-01')
  })
})

describe('periods', () => {
  it('resolves calendar periods and the one before', () => {
    expect(resolvePeriod({ period: 'day', date: '2026-03-01' }, 'x')).toMatchObject({
      from: '2026-03-01',
      to: '2026-03-01',
      previous: { from: '2026-02-28', to: '2026-02-28' },
    })
    expect(resolvePeriod({ period: 'week', date: '2026-03-04' }, 'x')).toMatchObject({
      from: '2026-03-02',
      to: '2026-03-08',
      label: '2026-W10',
      previous: { from: '2026-02-23', to: '2026-03-01', label: '2026-W09' },
    })
    expect(resolvePeriod({ period: 'month', date: '2026-03-31' }, 'x')).toMatchObject({
      from: '2026-03-01',
      to: '2026-03-31',
      days: 31,
      previous: { from: '2026-02-01', to: '2026-02-28', label: '2026-02' },
    })
    expect(resolvePeriod({ period: 'quarter', date: '2026-05-15' }, 'x')).toMatchObject({
      from: '2026-04-01',
      to: '2026-06-30',
      label: '2026-Q2',
      previous: { from: '2026-01-01', to: '2026-03-31', label: '2026-Q1' },
    })
    expect(resolvePeriod({ period: 'year' }, '2026-11-26')).toMatchObject({
      from: '2026-01-01',
      to: '2026-12-31',
      days: 365,
      previous: { from: '2025-01-01', to: '2025-12-31' },
    })
  })

  it('compares a custom period with the same number of days before it', () => {
    // 2026-04-03 ~ 04-07 crosses 清明 (04-04 to 04-06 off): calendar days all the same.
    expect(resolvePeriod({ period: 'custom', from: '2026-04-03', to: '2026-04-07' }, 'x')).toMatchObject({
      days: 5,
      label: '2026-04-03~2026-04-07',
      previous: { from: '2026-03-29', to: '2026-04-02' },
    })
  })
})
