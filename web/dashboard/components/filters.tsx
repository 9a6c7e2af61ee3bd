// The report filters (hall, period, window, staff, service item), kept in the URL so a view can be
// bookmarked, sent to a colleague, and exported with exactly the same filters.
import { useEffect, useState } from 'preact/hooks'
import { get } from '../../shared/api.ts'
import { todayIn } from '../../shared/format.ts'
import { t } from '../texts.ts'
import { navigate, type Hall, type Route } from '../state.ts'

export const PERIODS = ['day', 'week', 'month', 'quarter', 'year', 'custom'] as const

export interface ReportQuery {
  hallId: string
  period: string
  date?: string
  from?: string
  to?: string
  windowId?: string
  staffNo?: string
  serviceCode?: string
}

/** The report query a route describes, for the given hall. */
export function reportQuery(route: Route, hall: Hall): ReportQuery {
  const q = route.query
  const period = (PERIODS as readonly string[]).includes(q.period) ? q.period : 'month'
  const rq: ReportQuery = { hallId: hall.id, period }
  if (period === 'custom') {
    rq.from = q.from || todayIn(hall.timeZone)
    rq.to = q.to || rq.from
  } else if (q.date) rq.date = q.date
  for (const k of ['windowId', 'staffNo', 'serviceCode'] as const) if (q[k]) rq[k] = q[k]
  return rq
}

function shift(date: string, period: string, n: number): string {
  const d = new Date(`${date}T12:00:00Z`)
  if (period === 'day') d.setUTCDate(d.getUTCDate() + n)
  else if (period === 'week') d.setUTCDate(d.getUTCDate() + 7 * n)
  else if (period === 'month') d.setUTCMonth(d.getUTCMonth() + n, 1)
  else if (period === 'quarter') d.setUTCMonth(d.getUTCMonth() + 3 * n, 1)
  else if (period === 'year') d.setUTCFullYear(d.getUTCFullYear() + n, 0, 1)
  return d.toISOString().slice(0, 10)
}

interface Options {
  windows: { id: string; name: string }[]
  staff: { staffNo: string; name: string }[]
  services: { serviceCode: string | null; serviceName: string | null }[]
}

export function Filters(props: {
  route: Route
  halls: Hall[]
  hall: Hall
  show?: { window?: boolean; staff?: boolean; service?: boolean }
  /** Label of the resolved period, from the last report (e.g. 2026-11). */
  periodLabel?: string
}) {
  const { route, hall, halls } = props
  const show = { window: true, staff: true, service: true, ...props.show }
  const q = reportQuery(route, hall)
  const [opts, setOpts] = useState<Options>({ windows: [], staff: [], services: [] })
  useEffect(() => {
    let live = true
    Promise.all([
      get('/windows', { hallId: hall.id }),
      get('/staff', { hallId: hall.id }),
      get('/reports/services', { hallId: hall.id, period: 'year' }).catch(() => ({ rows: [] })),
    ]).then(([windows, staff, services]) => {
      if (live)
        setOpts({
          windows,
          staff,
          services: services.rows.filter((r: { serviceCode: string | null }) => r.serviceCode),
        })
    })
    return () => {
      live = false
    }
  }, [hall.id])

  const set = (patch: Record<string, string | undefined>) =>
    navigate(route.path, { ...route.query, hall: hall.id, ...patch })
  const date = q.date ?? todayIn(hall.timeZone)

  return (
    <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="filters">
      {halls.length > 1 && (
        <label class="filter">
          <span>{t('hall')}</span>
          <select
            name="hall"
            value={hall.id}
            onChange={(e) =>
              set({
                hall: e.currentTarget.value,
                windowId: undefined,
                staffNo: undefined,
                serviceCode: undefined,
              })
            }
          >
            {halls.map((h) => (
              <option value={h.id}>{h.name}</option>
            ))}
          </select>
        </label>
      )}
      <div class="filter">
        <span>{t('period')}</span>
        <div class="segmented" role="group">
          {PERIODS.map((p) => (
            <button
              type="button"
              class={q.period === p ? 'on' : ''}
              aria-pressed={q.period === p}
              onClick={() => set({ period: p, date: undefined, from: undefined, to: undefined })}
            >
              {t(`p_${p}` as 'p_day')}
            </button>
          ))}
        </div>
      </div>
      {q.period === 'custom' ? (
        <>
          <label class="filter">
            <span>{t('from')}</span>
            <input
              type="date"
              name="from"
              value={q.from}
              onChange={(e) => set({ from: e.currentTarget.value })}
            />
          </label>
          <label class="filter">
            <span>{t('to')}</span>
            <input type="date" name="to" value={q.to} onChange={(e) => set({ to: e.currentTarget.value })} />
          </label>
        </>
      ) : (
        <div class="filter">
          <span>{t('date')}</span>
          <div class="date-step">
            <button
              type="button"
              class="icon-btn"
              title={t('previousPeriod')}
              onClick={() => set({ date: shift(date, q.period, -1) })}
            >
              ‹
            </button>
            <input
              type="date"
              name="date"
              value={date}
              onChange={(e) => set({ date: e.currentTarget.value })}
            />
            <button
              type="button"
              class="icon-btn"
              title={t('nextPeriod')}
              onClick={() => set({ date: shift(date, q.period, 1) })}
            >
              ›
            </button>
          </div>
        </div>
      )}
      {show.window && (
        <label class="filter">
          <span>{t('window')}</span>
          <select
            name="windowId"
            value={q.windowId ?? ''}
            onChange={(e) => set({ windowId: e.currentTarget.value || undefined })}
          >
            <option value="">{t('all')}</option>
            {opts.windows.map((w) => (
              <option value={w.id}>{w.name}</option>
            ))}
          </select>
        </label>
      )}
      {show.staff && (
        <label class="filter">
          <span>{t('staff')}</span>
          <select
            name="staffNo"
            value={q.staffNo ?? ''}
            onChange={(e) => set({ staffNo: e.currentTarget.value || undefined })}
          >
            <option value="">{t('all')}</option>
            {opts.staff.map((s) => (
              <option value={s.staffNo}>
                {s.name}（{s.staffNo}）
              </option>
            ))}
          </select>
        </label>
      )}
      {show.service && (
        <label class="filter">
          <span>{t('service')}</span>
          <select
            name="serviceCode"
            value={q.serviceCode ?? ''}
            onChange={(e) => set({ serviceCode: e.currentTarget.value || undefined })}
          >
            <option value="">{t('all')}</option>
            {opts.services.map((s) => (
              <option value={s.serviceCode!}>{s.serviceName ?? s.serviceCode}</option>
            ))}
          </select>
        </label>
      )}
      {props.periodLabel && <div class="period-label">{props.periodLabel}</div>}
    </form>
  )
}
