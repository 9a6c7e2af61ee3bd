// The 差评 follow-up loop on SQLite and PostgreSQL: cases opened by the real ingest store in its
// transaction, due dates across holidays and the day boundary, every step recorded, appeals voiding
// the rating through the reports, overdue against an injected clock, metrics by hand, hall scope,
// and a new calendar year moving the deadlines it changes.
//
// Hall h1 (Asia/Shanghai): p1 at w1 (S1), p2 at w2 (S2). Hall h2: q1 at x1 (T1). 差评 received:
//   A  p1 S1 2026-09-30 20:00  level 1   happy path; complex rectification, done a day late
//   G  p1 S1 2026-10-09 10:00  level 5   (a 好评: no case)
//   B  p1 S1 2026-10-09 00:30  level 2   (16:30 UTC the day before) appeal upheld → voided
//   C  p2 S2 2026-10-12 10:00  level 1   called back late, appeal rejected, never rectified
//   D  p2 S2 2026-02-13 16:00  level 1   overdue at the end of the make-up Saturday 02-14
//   E  q1 T1 2026-10-12 10:00  level 1   another hall
//   F  p1 S1 2026-12-31 10:00  level 2   due in 2027, before and after the 2027 calendar
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../server/auth/principal.ts'
import type { Database } from '../../server/db/client.ts'
import { HttpError } from '../../server/errors.ts'
import { openMissingCases } from '../../server/followup/cases.ts'
import { FollowupService } from '../../server/followup/service.ts'
import {
  PrismaIngestStore,
  RatingRepository,
  type IncomingRating,
} from '../../server/repositories/ratings.ts'
import { ReportService } from '../../server/reports/service.ts'
import { sampleRating, sampleTransaction } from '../fixtures/messages.ts'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'

const admin: Principal = { tokenId: 't-admin', name: '督查室', role: 'admin', halls: 'all' }
const manager1: Principal = { tokenId: 't-m1', name: '张主任', role: 'manager', halls: ['h1'] }
const manager2: Principal = { tokenId: 't-m2', name: '李主任', role: 'manager', halls: ['h2'] }
const viewer: Principal = { tokenId: 't-v', name: '只读', role: 'viewer', halls: 'all' }

/** A rating pressed 2 s before the server received it at `local` Beijing time. */
function rating(pad: string, local: string, level: number, staffNo: string): IncomingRating {
  const received = new Date(`${local}+08:00`)
  const pressed = new Date(received.getTime() - 2000).toISOString()
  return {
    deviceId: pad,
    rating: sampleRating({
      id: `r-${randomUUID()}`,
      key: 6 - level,
      reasons: level <= 2 ? ['attitude'] : undefined,
      transaction: sampleTransaction({ id: `T-${randomUUID().slice(0, 8)}`, staffNo }),
      staffNo,
      promptedAt: pressed,
      pressedAt: pressed,
    }),
    receivedAt: received,
  }
}

async function rejects(p: Promise<unknown>, status: number): Promise<string> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError)
    expect((e as HttpError).statusCode).toBe(status)
    return (e as HttpError).message
  }
  throw new Error(`expected ${status}`)
}

