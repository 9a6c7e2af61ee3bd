// One window or one staff member: the period's figures and trend, their 差评 reasons, and every
// individual rating behind them (drill-down), newest first.
import { useEffect, useState } from 'preact/hooks'
import { get, type Query } from '../../shared/api.ts'
import { dateTime, pct } from '../../shared/format.ts'
import { levelName } from '../../shared/i18n.ts'
import { t } from '../texts.ts'
import { href, navigate, pickHall, useSession, type Route } from '../state.ts'
import { useApi } from '../components/use-api.ts'
import { Filters, reportQuery } from '../components/filters.tsx'
import { ExportButtons } from '../components/exports.tsx'
import { TrendChart } from '../components/report-charts.tsx'
import { Card, Empty, ErrorBox, Loading } from '../components/ui.tsx'
import { FlagLabels, ft } from '../components/flags.tsx'
import { KpiRow, previousQuery, trendInterval } from './overview.tsx'

interface RatingRow {
  id: string
  deviceId: string
  windowId: string | null
  staffNo: string | null
  level: number
  class: 'good' | 'bad'
  reasons: string[]
  transaction: { caseNo: string | null; ticket: string | null; serviceName: string | null } | null
  occurredAt: string
  replayed: boolean
  voided: { reason: string } | null
  flags: { kind: string }[]
}

