// The 差评 follow-up loop for managers: cases listed with their due dates and overdue flags, steps
// taken through the state machine (each recorded with who, when and a note), appeals whose upheld
// review voids the rating by a recorded decision, metrics, and the working-day calendar and due
// rules they are computed with. Shared by the follow-up routes and the exports.
import { randomUUID } from 'node:crypto'
import { LEVEL_LABELS, type Level } from '../../protocol/index.ts'
import { assertAdmin, assertCanWrite, assertHall, hallFilter, type Principal } from '../auth/principal.ts'
import type { Db } from '../db/client.ts'
import { badRequest, conflict, HttpError, notFound } from '../errors.ts'
import { today, type Day } from '../reports/local-time.ts'
import { resolvePeriod, type PeriodInput } from '../reports/periods.ts'
import { applyVoid, type Tx } from '../reports/rollups.ts'
import { periodView } from '../reports/service.ts'
import { BUILT_IN_YEARS, checkCalendarYear, type CalendarYear } from './calendar.ts'
import { deadline, DEFAULT_DUE_POLICY, loadRules, parseYear, rectifyDays, type DuePolicy } from './due.ts'
import {
  ACTION_LABELS,
  allowedActions,
  DECISION_LABELS,
  OPEN_STATES,
  RECTIFY_KIND_LABELS,
  STATE_LABELS,
  transition,
  type Decision,
  type RectifyKind,
  type State,
  type StepAction,
} from './states.ts'

type CaseRow = NonNullable<Awaited<ReturnType<Db['followupCase']['findUnique']>>>
type StepRow = NonNullable<Awaited<ReturnType<Db['followupStep']['findUnique']>>>

const iso = (d: Date | null) => d?.toISOString() ?? null
const onTime = (done: Date | null, due: Date) => (done ? done < due : null)

export function caseView(c: CaseRow, now: Date) {
  const state = c.state as State
  const finished = state === 'closed' || state === 'voided'
  const kind = c.rectifyKind as RectifyKind
  return {
    id: c.id,
    /** Rating.id of the 差评 (GET /ratings), which is never changed: a void is a decision beside it. */
    ratingId: c.ratingId,
    hallId: c.hallId,
    windowId: c.windowId,
    staffNo: c.staffNo,
    level: c.level,
    levelLabel: LEVEL_LABELS[c.level as Level].zh,
    reasons: c.reasons ? (JSON.parse(c.reasons) as string[]) : [],
    service: c.serviceCode || c.serviceName ? { code: c.serviceCode, name: c.serviceName } : null,
    caseNo: c.caseNo,
    ratedAt: c.ratedAt.toISOString(),
    ratedDay: c.ratedDay,
    openedAt: c.openedAt.toISOString(),
    /** Due dates count in working days from this local day (when the server received the 差评). */
    openedDay: c.openedDay,
    state,
    stateLabel: STATE_LABELS[state],
    /** The state a rejected appeal returns to, while appealed. */
    resumeState: (c.resumeState as State | null) ?? null,
    callback: {
      dueDay: c.callbackDueDay,
      dueAt: c.callbackDueAt.toISOString(),
      doneAt: iso(c.calledBackAt),
      onTime: onTime(c.calledBackAt, c.callbackDueAt),
      overdue: !finished && !c.calledBackAt && c.callbackDueAt <= now,
    },
    rectify: {
      kind,
      kindLabel: RECTIFY_KIND_LABELS[kind],
      dueDay: c.rectifyDueDay,
      dueAt: c.rectifyDueAt.toISOString(),
      doneAt: iso(c.rectifiedAt),
      onTime: onTime(c.rectifiedAt, c.rectifyDueAt),
      overdue: !finished && !c.rectifiedAt && c.rectifyDueAt <= now,
    },
    closedAt: iso(c.closedAt),
    voidedAt: iso(c.voidedAt),
    /** The deadline still to meet (null when none is); the list is ordered by it. */
    dueAt: iso(c.dueAt),
    /** A deadline still to meet has passed. */
    overdue: c.dueAt !== null && c.dueAt <= now,
    allowedActions: allowedActions(state).map((a) => ({ action: a, label: ACTION_LABELS[a] })),
    version: c.version,
    updatedAt: c.updatedAt.toISOString(),
  }
}
export type CaseView = ReturnType<typeof caseView>

