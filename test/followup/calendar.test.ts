// Working days and due dates against the State Council's notices (the built-in 2025 and 2026), by
// hand: public holidays, make-up working days (调休上班) and the hall's time zone at day boundaries.
import { describe, expect, it } from 'vitest'
import { BUILT_IN_YEARS, checkCalendarYear, WorkCalendar } from '../../server/followup/calendar.ts'
import { deadline, DEFAULT_DUE_POLICY } from '../../server/followup/due.ts'
import { localDayHour } from '../../server/reports/local-time.ts'
import { transition, allowedActions } from '../../server/followup/states.ts'

const cal = WorkCalendar.of()
const BJ = 'Asia/Shanghai'

/** Callback, simple and complex rectification due days of a 差评 received at `at` in `zone`. */
function dues(at: string, zone = BJ, calendar = cal) {
  const day = localDayHour(new Date(at), zone).day
  const { callbackDays, simpleRectifyDays, complexRectifyDays } = DEFAULT_DUE_POLICY
  return {
    day,
    callback: deadline(calendar, day, callbackDays, zone),
    simple: deadline(calendar, day, simpleRectifyDays, zone).day,
    complex: deadline(calendar, day, complexRectifyDays, zone).day,
  }
}

describe('working-day calendar', () => {
  it('ships 2025 and 2026 with their sources', () => {
    expect([...BUILT_IN_YEARS.keys()]).toEqual([2025, 2026])
    expect(BUILT_IN_YEARS.get(2025)!.source).toMatch(/国办发明电〔2024〕12号/)
    expect(cal.knows(2026)).toBe(true)
    expect(cal.knows(2027)).toBe(false)
  })

  it('knows weekends, holidays and make-up working days', () => {
    expect(cal.isWorkingDay('2026-02-14')).toBe(true) // Saturday, 调休上班
    expect(cal.isWorkingDay('2026-02-16')).toBe(false) // Monday, 春节
    expect(cal.isWorkingDay('2026-02-28')).toBe(true) // Saturday, 调休上班
    expect(cal.isWorkingDay('2026-03-01')).toBe(false) // Sunday
    expect(cal.isWorkingDay('2025-09-28')).toBe(true) // Sunday, 调休上班
    expect(cal.isWorkingDay('2026-10-08')).toBe(true) // Thursday after 国庆
    expect(cal.isWorkingDay('2026-10-07')).toBe(false)
  })

  it('puts a 差评 on 2026-09-30 evening Beijing time across 国庆 and the 10-10 make-up Saturday', () => {
    const d = dues('2026-09-30T20:00:00+08:00')
    expect(d.day).toBe('2026-09-30')
    // 10-01..10-07 off: the next working day is Thursday 10-08, ending at midnight Beijing time.
    expect(d.callback.day).toBe('2026-10-08')
    expect(d.callback.at.toISOString()).toBe('2026-10-08T16:00:00.000Z')
    // 10-08, 10-09, 10-10 (Saturday, worked), 10-12, 10-13.
    expect(d.simple).toBe('2026-10-13')
    // … 10-14, 15, 16, 19, 20, 21, 22, 23, 26, 27.
    expect(d.complex).toBe('2026-10-27')
  })

  it('counts the 春节 make-up Saturdays 2026-02-14 and 2026-02-28', () => {
    const fri = dues('2026-02-13T16:00:00+08:00')
    expect(fri.callback.day).toBe('2026-02-14') // Friday's next working day is the make-up Saturday
    expect(fri.simple).toBe('2026-02-27') // 02-14, then 02-24, 25, 26, 27 after the holiday
    expect(fri.complex).toBe('2026-03-12') // 02-28 (Saturday, worked), 03-02..06, 03-09..12
    expect(dues('2026-02-14T10:00:00+08:00').callback.day).toBe('2026-02-24') // received on it
    expect(dues('2026-02-27T10:00:00+08:00').callback.day).toBe('2026-02-28')
    expect(dues('2026-02-28T10:00:00+08:00').callback.day).toBe('2026-03-02')
  })

  it('counts the 2025-09-28 make-up Sunday and the eight days of 国庆/中秋 2025', () => {
    expect(dues('2025-09-26T11:00:00+08:00').callback.day).toBe('2025-09-28') // Friday → Sunday
    expect(dues('2025-09-27T11:00:00+08:00').callback.day).toBe('2025-09-28') // Saturday → Sunday
    expect(dues('2025-09-28T11:00:00+08:00').callback.day).toBe('2025-09-29')
    expect(dues('2025-09-30T11:00:00+08:00').callback.day).toBe('2025-10-09') // 10-01..10-08 off
    expect(dues('2025-09-30T11:00:00+08:00').simple).toBe('2025-10-14') // 10-09, 10, 11 (Sat), 13, 14
  })

  it('takes the local day in the hall’s zone at the day boundary, not the UTC day', () => {
    // 00:30 on Friday 10-09 in Beijing is still Thursday 10-08 in UTC.
    const bj = dues('2026-10-08T16:30:00Z')
    expect(bj.day).toBe('2026-10-09')
    expect(bj.callback.day).toBe('2026-10-10') // the make-up Saturday
    expect(bj.callback.at.toISOString()).toBe('2026-10-10T16:00:00.000Z')
    expect(dues('2026-10-08T16:30:00Z', 'UTC').callback.day).toBe('2026-10-09')
    // New York, Thursday 23:30 (Friday in UTC): due Friday, ending at New York midnight.
    const ny = dues('2026-03-06T04:30:00Z', 'America/New_York')
    expect(ny.day).toBe('2026-03-05')
    expect(ny.callback.day).toBe('2026-03-06')
    expect(ny.callback.at.toISOString()).toBe('2026-03-07T05:00:00.000Z')
    // Across the DST change (03-08): the deadline day ends at EDT midnight.
    expect(dues('2026-03-06T15:00:00Z', 'America/New_York').callback.at.toISOString()).toBe(
      '2026-03-10T04:00:00.000Z',
    )
  })

  it('counts weekends only in a year nobody configured, and a configured year replaces that', () => {
    expect(dues('2026-12-31T10:00:00+08:00').callback.day).toBe('2027-01-01')
    expect(dues('2027-02-05T10:00:00+08:00').callback.day).toBe('2027-02-08')
    const with2027 = WorkCalendar.of([
      {
        year: 2027,
        off: ['2027-01-01', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12'],
        work: ['2027-02-20'],
        source: 'test',
      },
    ])
    expect(dues('2026-12-31T10:00:00+08:00', BJ, with2027).callback.day).toBe('2027-01-04')
    expect(dues('2027-02-05T10:00:00+08:00', BJ, with2027).callback.day).toBe('2027-02-15')
    expect(with2027.isWorkingDay('2027-02-20')).toBe(true)
  })

  it('checks a year before storing it, naming the entry', () => {
    expect(checkCalendarYear(2027, ['2027-01-01'], ['2027-02-20'])).toEqual([])
    expect(
      checkCalendarYear(2027, ['2026-12-31', '2027-02-30', '2027-01-02'], ['2027-02-10', '2027-01-02']),
    ).toEqual([
      ['off.0', '2026-12-31 is not in 2027'],
      ['off.1', '2027-02-30 is not a date YYYY-MM-DD'],
      ['work.0', '2027-02-10 is a weekday; make-up working days (调休上班) are weekend days'],
      ['work.1', '2027-01-02 is also listed in off.2'],
    ])
  })
})

describe('follow-up states', () => {
  it('walks the loop and says why a step is not allowed', () => {
    expect(transition('pending_callback', 'callback')).toEqual({ ok: true, to: 'called_back' })
    expect(transition('rectified', 'feedback')).toEqual({ ok: true, to: 'closed' })
    expect(transition('appealed', 'review', { decision: 'rejected', resume: 'called_back' })).toEqual({
      ok: true,
      to: 'called_back',
    })
    expect(transition('appealed', 'review', { decision: 'upheld', resume: 'called_back' })).toEqual({
      ok: true,
      to: 'voided',
    })
    const no = transition('pending_callback', 'rectify')
    expect(no.ok).toBe(false)
    expect(!no.ok && no.message).toBe(
      'cannot 整改完成 (rectify) a case in state 待回访 (pending_callback): 整改完成 (rectify) is allowed from 整改中 (rectifying); this case can now take 回访 (callback), 申诉 (appeal)',
    )
    expect(allowedActions('closed')).toEqual([])
    expect(allowedActions('rectified')).toEqual(['feedback'])
  })
})
