// 差评处理: open 差评 cases as a board by state, each column soonest deadline first, overdue ones
// marked red; a case opens to its steps and the step its state allows (回访, 整改, 申诉, 复核…).
import { useState } from 'preact/hooks'
import { api, get, type Query } from '../../shared/api.ts'
import { dateTime, pct } from '../../shared/format.ts'
import { levelName } from '../../shared/i18n.ts'
import { t } from '../texts.ts'
import { canWrite, navigate, pickHall, useSession, type Route } from '../state.ts'
import { useApi } from '../components/use-api.ts'
import { ExportButtons } from '../components/exports.tsx'
import { Card, Empty, ErrorBox, Field, Kpi, Loading, Modal } from '../components/ui.tsx'

const OPEN_STATES = ['pending_callback', 'called_back', 'rectifying', 'rectified', 'appealed'] as const

interface Deadline {
  dueDay: string
  dueAt: string
  doneAt: string | null
  overdue: boolean
}
interface Case {
  id: string
  ratingId: string
  hallId: string
  windowId: string | null
  staffNo: string | null
  level: number
  reasons: string[]
  service: { code: string | null; name: string | null } | null
  caseNo: string | null
  ratedAt: string
  state: string
  callback: Deadline
  rectify: Deadline & { kind: 'simple' | 'complex' }
  dueAt: string | null
  overdue: boolean
  allowedActions: { action: string; label: string }[]
  steps?: {
    seq: number
    action: string
    toState: string
    at: string
    by: string
    note: string
    decision: string | null
  }[]
}

/** "逾期 2 天" / "剩 5 小时". */
function dueText(dueAt: string | null, now = Date.now()) {
  if (!dueAt) return null
  const ms = Date.parse(dueAt) - now
  const h = Math.abs(ms) / 3_600_000
  const span = h >= 24 ? t('days', { n: Math.floor(h / 24) }) : t('hours', { n: Math.max(1, Math.floor(h)) })
  return ms <= 0 ? t('overdueBy', { n: span }) : t('dueIn', { n: span })
}