function stepView(s: StepRow) {
  const action = s.action as StepAction
  return {
    seq: s.seq,
    action,
    actionLabel: ACTION_LABELS[action],
    fromState: s.fromState as State | null,
    toState: s.toState as State,
    toStateLabel: STATE_LABELS[s.toState as State],
    decision: s.decision as Decision | null,
    decisionLabel: s.decision ? DECISION_LABELS[s.decision as Decision] : null,
    at: s.at.toISOString(),
    by: s.by,
    byTokenId: s.byTokenId,
    note: s.note,
  }
}

export interface FollowupFilters {
  hallId?: string
  state?: State[]
  overdue?: boolean
  windowId?: string
  staffNo?: string
  /** Local days the 差评 were rated on (inclusive). */
  from?: Day
  to?: Day
}

export type ActionInput =
  | { action: 'callback' | 'rectify' | 'feedback' | 'appeal'; note: string }
  | { action: 'start_rectify'; note: string; kind: RectifyKind }
  | { action: 'review'; note: string; decision: Decision }

export type MetricsGroup = 'none' | 'hall' | 'window' | 'staff'
export interface MetricsQuery extends PeriodInput {
  hallId?: string
  windowId?: string
  staffNo?: string
  groupBy: MetricsGroup
}

/** Longest due rule, so a year's calendar can only move deadlines of cases opened since the year before. */
export const MAX_DUE_DAYS = 60

export class FollowupService {
  constructor(
    private readonly db: Db,
    /** The clock for "now": overdue flags and the time of each step. Tests set a fixed one. */
    public now: () => Date = () => new Date(),
  ) {}

  // ---------------------------------------------------------------- cases