export function DetailPage({ route, kind, id }: { route: Route; kind: 'window' | 'staff'; id: string }) {
  const { halls } = useSession()
  const hall = pickHall(halls, route.query.hall)
  if (!hall) return <Empty />
  const base = reportQuery(route, hall)
  const q = { ...base, ...(kind === 'window' ? { windowId: id } : { staffNo: id }) }
  const onlyBad = route.query.class === 'bad'
  const onlyFlagged = route.query.flagged === '1'
  const data = useApi(async () => {
    const summary = await get('/reports/summary', q as unknown as Query)
    const [previous, trend, windows, staff] = await Promise.all([
      get('/reports/summary', previousQuery(q, summary.period.previous) as unknown as Query),
      get('/reports/trend', { ...q, interval: trendInterval(q, summary.period.days) }),
      get('/windows', { hallId: hall.id }),
      get('/staff', { hallId: hall.id }),
    ])
    return { summary, previous, trend, windows, staff }
  }, [JSON.stringify(q)])

  // The individual ratings, a page at a time.
  const ratingQuery = {
    hallId: hall.id,
    period: q.period,
    date: q.date,
    from: q.from,
    to: q.to,
    windowId: q.windowId,
    staffNo: q.staffNo,
    serviceCode: q.serviceCode,
    class: onlyBad ? 'bad' : undefined,
    flag: onlyFlagged ? 'any' : undefined,
  }
  const [ratings, setRatings] = useState<{ items: RatingRow[]; next: string | null; key: string }>({
    items: [],
    next: null,
    key: '',
  })
  const ratingKey = JSON.stringify(ratingQuery)
  const loadRatings = async (cursor?: string) => {
    const page = await get('/ratings', { ...ratingQuery, limit: 50, cursor })
    setRatings((r) => ({
      items: cursor ? [...r.items, ...page.items] : page.items,
      next: page.nextCursor,
      key: ratingKey,
    }))
  }
  useEffect(() => {
    void loadRatings()
  }, [ratingKey])

  const d = data.data
  const windowNames = new Map<string, string>((d?.windows ?? []).map((w: any) => [w.id, w.name]))
  const staffNames = new Map<string, string>((d?.staff ?? []).map((s: any) => [s.staffNo, s.name]))
  const reasonLabels = new Map<string, string>(hall.reasons.map((r) => [r.code, r.label]))
  const title = kind === 'window' ? (windowNames.get(id) ?? id) : `${staffNames.get(id) ?? id}（${id}）`
  const back = kind === 'window' ? '/windows' : '/staff'
  const { windowId: _w, staffNo: _s, ...keep } = route.query
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          <a class="back" href={href(back, keep)} aria-label={t('back')}>
            ←
          </a>
          {title}
          <small>{kind === 'window' ? t('detailWindow') : t('detailStaff')}</small>
        </h1>
        <ExportButtons report="summary" query={q as unknown as Query} />
      </div>
      <Filters
        route={route}
        halls={halls}
        hall={hall}
        show={{ window: kind !== 'window', staff: kind !== 'staff' }}
        periodLabel={d?.summary.period.label}
      />
      <ErrorBox error={data.error} />
      {!d ? (
        <Loading />
      ) : (
        <>
          <KpiRow m={d.summary.metrics} prev={d.previous.metrics} />
          <div class="grid two">
            <Card
              title={t('trend')}
              actions={<ExportButtons report="trend" query={{ ...q, interval: d.trend.interval }} />}
            >
              <TrendChart points={d.trend.points} />
            </Card>
            <Card title={t('reasons')}>
              {d.summary.reasons.length ? (
                <ul class="reason-bars">
                  {d.summary.reasons.map((r: any) => (
                    <li>
                      <span class="reason-label">{r.label}</span>
                      <i class="reason-track">
                        <b style={{ width: `${Math.round((r.share ?? 0) * 100)}%` }} />
                      </i>
                      <span class="reason-count">
                        {r.count} · {pct(r.share, 0)}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : (
                <Empty />
              )}
            </Card>
          </div>
        </>
      )}
      <Card
        title={t('ratings')}
        actions={
          <>
            <label class="check">
              <input
                type="checkbox"
                name="onlyBad"
                checked={onlyBad}
                onChange={(e) =>
                  navigate(route.path, { ...route.query, class: e.currentTarget.checked ? 'bad' : undefined })
                }
              />
              {t('onlyBad')}
            </label>
            <label class="check">
              <input
                type="checkbox"
                name="onlyFlagged"
                checked={onlyFlagged}
                onChange={(e) =>
                  navigate(route.path, { ...route.query, flagged: e.currentTarget.checked ? '1' : undefined })
                }
              />
              {ft('onlyFlagged')}
            </label>
            <ExportButtons report="ratings" query={ratingQuery} />
          </>
        }
      >
        {ratings.key !== ratingKey ? (
          <Loading />
        ) : ratings.items.length === 0 ? (
          <Empty />
        ) : (
          <div class="table-wrap">
            <table class="table" data-testid="ratings-table">
              <thead>
                <tr>
                  <th>{t('ratedAt')}</th>
                  <th>{t('level')}</th>
                  <th>{kind === 'window' ? t('staff') : t('window')}</th>
                  <th>{t('service')}</th>
                  <th>{t('caseNo')}</th>
                  <th>{t('reasons')}</th>
                  <th>{t('device')}</th>
                </tr>
              </thead>
              <tbody>
                {ratings.items.map((r) => (
                  <tr class={r.voided ? 'voided' : ''}>
                    <td class="nowrap">{dateTime(r.occurredAt, hall.timeZone)}</td>
                    <td>
                      <span class={`level-pill l${r.level}`}>{levelName(r.level)}</span>
                      {r.voided && <small class="muted"> {t('voided')}</small>}
                      {r.replayed && <small class="muted"> {t('replayed')}</small>}
                      <FlagLabels flags={r.flags} />
                    </td>
                    <td>
                      {kind === 'window'
                        ? r.staffNo
                          ? `${staffNames.get(r.staffNo) ?? ''} ${r.staffNo}`
                          : '—'
                        : r.windowId
                          ? (windowNames.get(r.windowId) ?? r.windowId)
                          : '—'}
                    </td>
                    <td>{r.transaction?.serviceName ?? '—'}</td>
                    <td class="mono">{r.transaction?.caseNo ?? '—'}</td>
                    <td>{r.reasons.map((c) => reasonLabels.get(c) ?? c).join('、') || '—'}</td>
                    <td class="mono muted">{r.deviceId}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {ratings.next && (
              <button class="btn ghost wide" onClick={() => loadRatings(ratings.next!)}>
                {t('loadMore')}
              </button>
            )}
          </div>
        )}
      </Card>
    </div>
  )
}
