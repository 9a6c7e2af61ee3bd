// The integrity rules as pure functions: what each one flags, and what it must leave alone.
import { describe, expect, it } from 'vitest'
import { bursts } from '../../server/integrity/burst.ts'
import { clockSkew } from '../../server/integrity/clock-skew.ts'
import { fastPress } from '../../server/integrity/fast-press.ts'
import { outsideHours } from '../../server/integrity/opening-hours.ts'
import { missingBetween } from '../../server/integrity/seq-gaps.ts'

const t = (iso: string) => new Date(iso)

describe('fastPress', () => {
  it('flags a press sooner after its prompt than the threshold, with the reaction time', () => {
    const f = fastPress(
      { promptedAt: t('2026-03-02T01:00:00.000Z'), pressedAt: t('2026-03-02T01:00:00.120Z') },
      500,
    )
    expect(f).toEqual({ kind: 'fastPress', detail: { reactionMs: 120, thresholdMs: 500 } })
  })
  it('flags a press stamped before its prompt', () => {
    const f = fastPress({ promptedAt: t('2026-03-02T01:00:05Z'), pressedAt: t('2026-03-02T01:00:00Z') }, 500)
    expect(f?.detail.reactionMs).toBe(-5000)
  })
  it('leaves a human reaction, one exactly at the threshold, and a rating with no prompt time alone', () => {
    expect(
      fastPress({ promptedAt: t('2026-03-02T01:00:00Z'), pressedAt: t('2026-03-02T01:00:03Z') }, 500),
    ).toBeNull()
    expect(
      fastPress({ promptedAt: t('2026-03-02T01:00:00.000Z'), pressedAt: t('2026-03-02T01:00:00.500Z') }, 500),
    ).toBeNull()
    expect(fastPress({ promptedAt: null, pressedAt: t('2026-03-02T01:00:00Z') }, 500)).toBeNull()
  })
})

describe('burst', () => {
  const at = (id: string, s: number) => ({
    id,
    pressedAt: new Date(Date.UTC(2026, 2, 2, 1, 0, 0) + s * 1000),
  })
  it('flags every press of a run of count presses within the window, with the run size', () => {
    const presses = [at('a', 0), at('b', 2), at('c', 4), at('d', 6), at('e', 8), at('f', 600)]
    expect([...bursts(presses, 5, 10_000)]).toEqual([
      ['a', 5],
      ['b', 5],
      ['c', 5],
      ['d', 5],
      ['e', 5],
    ])
  })
  it('does not flag the same presses spread over minutes, nor four in a burst of five', () => {
    const spread = [0, 60, 120, 180, 240, 300].map((s, i) => at(`r${i}`, s))
    expect(bursts(spread, 5, 10_000).size).toBe(0)
    expect(bursts([at('a', 0), at('b', 1), at('c', 2), at('d', 3)], 5, 10_000).size).toBe(0)
  })
  it('reads pad times in any order, and the span must be shorter than the window', () => {
    const edge = [at('e', 10), at('a', 0), at('c', 5), at('b', 2), at('d', 7)]
    expect(bursts(edge, 5, 10_000).size).toBe(0) // 0 s … 10 s spans the whole window
    expect(bursts(edge, 5, 10_001).size).toBe(5)
  })
  it('gives each press the largest run it belongs to', () => {
    const presses = [0, 1, 2, 3, 4, 5, 6].map((s, i) => at(`r${i}`, s))
    expect(new Set(bursts(presses, 5, 10_000).values())).toEqual(new Set([7]))
  })
})

