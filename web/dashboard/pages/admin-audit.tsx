// 操作日志 (admin): every write by an admin or a manager, newest first (GET /api/v1/audit). The
// filters live in the address; a click on a person or a target filters by it.
import { useEffect, useState } from 'preact/hooks'
import { get } from '../../shared/api.ts'
import { dateTime } from '../../shared/format.ts'
import { t } from '../texts.ts'
import { href, navigate, type Route } from '../state.ts'
import { Card, Empty, ErrorBox, Loading } from '../components/ui.tsx'

interface AuditEntry {
  id: string
  at: string
  actor: string
  actorId: string
  role: 'admin' | 'manager'
  method: string
  route: string
  url: string
  targetId: string | null
  status: number
  body: string | null
  ip: string | null
}
interface Page {
  items: AuditEntry[]
  nextCursor: string | null
}

const FILTERS = ['actorId', 'method', 'route', 'targetId', 'from', 'to'] as const
const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE']
const PAGE = 100

/** A YYYY-MM-DD of the filter as the start of that day here, for the API's ISO times. */
const dayStart = (day: string | undefined, plusDays = 0) => {
  if (!day) return undefined
  const d = new Date(`${day}T00:00:00`)
  d.setDate(d.getDate() + plusDays)
  return d.toISOString()
}

export function AuditPage({ route }: { route: Route }) {
  const q = route.query
  const [form, setForm] = useState<Record<string, string>>({})
  const [entries, setEntries] = useState<AuditEntry[] | null>(null)
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const key = FILTERS.map((f) => q[f] ?? '').join('|')

  const load = async (after: string | null) => {
    setBusy(true)
    setError(null)
    try {
      const page = await get<Page>('/audit', {
        actorId: q.actorId,
        method: q.method,
        route: q.route,
        targetId: q.targetId,
        from: dayStart(q.from),
        to: dayStart(q.to, 1), // the "to" day is included
        limit: PAGE,
        cursor: after ?? undefined,
      })
      setEntries((prev) => (after && prev ? [...prev, ...page.items] : page.items))
      setCursor(page.nextCursor)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  useEffect(() => {
    setForm(Object.fromEntries(FILTERS.map((f) => [f, q[f] ?? ''])))
    setEntries(null)
    void load(null)
  }, [key])

  const apply = (next: Record<string, string | undefined>) => navigate('/admin/audit', next)
  const input = (name: (typeof FILTERS)[number], type: 'text' | 'date' = 'text') => (
    <input
      name={name}
      type={type as 'text'}
      value={form[name] ?? ''}
      onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })}
    />
  )

  return (
    <div class="page" data-testid="audit">
      <div class="page-head">
        <h1>{t('navAudit')}</h1>
      </div>
      <form
        class="filters"
        aria-label="filters"
        onSubmit={(e) => {
          e.preventDefault()
          apply(form)
        }}
      >
        <label class="filter">
          <span>{t('auditFrom')}</span>
          {input('from', 'date')}
        </label>
        <label class="filter">
          <span>{t('auditTo')}</span>
          {input('to', 'date')}
        </label>
        <label class="filter">
          <span>{t('auditActor')}</span>
          {input('actorId')}
        </label>
        <label class="filter">
          <span>{t('auditMethod')}</span>
          <select
            name="method"
            value={form.method ?? ''}
            onChange={(e) => setForm({ ...form, method: e.currentTarget.value })}
          >
            <option value="">{t('all')}</option>
            {METHODS.map((m) => (
              <option value={m}>{m}</option>
            ))}
          </select>
        </label>
        <label class="filter">
          <span>{t('auditRoute')}</span>
          {input('route')}
        </label>
        <label class="filter">
          <span>{t('auditTarget')}</span>
          {input('targetId')}
        </label>
        <button class="btn primary">{t('auditSearch')}</button>
        <button type="button" class="btn ghost" onClick={() => apply({})}>
          {t('auditClear')}
        </button>
      </form>
      <ErrorBox error={error} />
      <Card>
        {!entries ? (
          <Loading />
        ) : entries.length === 0 ? (
          <Empty>{t('auditNone')}</Empty>
        ) : (
          <table class="table audit-table">
            <thead>
              <tr>
                <th>{t('auditAt')}</th>
                <th>{t('auditActor')}</th>
                <th>{t('auditAction')}</th>
                <th>{t('auditTarget')}</th>
                <th>{t('auditBody')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr data-entry={e.id}>
                  <td class="nowrap">
                    {dateTime(e.at)}
                    <div class="muted small mono">{e.ip ?? ''}</div>
                  </td>
                  <td>
                    <a href={href('/admin/audit', { ...q, actorId: e.actorId })} title={e.actorId}>
                      <b>{e.actor}</b>
                    </a>{' '}
                    <span class={`badge role-${e.role}`}>{t(`role_${e.role}`)}</span>
                  </td>
                  <td class="mono small">
                    <div class="nowrap">
                      <b>{e.method}</b> {e.route}
                    </div>
                    <div class="muted">
                      {e.status}
                      {e.url !== e.route && ` · ${e.url}`}
                    </div>
                  </td>
                  <td class="mono small">
                    {e.targetId ? (
                      <a href={href('/admin/audit', { ...q, targetId: e.targetId })}>{e.targetId}</a>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td class="mono small audit-body">{e.body ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {cursor && (
          <div class="form-actions">
            <button class="btn ghost" disabled={busy} onClick={() => load(cursor)}>
              {t('auditMore')}
            </button>
          </div>
        )}
      </Card>
    </div>
  )
}