describe.each(DATABASES)('差评 follow-up on %s', (_name, make) => {
  let tdb: TestDatabase
  let db: Database
  let store: PrismaIngestStore
  let clock = new Date('2026-10-01T00:00:00Z')
  let followups: FollowupService
  const cases: Record<string, string> = {}
  const ratings: Record<string, IncomingRating> = {}

  const caseOf = async (r: IncomingRating) =>
    db.prisma.followupCase.findUniqueOrThrow({ where: { ratingId: (await ratingRow(r)).id } })
  const ratingRow = (r: IncomingRating) =>
    db.prisma.rating.findUniqueOrThrow({
      where: { deviceId_ratingId: { deviceId: r.deviceId, ratingId: r.rating.id } },
    })
  const at = (iso: string) => (clock = new Date(iso))

  beforeAll(async () => {
    tdb = await make()
    db = await tdb.open()
    const p = db.prisma
    for (const id of ['h1', 'h2']) await p.hall.create({ data: { id, name: `大厅${id}`, reasons: '[]' } })
    for (const [id, hallId] of [
      ['w1', 'h1'],
      ['w2', 'h1'],
      ['x1', 'h2'],
    ])
      await p.window.create({ data: { id, hallId, name: `${id}号窗口` } })
    for (const [staffNo, hallId, name] of [
      ['S1', 'h1', '张敏'],
      ['S2', 'h1', '李强'],
      ['T1', 'h2', '王芳'],
    ])
      await p.staff.create({ data: { id: staffNo, staffNo, hallId, name } })
    for (const [id, hallId, windowId] of [
      ['p1', 'h1', 'w1'],
      ['p2', 'h1', 'w2'],
      ['q1', 'h2', 'x1'],
    ])
      await p.device.create({ data: { id, hallId, windowId, secretHash: 'x' } })
    store = new PrismaIngestStore(p)
    followups = new FollowupService(p, () => clock)
    Object.assign(ratings, {
      A: rating('p1', '2026-09-30T20:00:00', 1, 'S1'),
      G: rating('p1', '2026-10-09T10:00:00', 5, 'S1'),
      B: rating('p1', '2026-10-09T00:30:00', 2, 'S1'),
      C: rating('p2', '2026-10-12T10:00:00', 1, 'S2'),
      D: rating('p2', '2026-02-13T16:00:00', 1, 'S2'),
      E: rating('q1', '2026-10-12T10:00:00', 1, 'T1'),
    })
    await store.commitBatch([ratings.A, ratings.G, ratings.B], [], [])
    await store.commitBatch([ratings.C, ratings.D, ratings.E, ratings.B], [], []) // B again: a resend
    for (const k of ['A', 'B', 'C', 'D', 'E']) cases[k] = (await caseOf(ratings[k])).id
  })
  afterAll(async () => {
    await db?.close()
    await tdb?.drop()
  })

  it('opens one case per 差评 in the ingest transaction, with due dates in working days', async () => {
    expect(await db.prisma.followupCase.count()).toBe(5) // no case for the 好评, none twice for B
    const a = await followups.get(admin, cases.A)
    expect(a).toMatchObject({
      hallId: 'h1',
      windowId: 'w1',
      staffNo: 'S1',
      level: 1,
      levelLabel: '非常不满意',
      reasons: ['attitude'],
      ratedDay: '2026-09-30',
      openedDay: '2026-09-30',
      state: 'pending_callback',
      stateLabel: '待回访',
      // 10-01..10-07 off: the next working day is Thursday 10-08; five: 10-08, 09, 10 (Sat), 12, 13.
      callback: { dueDay: '2026-10-08', dueAt: '2026-10-08T16:00:00.000Z', doneAt: null, overdue: false },
      rectify: { kind: 'simple', dueDay: '2026-10-13', doneAt: null },
      dueAt: '2026-10-08T16:00:00.000Z',
      overdue: false,
      allowedActions: [
        { action: 'callback', label: '回访' },
        { action: 'appeal', label: '申诉' },
      ],
    })
    expect(a.steps).toEqual([
      expect.objectContaining({ seq: 0, action: 'open', toState: 'pending_callback', by: 'system' }),
    ])
    // B was received at 00:30 on Friday 10-09 in Beijing (Thursday in UTC): due the make-up Saturday.
    const b = await followups.get(admin, cases.B)
    expect([b.ratedDay, b.openedDay, b.callback.dueDay]).toEqual(['2026-10-09', '2026-10-09', '2026-10-10'])
    const d = await followups.get(admin, cases.D)
    expect([d.callback.dueDay, d.rectify.dueDay]).toEqual(['2026-02-14', '2026-02-27'])
  })

  it('walks the whole loop, recording who, when and a note at each step', async () => {
    at('2026-10-08T02:00:00Z')
    await followups.act(manager1, cases.A, { action: 'callback', note: '已电话联系群众，致歉' })
    at('2026-10-08T03:00:00Z')
    const started = await followups.act(manager1, cases.A, {
      action: 'start_rectify',
      note: '涉及流程调整，按复杂整改',
      kind: 'complex',
    })
    // Fifteen working days from 09-30: … 10-26, 10-27.
    expect(started.rectify).toMatchObject({ kind: 'complex', kindLabel: '复杂整改', dueDay: '2026-10-27' })
    expect(started.dueAt).toBe('2026-10-27T16:00:00.000Z')
    at('2026-10-28T01:00:00Z') // 09:00 on 10-28 in Beijing: a day late
    await followups.act(admin, cases.A, { action: 'rectify', note: '窗口已增设引导员' })
    at('2026-10-29T01:00:00Z')
    const closed = await followups.act(admin, cases.A, { action: 'feedback', note: '已向群众反馈整改结果' })
    expect(closed).toMatchObject({
      state: 'closed',
      stateLabel: '已反馈',
      callback: { doneAt: '2026-10-08T02:00:00.000Z', onTime: true, overdue: false },
      rectify: { doneAt: '2026-10-28T01:00:00.000Z', onTime: false, overdue: false },
      closedAt: '2026-10-29T01:00:00.000Z',
      dueAt: null,
      overdue: false,
      allowedActions: [],
    })
    expect(closed.steps.map((s) => [s.seq, s.action, s.fromState, s.toState, s.by, s.at, s.note])).toEqual([
      [0, 'open', null, 'pending_callback', 'system', '2026-09-30T12:00:00.000Z', expect.any(String)],
      [
        1,
        'callback',
        'pending_callback',
        'called_back',
        '张主任',
        '2026-10-08T02:00:00.000Z',
        '已电话联系群众，致歉',
      ],
      [
        2,
        'start_rectify',
        'called_back',
        'rectifying',
        '张主任',
        '2026-10-08T03:00:00.000Z',
        '涉及流程调整，按复杂整改',
      ],
      [3, 'rectify', 'rectifying', 'rectified', '督查室', '2026-10-28T01:00:00.000Z', '窗口已增设引导员'],
      [4, 'feedback', 'rectified', 'closed', '督查室', '2026-10-29T01:00:00.000Z', '已向群众反馈整改结果'],
    ])
    expect(closed.steps[1].byTokenId).toBe('t-m1')
  })

  it('answers 409 with a clear message to a step the state does not allow', async () => {
    const msg = await rejects(followups.act(admin, cases.A, { action: 'callback', note: 'x' }), 409)
    expect(msg).toBe(
      'cannot 回访 (callback) a case in state 已反馈 (closed): 回访 (callback) is allowed from 待回访 (pending_callback); this case is finished',
    )
    await rejects(followups.act(admin, cases.C, { action: 'feedback', note: 'x' }), 409)
    await rejects(followups.act(admin, cases.C, { action: 'review', note: 'x', decision: 'upheld' }), 409)
    expect((await followups.get(admin, cases.C)).steps).toHaveLength(1) // nothing recorded
  })

  it('voids the rating when an appeal is upheld: 满意率 changes, the rating stays, the decision is recorded', async () => {
    const reports = new ReportService(db.prisma, () => clock)
    const day = { hallId: 'h1', period: 'day' as const, date: '2026-10-09' }
    const before = await reports.summary(admin, day)
    expect(before.metrics).toMatchObject({ rated: 2, good: 1, bad: 1, satisfaction: 0.5, voided: 0 })
    const raw = await ratingRow(ratings.B)

    at('2026-10-09T03:00:00Z')
    const appealed = await followups.act(manager1, cases.B, {
      action: 'appeal',
      note: '工作人员申诉：群众误按，监控可证',
    })
    expect(appealed).toMatchObject({
      state: 'appealed',
      stateLabel: '申诉中',
      resumeState: 'pending_callback',
    })
    at('2026-10-09T06:00:00Z')
    const voided = await followups.act(admin, cases.B, {
      action: 'review',
      decision: 'upheld',
      note: '经复核监控录像，属误按，评价作废',
    })
    expect(voided).toMatchObject({
      state: 'voided',
      voidedAt: '2026-10-09T06:00:00.000Z',
      dueAt: null,
      allowedActions: [],
      voidDecision: {
        decidedAt: '2026-10-09T06:00:00.000Z',
        decidedBy: '督查室',
        reason: '经复核监控录像，属误按，评价作废',
        caseId: cases.B,
      },
    })
    expect(voided.steps.at(-1)).toMatchObject({
      action: 'review',
      decision: 'upheld',
      decisionLabel: '申诉成立',
      toState: 'voided',
      by: '督查室',
    })
    const after = await reports.summary(admin, day)
    expect(after.metrics).toMatchObject({ rated: 1, good: 1, bad: 0, satisfaction: 1, voided: 1 })
    // The rating itself is untouched, and shows as voided with the decision.
    expect(await ratingRow(ratings.B)).toEqual(raw)
    const listed = await new RatingRepository(db.prisma).list(admin, {
      hallId: 'h1',
      days: { from: '2026-10-09', to: '2026-10-09' },
      limit: 10,
    })
    expect(listed.items.find((r) => r.id === raw.id)?.voided).toMatchObject({
      decidedBy: '督查室',
      caseId: cases.B,
    })
  })

  it('goes on with the case when an appeal is rejected', async () => {
    at('2026-10-14T02:00:00Z') // the callback was due by the end of 10-13: late
    await followups.act(manager1, cases.C, { action: 'callback', note: '联系上群众' })
    await followups.act(manager1, cases.C, { action: 'appeal', note: '申诉：群众所述不实' })
    const rejected = await followups.act(admin, cases.C, {
      action: 'review',
      decision: 'rejected',
      note: '复核：证据不足，驳回申诉',
    })
    expect(rejected).toMatchObject({
      state: 'called_back',
      resumeState: null,
      callback: { onTime: false },
      voidDecision: null,
      allowedActions: [
        { action: 'start_rectify', label: '开始整改' },
        { action: 'appeal', label: '申诉' },
      ],
    })
    expect(rejected.steps.at(-1)).toMatchObject({ decision: 'rejected', decisionLabel: '申诉驳回' })
    expect(await db.prisma.ratingVoid.count({ where: { ratingId: rejected.ratingId } })).toBe(0)
  })

  it('flags overdue cases against the clock and lists them by due date', async () => {
    at('2026-02-14T15:59:59Z') // 23:59:59 on the make-up Saturday, D's callback day
    expect((await followups.get(admin, cases.D)).overdue).toBe(false)
    expect((await followups.list(admin, { hallId: 'h1', overdue: true, limit: 10, offset: 0 })).total).toBe(0)
    at('2026-02-14T16:00:00Z')
    const d = await followups.get(admin, cases.D)
    expect(d).toMatchObject({ overdue: true, callback: { overdue: true }, rectify: { overdue: false } })
    const overdue = await followups.list(admin, { hallId: 'h1', overdue: true, limit: 10, offset: 0 })
    expect(overdue.items.map((c) => c.id)).toEqual([cases.D])

    at('2026-11-20T00:00:00Z')
    const all = await followups.list(admin, { hallId: 'h1', limit: 10, offset: 0 })
    // Deadlines still to meet first, soonest first (D's callback 02-14, C's rectification 10-19),
    // then the finished cases.
    expect(all.items.map((c) => [c.id, c.dueAt, c.overdue])).toEqual([
      [cases.D, '2026-02-14T16:00:00.000Z', true],
      [cases.C, '2026-10-19T16:00:00.000Z', true],
      [cases.A, null, false],
      [cases.B, null, false],
    ])
    const page = await followups.list(admin, { hallId: 'h1', limit: 1, offset: 1 })
    expect([page.total, page.items[0].id, page.nextOffset]).toEqual([4, cases.C, 2])
    const called = await followups.list(admin, {
      state: ['called_back'],
      overdue: true,
      limit: 10,
      offset: 0,
    })
    expect(called.items.map((c) => c.id)).toEqual([cases.C])
    const notOverdue = await followups.list(admin, { hallId: 'h1', overdue: false, limit: 10, offset: 0 })
    expect(notOverdue.items.map((c) => c.id).sort()).toEqual([cases.A, cases.B].sort())
  })

  it('computes 回访率, 整改率 and the on-time rate by hand', async () => {
    at('2026-11-20T00:00:00Z')
    const q = { hallId: 'h1', period: 'custom' as const, from: '2026-10-01', to: '2026-10-31' }
    const total = await followups.metrics(admin, { ...q, groupBy: 'none' })
    // Deadlines in October: A's callback (met) and rectification (late); C's callback (late) and
    // rectification (missed). B is voided; D and F are not in October; E is another hall.
    expect(total.totals).toEqual({
      opened: 2, // B and C were rated in October (A on 09-30)
      voided: 1,
      open: 1,
      overdue: 1,
      callbacksDue: 2,
      calledBackOnTime: 1,
      calledBack: 2,
      rectificationsDue: 2,
      rectified: 1,
      rectifiedOnTime: 0,
      callbackRate: 0.5,
      rectifyRate: 0.5,
      onTimeRate: 0.25,
    })
    const staff = await followups.metrics(admin, { ...q, groupBy: 'staff' })
    expect(
      staff.rows.map((r) => [
        r.staffNo,
        r.name,
        r.metrics.callbackRate,
        r.metrics.rectifyRate,
        r.metrics.opened,
      ]),
    ).toEqual([
      ['S1', '张敏', 1, 1, 1],
      ['S2', '李强', 0, 0, 1],
    ])
    const windows = await followups.metrics(admin, { ...q, groupBy: 'window' })
    expect(windows.rows.map((r) => [r.windowId, r.name, r.metrics.onTimeRate])).toEqual([
      ['w1', 'w1号窗口', 0.5],
      ['w2', 'w2号窗口', 0],
    ])
    const halls = await followups.metrics(admin, { period: 'month', date: '2026-10-01', groupBy: 'hall' })
    expect(halls.rows.map((r) => [r.hallId, r.metrics.opened, r.metrics.callbacksDue])).toEqual([
      ['h1', 2, 2],
      ['h2', 1, 1],
    ])
  })

  it('keeps a hall manager to their halls, and viewers to reading', async () => {
    for (const call of [
      () => followups.get(manager2, cases.A),
      () => followups.list(manager2, { hallId: 'h1', limit: 10, offset: 0 }),
      () => followups.act(manager2, cases.C, { action: 'start_rectify', note: 'x', kind: 'simple' }),
      () => followups.metrics(manager2, { hallId: 'h1', period: 'month', groupBy: 'none' }),
      () => followups.act(viewer, cases.C, { action: 'start_rectify', note: 'x', kind: 'simple' }),
      () =>
        followups.setPolicy(manager2, 'h1', {
          callbackDays: 2,
          simpleRectifyDays: 5,
          complexRectifyDays: 15,
        }),
      () => followups.putYear(manager1, 2027, undefined, { off: [], work: [] }),
    ])
      await rejects(call(), 403)
    const mine = await followups.list(manager2, { limit: 10, offset: 0 })
    expect(mine.items.map((c) => c.id)).toEqual([cases.E])
    expect((await followups.get(viewer, cases.A)).id).toBe(cases.A)
  })

  it('moves 2027 deadlines when the 2027 calendar is added, and uses it for new cases', async () => {
    at('2026-12-31T02:00:00Z')
    const f = rating('p1', '2026-12-31T10:00:00', 2, 'S1')
    await store.commitBatch([f], [], [])
    const before = await caseOf(f)
    expect([before.callbackDueDay, before.rectifyDueDay]).toEqual(['2027-01-01', '2027-01-07']) // weekends only
    expect((await followups.listYears(viewer)).years.map((y) => [y.year, y.origin])).toEqual([
      [2025, 'built-in'],
      [2026, 'built-in'],
    ])

    const stored = await followups.putYear(admin, 2027, undefined, {
      off: ['2027-01-01', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12'],
      work: ['2027-02-20'],
      source: '测试用 2027 年安排',
    })
    expect(stored).toMatchObject({ year: 2027, origin: 'all-halls', updatedBy: '督查室', rescheduled: 1 })
    const moved = await followups.get(admin, before.id)
    expect([moved.callback.dueDay, moved.rectify.dueDay, moved.dueAt]).toEqual([
      '2027-01-04',
      '2027-01-08',
      '2027-01-04T16:00:00.000Z',
    ])
    expect(moved.steps.at(-1)).toMatchObject({
      action: 'reschedule',
      actionLabel: '期限调整',
      by: '督查室',
      note: '2027年工作日历更新：回访期限 2027-01-01 → 2027-01-04；整改期限 2027-01-07 → 2027-01-08',
    })
    // A 差评 on Friday 2027-02-05: the week of 02-08 is off, so 回访 is due Monday 02-15.
    const g = rating('p1', '2027-02-05T10:00:00', 1, 'S1')
    await store.commitBatch([g], [], [])
    expect((await caseOf(g)).callbackDueDay).toBe('2027-02-15')

    // A hall's own year wins over the one for every hall, and its manager may store it.
    await followups.putYear(manager2, 2027, 'h2', { off: [], work: [], source: null })
    const e = rating('q1', '2027-02-05T10:00:00', 1, 'T1')
    await store.commitBatch([e], [], [])
    expect((await caseOf(e)).callbackDueDay).toBe('2027-02-08')
    expect((await followups.getYear(manager2, 2027, 'h2')).origin).toBe('hall')

    const bad = await rejects(
      followups.putYear(admin, 2027, undefined, { off: ['2028-01-01'], work: [] }),
      400,
    )
    expect(bad).toBe('body.off.0: 2028-01-01 is not in 2027')
  })

  it('opens at start the cases of 差评 stored without one, once', async () => {
    const r = rating('p1', '2026-10-15T10:00:00', 1, 'S1')
    // As if stored before follow-up existed: the rating row alone.
    await db.prisma.rating.create({
      data: {
        id: 'legacy-1',
        deviceId: 'p1',
        ratingId: r.rating.id,
        seq: 1,
        hallId: 'h1',
        windowId: 'w1',
        staffNo: 'S1',
        scale: 5,
        key: 5,
        level: 1,
        class: 'bad',
        pressedAt: r.receivedAt,
        receivedAt: r.receivedAt,
        occurredAt: r.receivedAt,
        replayed: false,
        day: '2026-10-15',
        hour: 10,
      },
    })
    expect(await openMissingCases(db.prisma)).toBe(1)
    expect(await openMissingCases(db.prisma)).toBe(0)
    const c = await db.prisma.followupCase.findUniqueOrThrow({ where: { ratingId: 'legacy-1' } })
    expect([c.state, c.callbackDueDay]).toEqual(['pending_callback', '2026-10-16'])
  })

  it('uses a hall’s own due rules for cases opened afterwards', async () => {
    await followups.setPolicy(manager1, 'h1', {
      callbackDays: 2,
      simpleRectifyDays: 3,
      complexRectifyDays: 10,
    })
    const r = rating('p2', '2026-09-30T20:00:00', 1, 'S2')
    await store.commitBatch([r], [], [])
    const c = await caseOf(r)
    expect([c.callbackDueDay, c.rectifyDueDay]).toEqual(['2026-10-09', '2026-10-10'])
    expect(await followups.getPolicy(viewer, 'h1')).toMatchObject({
      callbackDays: 2,
      isDefault: false,
      updatedBy: '张主任',
    })
  })

  it('lets one of two people acting on a case at once win, and tells the other', async () => {
    at('2026-10-12T08:00:00Z')
    const results = await Promise.allSettled([
      followups.act(manager2, cases.E, { action: 'callback', note: '第一人回访' }),
      followups.act(admin, cases.E, { action: 'callback', note: '第二人回访' }),
    ])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect((lost.reason as HttpError).statusCode).toBe(409)
    const steps = (await followups.get(admin, cases.E)).steps
    expect(steps.map((x) => x.action)).toEqual(['open', 'callback'])
  })
})