describe('clockSkew', () => {
  const press = { pressedAt: t('2026-03-03T01:00:00Z'), receivedAt: t('2026-03-02T01:00:01Z') }
  it('flags a pad whose birth showed a skew beyond the threshold, either way', () => {
    expect(clockSkew(press, 86_400_000, 300_000)?.detail).toEqual({
      skewMs: 86_400_000,
      source: 'birth',
      thresholdMs: 300_000,
    })
    expect(clockSkew(press, -86_400_000, 300_000)?.kind).toBe('clockSkew')
  })
  it('leaves a pad within the threshold alone, whatever its press times', () => {
    expect(clockSkew(press, 2_000, 300_000)).toBeNull()
  })
  it('with no birth, flags a press stamped well after the server received it', () => {
    expect(clockSkew(press, null, 300_000)?.detail.source).toBe('receipt')
    expect(
      clockSkew(
        { pressedAt: t('2026-03-02T01:00:00Z'), receivedAt: t('2026-03-02T09:00:00Z') },
        null,
        300_000,
      ),
    ).toBeNull() // an old press sent from an outbox is not skew
  })
})

describe('outsideHours', () => {
  // Monday to Friday 09:00–17:00, Saturday 09:00–12:00, in Beijing time (UTC+8).
  const hours = [1, 2, 3, 4, 5]
    .map((day) => ({ day, open: '09:00', close: '17:00' }))
    .concat([{ day: 6, open: '09:00', close: '12:00' }])
  const bj = (local: string) => new Date(`${local}+08:00`)
  it('leaves ratings within the hours, and within the grace after closing, alone', () => {
    expect(outsideHours(bj('2026-03-02T09:00:00'), 'Asia/Shanghai', hours, 0)).toBeNull() // Monday
    expect(outsideHours(bj('2026-03-02T16:59:00'), 'Asia/Shanghai', hours, 0)).toBeNull()
    expect(outsideHours(bj('2026-03-02T17:20:00'), 'Asia/Shanghai', hours, 30)).toBeNull()
    expect(outsideHours(bj('2026-03-07T11:00:00'), 'Asia/Shanghai', hours, 0)).toBeNull() // Saturday
  })
  it('flags a rating at night, on a closed day, and past the grace, by the hall’s local time', () => {
    expect(outsideHours(bj('2026-03-02T17:00:00'), 'Asia/Shanghai', hours, 0)?.detail).toEqual({
      local: '2026-03-02 17:00',
      weekday: 1,
      graceMinutes: 0,
    })
    expect(outsideHours(bj('2026-03-02T17:31:00'), 'Asia/Shanghai', hours, 30)).not.toBeNull()
    expect(outsideHours(bj('2026-03-08T10:00:00'), 'Asia/Shanghai', hours, 30)?.detail.weekday).toBe(7) // Sunday
    // 03:00 Tuesday in Beijing is 19:00 Monday UTC: inside Monday's hours by UTC, outside by the hall's clock.
    expect(outsideHours(bj('2026-03-03T03:00:00'), 'Asia/Shanghai', hours, 0)).not.toBeNull()
  })
  it('takes hours past midnight and grace across midnight', () => {
    const night = [{ day: 5, open: '20:00', close: '02:00' }] // Friday night to Saturday 02:00
    expect(outsideHours(bj('2026-03-07T01:30:00'), 'Asia/Shanghai', night, 0)).toBeNull()
    expect(outsideHours(bj('2026-03-07T02:10:00'), 'Asia/Shanghai', night, 0)).not.toBeNull()
    const late = [{ day: 1, open: '09:00', close: '23:50' }]
    expect(outsideHours(bj('2026-03-03T00:10:00'), 'Asia/Shanghai', late, 30)).toBeNull() // Tuesday 00:10
  })
  it('takes no hours as always open', () => {
    expect(outsideHours(bj('2026-03-08T03:00:00'), 'Asia/Shanghai', [], 0)).toBeNull()
  })
})

describe('seq gaps', () => {
  it('lists the missing seqs between two stored ones, capped, with their count', () => {
    expect(missingBetween(4, 7)).toEqual({ missing: [5, 6], count: 2 })
    expect(missingBetween(4, 5)).toEqual({ missing: [], count: 0 })
    const big = missingBetween(0, 1_000_001, 3)
    expect(big).toEqual({ missing: [1, 2, 3], count: 1_000_000 })
  })
})