  private where(p: Principal, f: FollowupFilters, now: Date) {
    if (f.hallId) assertHall(p, f.hallId)
    return {
      ...hallFilter(p),
      ...(f.hallId ? { hallId: f.hallId } : {}),
      ...(f.state?.length ? { state: { in: f.state } } : {}),
      ...(f.windowId ? { windowId: f.windowId } : {}),
      ...(f.staffNo ? { staffNo: f.staffNo } : {}),
      ...(f.from || f.to
        ? { ratedDay: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } }
        : {}),
      ...(f.overdue === true
        ? { dueAt: { lte: now } }
        : f.overdue === false
          ? { OR: [{ dueAt: null }, { dueAt: { gt: now } }] }
          : {}),
    }
  }

  /** Cases by the deadline still to meet (soonest first, the finished ones last), offset paged. */
  async list(p: Principal, f: FollowupFilters & { limit: number; offset: number }) {
    const now = this.now()
    const where = this.where(p, f, now)
    const [rows, total] = await Promise.all([
      this.db.followupCase.findMany({
        where,
        orderBy: [{ dueAt: { sort: 'asc', nulls: 'last' } }, { openedAt: 'asc' }, { id: 'asc' }],
        skip: f.offset,
        take: f.limit,
      }),
      this.db.followupCase.count({ where }),
    ])
    return {
      now: now.toISOString(),
      total,
      items: rows.map((r) => caseView(r, now)),
      nextOffset: f.offset + rows.length < total ? f.offset + rows.length : null,
    }
  }

  /** Every matching case, page by page, for exports. */
  async *iterate(p: Principal, f: FollowupFilters, pageSize = 500): AsyncGenerator<CaseView> {
    for (let offset: number | null = 0; offset !== null;) {
      const page: Awaited<ReturnType<FollowupService['list']>> = await this.list(p, {
        ...f,
        limit: pageSize,
        offset,
      })
      yield* page.items
      offset = page.nextOffset
    }
  }

  private async row(p: Principal, id: string): Promise<CaseRow> {
    const c = await this.db.followupCase.findUnique({ where: { id } })
    if (!c) throw notFound(`follow-up case ${id}`)
    assertHall(p, c.hallId)
    return c
  }

  /** One case with every step taken, and the recorded decision if its rating was voided. */
  async get(p: Principal, id: string) {
    const c = await this.row(p, id)
    const steps = await this.db.followupStep.findMany({ where: { caseId: id }, orderBy: { seq: 'asc' } })
    const decision = await this.db.ratingVoid.findUnique({ where: { ratingId: c.ratingId } })
    return {
      ...caseView(c, this.now()),
      steps: steps.map(stepView),
      voidDecision: decision && {
        decidedAt: decision.decidedAt.toISOString(),
        decidedBy: decision.decidedBy,
        reason: decision.reason,
        caseId: decision.caseId,
      },
    }
  }

  /**
   * Takes one step: 409 when the case's state does not allow it (or someone else changed the case
   * meanwhile). An upheld review voids the rating through the reports' recorded decision, in the
   * same transaction as the step.
   */
  async act(p: Principal, id: string, input: ActionInput) {
    const c = await this.row(p, id)
    assertCanWrite(p, c.hallId)
    const from = c.state as State
    const t = transition(from, input.action, {
      decision: input.action === 'review' ? input.decision : undefined,
      resume: c.resumeState as State | null,
    })
    if (!t.ok) throw conflict(t.message, 'action')
    const at = this.now()
    const data: Record<string, unknown> = {}
    switch (input.action) {
      case 'callback':
        data.calledBackAt = at
        data.dueAt = c.rectifiedAt ? null : c.rectifyDueAt
        break
      case 'start_rectify':
        if (input.kind !== c.rectifyKind) {
          const rules = (await loadRules(this.db, [c.hallId])).get(c.hallId)!
          const due = deadline(
            rules.calendar,
            c.openedDay,
            rectifyDays(rules.policy, input.kind),
            rules.timeZone,
          )
          Object.assign(data, { rectifyKind: input.kind, rectifyDueDay: due.day, rectifyDueAt: due.at })
          data.dueAt = due.at
        } else data.dueAt = c.rectifyDueAt
        break
      case 'rectify':
        data.rectifiedAt = at
        data.dueAt = null
        break
      case 'feedback':
        data.closedAt = at
        data.dueAt = null
        break
      case 'appeal':
        data.resumeState = from
        break
      case 'review':
        data.resumeState = null
        if (input.decision === 'upheld') {
          data.voidedAt = at
          data.dueAt = null
        }
        break
    }
    await this.db.$transaction(async (tx) => {
      const updated = await tx.followupCase.updateMany({
        where: { id, version: c.version },
        data: { ...data, state: t.to, version: c.version + 1, updatedAt: at },
      })
      if (updated.count !== 1)
        throw conflict('the case was changed by someone else meanwhile: reload it and try again')
      await tx.followupStep.create({
        data: {
          id: randomUUID(),
          caseId: id,
          seq: c.version + 1,
          action: input.action,
          fromState: from,
          toState: t.to,
          decision: input.action === 'review' ? input.decision : null,
          at,
          by: p.name,
          byTokenId: p.tokenId,
          note: input.note,
        },
      })
      if (input.action === 'review' && input.decision === 'upheld')
        await applyVoid(tx, [
          { ratingId: c.ratingId, decidedAt: at, decidedBy: p.name, reason: input.note, caseId: id },
        ])
    })
    return this.get(p, id)
  }

  // ---------------------------------------------------------------- metrics

  /**
   * 回访率, 整改率 and on-time rate over the deadlines that fall in a period (by their due day in the
   * hall's zone) and have come (passed, or been met early). Voided cases count nowhere but `voided`.
   */
  async metrics(p: Principal, q: MetricsQuery) {
    if (q.hallId) assertHall(p, q.hallId)
    const halls = await this.db.hall.findMany({
      where: q.hallId ? { id: q.hallId } : p.halls === 'all' ? {} : { id: { in: p.halls } },
      select: { id: true, name: true, timeZone: true },
      orderBy: { id: 'asc' },
    })
    if (q.hallId && !halls.length) throw notFound(`hall ${q.hallId}`)
    if (!halls.length) throw badRequest('no halls to report on', 'hallId')
    const now = this.now()
    // Halls share a zone in practice; the first one says what "today" is, as in the hall ranking.
    const period = resolvePeriod(q, today(halls[0].timeZone, now))
    const inPeriod = { gte: period.from, lte: period.to }
    const rows = await this.db.followupCase.findMany({
      where: {
        hallId: { in: halls.map((h) => h.id) },
        ...(q.windowId ? { windowId: q.windowId } : {}),
        ...(q.staffNo ? { staffNo: q.staffNo } : {}),
        OR: [{ ratedDay: inPeriod }, { callbackDueDay: inPeriod }, { rectifyDueDay: inPeriod }],
      },
      select: {
        hallId: true,
        windowId: true,
        staffNo: true,
        state: true,
        ratedDay: true,
        callbackDueDay: true,
        callbackDueAt: true,
        calledBackAt: true,
        rectifyDueDay: true,
        rectifyDueAt: true,
        rectifiedAt: true,
        dueAt: true,
      },
    })
    const within = (d: Day) => d >= period.from && d <= period.to
    const groups = new Map<string, Counts>()
    const total = emptyCounts()
    for (const c of rows) {
      const key =
        q.groupBy === 'hall'
          ? c.hallId
          : q.groupBy === 'window'
            ? (c.windowId ?? '')
            : q.groupBy === 'staff'
              ? (c.staffNo ?? '')
              : ''
      let g = groups.get(key)
      if (!g) groups.set(key, (g = emptyCounts()))
      for (const n of [g, total]) count(n, c, within, now)
    }
    const names = await this.names(q.groupBy, halls, [...groups.keys()])
    const keys = [...groups.keys()].sort()
    return {
      period: periodView(period),
      now: now.toISOString(),
      groupBy: q.groupBy,
      filters: { hallId: q.hallId ?? null, windowId: q.windowId ?? null, staffNo: q.staffNo ?? null },
      totals: metricsOf(total),
      rows:
        q.groupBy === 'none'
          ? []
          : keys.map((k) => ({
              [q.groupBy === 'hall' ? 'hallId' : q.groupBy === 'window' ? 'windowId' : 'staffNo']: k || null,
              name: names.get(k) ?? null,
              metrics: metricsOf(groups.get(k)!),
            })),
    }
  }

  private async names(group: MetricsGroup, halls: { id: string; name: string }[], keys: string[]) {
    if (group === 'hall') return new Map(halls.map((h) => [h.id, h.name]))
    if (group === 'window')
      return new Map(
        (
          await this.db.window.findMany({ where: { id: { in: keys } }, select: { id: true, name: true } })
        ).map((w) => [w.id, w.name]),
      )
    if (group === 'staff')
      return new Map(
        (
          await this.db.staff.findMany({
            where: { staffNo: { in: keys } },
            select: { staffNo: true, name: true },
          })
        ).map((s) => [s.staffNo, s.name]),
      )
    return new Map<string, string>()
  }

  // ---------------------------------------------------------------- due rules

  async getPolicy(p: Principal, hallId: string) {
    assertHall(p, hallId)
    await this.hallExists(hallId)
    const row = await this.db.followupPolicy.findUnique({ where: { hallId } })
    return {
      hallId,
      callbackDays: row?.callbackDays ?? DEFAULT_DUE_POLICY.callbackDays,
      simpleRectifyDays: row?.simpleRectifyDays ?? DEFAULT_DUE_POLICY.simpleRectifyDays,
      complexRectifyDays: row?.complexRectifyDays ?? DEFAULT_DUE_POLICY.complexRectifyDays,
      isDefault: !row,
      updatedAt: iso(row?.updatedAt ?? null),
      updatedBy: row?.updatedBy ?? null,
    }
  }

  /** New due rules apply to cases opened from now on, and to a rectification kind chosen later. */
  async setPolicy(p: Principal, hallId: string, policy: DuePolicy) {
    assertCanWrite(p, hallId)
    await this.hallExists(hallId)
    const data = { ...policy, updatedAt: this.now(), updatedBy: p.name }
    await this.db.followupPolicy.upsert({ where: { hallId }, create: { hallId, ...data }, update: data })
    return this.getPolicy(p, hallId)
  }

  private async hallExists(hallId: string) {
    if (!(await this.db.hall.findUnique({ where: { id: hallId }, select: { id: true } })))
      throw notFound(`hall ${hallId}`)
  }

  // ---------------------------------------------------------------- calendar

  /** The years a hall's due dates use (or every hall's, without hallId), and where each comes from. */
  async listYears(p: Principal, hallId?: string) {
    if (hallId) {
      assertHall(p, hallId)
      await this.hallExists(hallId)
    }
    const rows = await this.db.workCalendarYear.findMany({
      where: { hallId: { in: hallId ? ['', hallId] : [''] } },
    })
    const years = new Map<number, ReturnType<typeof yearView>>()
    for (const y of BUILT_IN_YEARS.values()) years.set(y.year, yearView(y, 'built-in', null))
    for (const r of rows.filter((r) => r.hallId === ''))
      years.set(r.year, yearView(parseYear(r), 'all-halls', r))
    for (const r of rows.filter((r) => r.hallId !== '')) years.set(r.year, yearView(parseYear(r), 'hall', r))
    return {
      hallId: hallId ?? null,
      /** Years not listed count weekends only: add each year when the State Council announces it. */
      years: [...years.values()].sort((a, b) => a.year - b.year),
    }
  }

  async getYear(p: Principal, year: number, hallId?: string) {
    const { years } = await this.listYears(p, hallId)
    const y = years.find((x) => x.year === year)
    if (!y) throw notFound(`calendar year ${year} (due dates in it count weekends only)`)
    return y
  }

  /**
   * Stores a year for every hall (admin) or for one hall (admin, or a manager of the hall), and
   * moves the deadlines not yet met of open cases that the new calendar changes, each move a
   * recorded step.
   */
  async putYear(
    p: Principal,
    year: number,
    hallId: string | undefined,
    body: { off: Day[]; work: Day[]; source?: string | null },
  ) {
    if (hallId) {
      assertCanWrite(p, hallId)
      await this.hallExists(hallId)
    } else assertAdmin(p)
    const problems = checkCalendarYear(year, body.off, body.work)
    if (problems.length)
      throw new HttpError(400, problems.map(([f, m]) => `body.${f}: ${m}`).join('; '), problems[0][0])
    const at = this.now()
    const off = [...body.off].sort()
    const work = [...body.work].sort()
    const data = {
      off: JSON.stringify(off),
      work: JSON.stringify(work),
      source: body.source ?? null,
      updatedAt: at,
      updatedBy: p.name,
    }
    const key = hallId ?? ''
    const rescheduled = await this.db.$transaction(async (tx) => {
      await tx.workCalendarYear.upsert({
        where: { hallId_year: { hallId: key, year } },
        create: { hallId: key, year, ...data },
        update: data,
      })
      return this.reschedule(tx, p, year, hallId, at)
    })
    return { ...(await this.getYear(p, year, hallId)), rescheduled }
  }

  /** Recomputes the pending deadlines of open cases that a change to `year` may move. */
  private async reschedule(tx: Tx, p: Principal, year: number, hallId: string | undefined, at: Date) {
    const cases = await tx.followupCase.findMany({
      where: {
        ...(hallId ? { hallId } : {}),
        state: { in: [...OPEN_STATES] },
        openedDay: { gte: `${year - 1}-01-01`, lte: `${year}-12-31` },
        OR: [{ calledBackAt: null }, { rectifiedAt: null }],
      },
    })
    if (!cases.length) return 0
    const rules = await loadRules(
      tx,
      cases.map((c) => c.hallId),
    )
    let moved = 0
    for (const c of cases) {
      const h = rules.get(c.hallId)!
      const data: Record<string, unknown> = {}
      const notes: string[] = []
      if (!c.calledBackAt) {
        const d = deadline(h.calendar, c.openedDay, h.policy.callbackDays, h.timeZone)
        if (d.day !== c.callbackDueDay) {
          Object.assign(data, { callbackDueDay: d.day, callbackDueAt: d.at })
          notes.push(`回访期限 ${c.callbackDueDay} → ${d.day}`)
        }
      }
      if (!c.rectifiedAt) {
        const d = deadline(
          h.calendar,
          c.openedDay,
          rectifyDays(h.policy, c.rectifyKind as RectifyKind),
          h.timeZone,
        )
        if (d.day !== c.rectifyDueDay) {
          Object.assign(data, { rectifyDueDay: d.day, rectifyDueAt: d.at })
          notes.push(`整改期限 ${c.rectifyDueDay} → ${d.day}`)
        }
      }
      if (!notes.length) continue
      const callbackAt = (data.callbackDueAt as Date | undefined) ?? c.callbackDueAt
      const rectifyAt = (data.rectifyDueAt as Date | undefined) ?? c.rectifyDueAt
      data.dueAt = !c.calledBackAt ? callbackAt : !c.rectifiedAt ? rectifyAt : null
      const updated = await tx.followupCase.updateMany({
        where: { id: c.id, version: c.version },
        data: { ...data, version: c.version + 1, updatedAt: at },
      })
      if (updated.count !== 1) throw conflict(`case ${c.id} changed meanwhile: store the year again`)
      await tx.followupStep.create({
        data: {
          id: randomUUID(),
          caseId: c.id,
          seq: c.version + 1,
          action: 'reschedule',
          fromState: c.state,
          toState: c.state,
          at,
          by: p.name,
          byTokenId: p.tokenId,
          note: `${year}年工作日历${hallId ? `（${hallId}）` : ''}更新：${notes.join('；')}`,
        },
      })
      moved++
    }
    return moved
  }
}