export function FollowupsPage({ route }: { route: Route }) {
  const { halls, me } = useSession()
  const hall = pickHall(halls, route.query.hall)
  if (!hall) return <Empty />
  const onlyOverdue = route.query.overdue === 'true'
  const listQuery = {
    hallId: hall.id,
    state: OPEN_STATES.join(','),
    overdue: onlyOverdue ? 'true' : undefined,
    limit: 1000,
  }
  const data = useApi(
    () =>
      Promise.all([
        get<{ total: number; items: Case[] }>('/followups', listQuery),
        get('/reports/followups', { hallId: hall.id, period: 'month' }),
        get('/windows', { hallId: hall.id }),
        get('/staff', { hallId: hall.id }),
      ]),
    [hall.id, onlyOverdue],
  )
  const [open, setOpen] = useState<string | null>(route.query.case ?? null)
  const [list, metrics, windows, staff] = data.data ?? [null, null, [], []]
  const windowNames = new Map<string, string>(windows.map((w: any) => [w.id, w.name]))
  const staffNames = new Map<string, string>(staff.map((s: any) => [s.staffNo, s.name]))
  const reasonLabels = new Map(hall.reasons.map((r) => [r.code, r.label]))
  const m = metrics?.totals
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          {t('followupsTitle')}
          <small>{hall.name}</small>
        </h1>
        <div class="row">
          <label class="check">
            <input
              type="checkbox"
              name="overdue"
              checked={onlyOverdue}
              onChange={(e) =>
                navigate(route.path, {
                  ...route.query,
                  hall: hall.id,
                  overdue: e.currentTarget.checked ? 'true' : undefined,
                })
              }
            />
            {t('onlyOverdue')}
          </label>
          <ExportButtons report="followups" query={listQuery as unknown as Query} />
        </div>
      </div>
      {halls.length > 1 && (
        <div class="tabs">
          {halls.map((h) => (
            <a
              class={`tab ${h.id === hall.id ? 'on' : ''}`}
              href={`#/followups?hall=${encodeURIComponent(h.id)}`}
            >
              {h.name}
            </a>
          ))}
        </div>
      )}
      <ErrorBox error={data.error} />
      {!list ? (
        <Loading />
      ) : (
        <>
          {m && (
            <div class="kpis">
              <Kpi
                label={t('openCases')}
                value={String(list.items.length)}
                tone="primary"
                testId="kpi-open"
              />
              <Kpi
                label={t('overdueCases')}
                value={String(list.items.filter((c) => c.overdue).length)}
                tone={list.items.some((c) => c.overdue) ? 'bad' : 'good'}
                testId="kpi-overdue"
              />
              <Kpi label={t('callbackRate')} value={pct(m.callbackRate)} sub={metrics.period.label} />
              <Kpi label={t('rectifyRate')} value={pct(m.rectifyRate)} sub={metrics.period.label} />
              <Kpi label={t('onTimeRate')} value={pct(m.onTimeRate)} sub={metrics.period.label} />
            </div>
          )}
          {list.items.length === 0 ? (
            <Card>
              <Empty>{t('nothingToDo')}</Empty>
            </Card>
          ) : (
            <div class="board">
              {OPEN_STATES.map((state) => {
                const cases = list.items.filter((c) => c.state === state)
                return (
                  <section class={`board-col st-${state}`} data-state={state}>
                    <header>
                      {t(`st_${state}`)} <span class="count">{cases.length}</span>
                    </header>
                    <div class="col-body">
                      {cases.map((c) => (
                        <button
                          class={`case-card ${c.overdue ? 'overdue' : ''}`}
                          data-case={c.id}
                          onClick={() => setOpen(c.id)}
                        >
                          <div class="case-top">
                            <span class={`level-pill l${c.level}`}>{levelName(c.level)}</span>
                            {c.dueAt && (
                              <span class={`due ${c.overdue ? 'late' : ''}`}>{dueText(c.dueAt)}</span>
                            )}
                          </div>
                          <div class="case-who">
                            {c.windowId ? (windowNames.get(c.windowId) ?? c.windowId) : '—'} ·{' '}
                            {c.staffNo ? `${staffNames.get(c.staffNo) ?? ''} ${c.staffNo}` : '—'}
                          </div>
                          <div class="case-what">
                            {c.reasons.map((r) => reasonLabels.get(r) ?? r).join('、') ||
                              c.service?.name ||
                              '—'}
                          </div>
                          <div class="case-when muted small">{dateTime(c.ratedAt, hall.timeZone)}</div>
                        </button>
                      ))}
                    </div>
                  </section>
                )
              })}
            </div>
          )}
        </>
      )}
      {open && (
        <CaseModal
          id={open}
          tz={hall.timeZone}
          writable={canWrite(me)}
          names={{ windowNames, staffNames, reasonLabels }}
          onClose={() => setOpen(null)}
          onChanged={() => data.reload()}
        />
      )}
    </div>
  )
}