function yearView(
  y: CalendarYear,
  origin: 'built-in' | 'all-halls' | 'hall',
  row: { updatedAt: Date; updatedBy: string } | null,
) {
  return {
    year: y.year,
    /** built-in (shipped), all-halls (stored for every hall) or hall (this hall's own). */
    origin,
    source: y.source,
    off: y.off,
    work: y.work,
    updatedAt: iso(row?.updatedAt ?? null),
    updatedBy: row?.updatedBy ?? null,
  }
}

// ---------------------------------------------------------------- counting

interface Counts {
  opened: number
  voided: number
  open: number
  overdue: number
  callbacksDue: number
  calledBackOnTime: number
  calledBack: number
  rectificationsDue: number
  rectified: number
  rectifiedOnTime: number
}
const emptyCounts = (): Counts => ({
  opened: 0,
  voided: 0,
  open: 0,
  overdue: 0,
  callbacksDue: 0,
  calledBackOnTime: 0,
  calledBack: 0,
  rectificationsDue: 0,
  rectified: 0,
  rectifiedOnTime: 0,
})

function count(
  n: Counts,
  c: {
    state: string
    ratedDay: string
    callbackDueDay: string
    callbackDueAt: Date
    calledBackAt: Date | null
    rectifyDueDay: string
    rectifyDueAt: Date
    rectifiedAt: Date | null
    dueAt: Date | null
  },
  within: (d: Day) => boolean,
  now: Date,
) {
  if (within(c.ratedDay)) {
    n.opened++
    if (c.state === 'voided') n.voided++
    else if (c.state !== 'closed') n.open++
    if (c.dueAt && c.dueAt <= now) n.overdue++
  }
  if (c.state === 'voided') return
  if (within(c.callbackDueDay) && (c.calledBackAt || c.callbackDueAt <= now)) {
    n.callbacksDue++
    if (c.calledBackAt) n.calledBack++
    if (c.calledBackAt && c.calledBackAt < c.callbackDueAt) n.calledBackOnTime++
  }
  if (within(c.rectifyDueDay) && (c.rectifiedAt || c.rectifyDueAt <= now)) {
    n.rectificationsDue++
    if (c.rectifiedAt) n.rectified++
    if (c.rectifiedAt && c.rectifiedAt < c.rectifyDueAt) n.rectifiedOnTime++
  }
}

const rate = (a: number, b: number) => (b > 0 ? a / b : null)

function metricsOf(n: Counts) {
  return {
    ...n,
    /** 回访率: callbacks made by their due ÷ callbacks due. */
    callbackRate: rate(n.calledBackOnTime, n.callbacksDue),
    /** 整改率: rectifications done ÷ rectifications due. */
    rectifyRate: rate(n.rectified, n.rectificationsDue),
    /** 按时办结率: deadlines met ÷ deadlines due (callbacks and rectifications together). */
    onTimeRate: rate(n.calledBackOnTime + n.rectifiedOnTime, n.callbacksDue + n.rectificationsDue),
  }
}
export type FollowupMetrics = ReturnType<typeof metricsOf>