function CaseModal(props: {
  id: string
  tz: string
  writable: boolean
  names: {
    windowNames: Map<string, string>
    staffNames: Map<string, string>
    reasonLabels: Map<string, string>
  }
  onClose: () => void
  onChanged: () => void
}) {
  const data = useApi(() => get<Case>(`/followups/${encodeURIComponent(props.id)}`), [props.id])
  const [action, setAction] = useState<string | null>(null)
  const [note, setNote] = useState('')
  const [kind, setKind] = useState<'simple' | 'complex'>('simple')
  const [decision, setDecision] = useState<'upheld' | 'rejected'>('rejected')
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  const c = data.data
  const { windowNames, staffNames, reasonLabels } = props.names
  const submit = async (e: Event) => {
    e.preventDefault()
    if (!action) return
    setError(null)
    try {
      const body: Record<string, string> = { action, note }
      if (action === 'start_rectify') body.kind = kind
      if (action === 'review') body.decision = decision
      await api('POST', `/followups/${encodeURIComponent(props.id)}/steps`, { body })
      setAction(null)
      setNote('')
      setSaved(true)
      data.reload()
      props.onChanged()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <Modal title={t('caseOf')} onClose={props.onClose} wide>
      {!c ? (
        <Loading />
      ) : (
        <div class="case-detail" data-testid="case-detail">
          <div class="case-facts">
            <div>
              <span class={`level-pill l${c.level}`}>{levelName(c.level)}</span>{' '}
              <span class={`badge st st-${c.state}`} data-testid="case-state">
                {t(`st_${c.state}` as 'st_closed')}
              </span>
              {c.overdue && <span class="badge offline">{t('overdueCases')}</span>}
            </div>
            <dl>
              <dt>{t('ratedAt')}</dt>
              <dd>{dateTime(c.ratedAt, props.tz)}</dd>
              <dt>{t('window')}</dt>
              <dd>{c.windowId ? (windowNames.get(c.windowId) ?? c.windowId) : '—'}</dd>
              <dt>{t('staff')}</dt>
              <dd>{c.staffNo ? `${staffNames.get(c.staffNo) ?? ''} ${c.staffNo}` : '—'}</dd>
              <dt>{t('service')}</dt>
              <dd>{c.service?.name ?? c.service?.code ?? '—'}</dd>
              <dt>{t('caseNo')}</dt>
              <dd class="mono">{c.caseNo ?? '—'}</dd>
              <dt>{t('reasons')}</dt>
              <dd>{c.reasons.map((r) => reasonLabels.get(r) ?? r).join('、') || '—'}</dd>
              <dt>{t('callbackDue')}</dt>
              <dd class={c.callback.overdue ? 'bad-text' : ''}>
                {c.callback.dueDay} {c.callback.doneAt ? `✓ ${dateTime(c.callback.doneAt, props.tz)}` : ''}
              </dd>
              <dt>{t('rectifyDue')}</dt>
              <dd class={c.rectify.overdue ? 'bad-text' : ''}>
                {c.rectify.dueDay} · {t(`kind_${c.rectify.kind}`)}{' '}
                {c.rectify.doneAt ? `✓ ${dateTime(c.rectify.doneAt, props.tz)}` : ''}
              </dd>
            </dl>
          </div>
          <div class="case-steps">
            <h3>{t('steps')}</h3>
            <ol class="timeline">
              {(c.steps ?? []).map((s) => (
                <li>
                  <div class="tl-head">
                    <b>{t(`ac_${s.action}` as 'ac_open')}</b>
                    {s.decision && (
                      <span class="muted"> · {t(`decision_${s.decision}` as 'decision_upheld')}</span>
                    )}
                    <span class="muted small">
                      {' '}
                      {dateTime(s.at, props.tz)} · {s.by}
                    </span>
                  </div>
                  {s.note && <div class="tl-note">{s.note}</div>}
                </li>
              ))}
            </ol>
            {props.writable && c.allowedActions.length > 0 && (
              <form class="form step-form" onSubmit={submit}>
                <div class="row">
                  {c.allowedActions.map((a) => (
                    <button
                      type="button"
                      class={`btn small ${action === a.action ? 'primary' : 'ghost'}`}
                      data-action={a.action}
                      onClick={() => {
                        setAction(a.action)
                        setSaved(false)
                      }}
                    >
                      {t(`ac_${a.action}` as 'ac_open')}
                    </button>
                  ))}
                </div>
                {action && (
                  <>
                    {action === 'start_rectify' && (
                      <Field label={t('rectifyKind')}>
                        <select value={kind} onChange={(e) => setKind(e.currentTarget.value as 'simple')}>
                          <option value="simple">{t('kind_simple')}</option>
                          <option value="complex">{t('kind_complex')}</option>
                        </select>
                      </Field>
                    )}
                    {action === 'review' && (
                      <Field label={t('decision')}>
                        <select
                          value={decision}
                          onChange={(e) => setDecision(e.currentTarget.value as 'upheld')}
                        >
                          <option value="rejected">{t('decision_rejected')}</option>
                          <option value="upheld">{t('decision_upheld')}</option>
                        </select>
                      </Field>
                    )}
                    <Field label={t('note')}>
                      <textarea
                        name="note"
                        required
                        rows={3}
                        value={note}
                        placeholder={t('notePlaceholder')}
                        onInput={(e) => setNote(e.currentTarget.value)}
                      />
                    </Field>
                    <ErrorBox error={error} />
                    <div class="form-actions">
                      <button class="btn primary" type="submit">
                        {t(`ac_${action}` as 'ac_open')}
                      </button>
                    </div>
                  </>
                )}
                {saved && <div class="ok-box">{t('stepSaved')}</div>}
              </form>
            )}
          </div>
        </div>
      )}
    </Modal>
  )
}
