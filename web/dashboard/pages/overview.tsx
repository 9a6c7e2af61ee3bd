// 总览: the period's 满意率, 参评率 and 差评 against the previous period, the trend, the hour ×
// weekday heat map, the level mix and 差评 reasons, and the window and staff rankings.
import { get, type Query } from '../../shared/api.ts'
import { num, pct } from '../../shared/format.ts'
import { levelName } from '../../shared/i18n.ts'
import { t } from '../texts.ts'
import { href, pickHall, useSession, type Route } from '../state.ts'
import { useApi } from '../components/use-api.ts'
import { Filters, reportQuery, type ReportQuery } from '../components/filters.tsx'
import { ExportButtons } from '../components/exports.tsx'
import { HeatmapChart, LevelsChart, TrendChart } from '../components/report-charts.tsx'
import { RankingTable, type Metrics } from '../components/tables.tsx'
import { Card, Empty, ErrorBox, Kpi, Loading } from '../components/ui.tsx'
import { FlagsCard } from '../components/flags.tsx'

export function trendInterval(q: ReportQuery, days: number): 'day' | 'week' | 'month' {
  if (q.period === 'year' || days > 190) return 'month'
  if (q.period === 'quarter' || days > 62) return 'week'
  return 'day'
}

/** The previous period as a query, to compare against. */
export function previousQuery(q: ReportQuery, previous: { from: string; to: string }): ReportQuery {
  return q.period === 'custom'
    ? { ...q, from: previous.from, to: previous.to }
    : { ...q, date: previous.from }
}

function delta(now: number | null, before: number | null) {
  if (now === null || before === null) return null
  const d = (now - before) * 100
  return `${d > 0 ? '▲' : d < 0 ? '▼' : '±'}${Math.abs(d).toFixed(1)}%`
}

export function KpiRow({ m, prev }: { m: Metrics; prev?: Metrics }) {
  return (
    <div class="kpis">
      <Kpi
        label={t('satisfaction')}
        value={pct(m.satisfaction)}
        tone="primary"
        testId="kpi-satisfaction"
        sub={
          prev && delta(m.satisfaction, prev.satisfaction)
            ? t('vsPrevious', { d: delta(m.satisfaction, prev.satisfaction)! })
            : undefined
        }
      />
      <Kpi
        label={t('participation')}
        value={pct(m.participation)}
        testId="kpi-participation"
        sub={`${t('unrated')} ${num(m.unrated)}`}
      />
      <Kpi
        label={t('badCount')}
        value={num(m.bad)}
        tone={m.bad > 0 ? 'bad' : 'good'}
        testId="kpi-bad"
        sub={`${t('badRate')} ${pct(m.badRate)}`}
      />
      <Kpi
        label={t('rated')}
        value={num(m.rated)}
        testId="kpi-rated"
        sub={`${t('transactions')} ${num(m.transactions)}`}
      />
      <Kpi
        label={t('average')}
        value={m.average?.toFixed(2) ?? '—'}
        testId="kpi-average"
        sub={m.voided ? `${t('voided')} ${m.voided}` : undefined}
      />
    </div>
  )
}

export function OverviewPage({ route }: { route: Route }) {
  const { halls } = useSession()
  const hall = pickHall(halls, route.query.hall)
  if (!hall) return <Empty />
  const q = reportQuery(route, hall)
  const key = JSON.stringify(q)
  const data = useApi(async () => {
    const summary = await get('/reports/summary', q as unknown as Query)
    const interval = trendInterval(q, summary.period.days)
    const [previous, trend, heatmap, windows, staff, flags] = await Promise.all([
      get('/reports/summary', previousQuery(q, summary.period.previous) as unknown as Query),
      get('/reports/trend', { ...q, interval }),
      get('/reports/heatmap', { ...q, serviceCode: undefined }),
      get('/reports/windows', q as unknown as Query),
      get('/reports/staff', q as unknown as Query),
      get('/reports/flags', { ...q, serviceCode: undefined, asOf: undefined }),
    ])
    return { summary, previous, trend, heatmap, windows, staff, flags, interval }
  }, [key])
  const d = data.data
  const windowNames = new Map<string, string>((d?.windows.rows ?? []).map((r: any) => [r.windowId, r.name]))
  const policy = d?.summary.unratedPolicy
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          {t('overviewTitle')}
          <small>{hall.name}</small>
        </h1>
        <ExportButtons report="summary" query={q as unknown as Query} />
      </div>
      <Filters route={route} halls={halls} hall={hall} periodLabel={d?.summary.period.label} />
      <ErrorBox error={data.error} />
      {!d ? (
        <Loading />
      ) : (
        <>
          <KpiRow m={d.summary.metrics} prev={d.previous.metrics} />
          {policy?.mode === 'default' && (
            <p class="note">
              {t('unratedPolicyNote', { level: levelName(policy.level), days: policy.afterDays })}
            </p>
          )}
          <div class="grid two">
            <Card
              title={t('trend')}
              actions={<ExportButtons report="trend" query={{ ...q, interval: d.interval }} />}
            >
              <TrendChart points={d.trend.points} />
            </Card>
            <Card
              title={t('heatmap')}
              actions={<ExportButtons report="heatmap" query={{ ...q, serviceCode: undefined }} />}
            >
              <HeatmapChart cells={d.heatmap.cells} />
              <p class="chart-note">{t('heatmapHint')}</p>
            </Card>
          </div>
          <div class="grid three">
            <Card title={t('levels')}>
              {d.summary.metrics.rated + d.summary.metrics.defaulted > 0 ? (
                <div class="levels">
                  <LevelsChart metrics={d.summary.metrics} />
                  <ul class="level-list">
                    {[5, 4, 3, 2, 1].map((l) => (
                      <li>
                        <i class={`dot l${l}`} />
                        {levelName(l)}
                        <b>{num(d.summary.metrics.levels[String(l)])}</b>
                      </li>
                    ))}
                  </ul>
                </div>
              ) : (
                <Empty />
              )}
            </Card>
            <Card title={t('reasons')} class="span2">
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
          <FlagsCard report={d.flags} route={route} />
          <div class="grid two">
            <Card
              title={t('windowRanking')}
              actions={
                <>
                  <ExportButtons report="windows" query={q as unknown as Query} />
                  <a class="btn small ghost" href={href('/windows', route.query)}>
                    {t('showAll')} →
                  </a>
                </>
              }
            >
              <RankingTable
                rows={d.windows.rows}
                limit={10}
                compact
                link={(r) =>
                  r.windowId ? href(`/windows/${encodeURIComponent(r.windowId)}`, route.query) : null
                }
              />
            </Card>
            <Card
              title={t('staffRanking')}
              actions={
                <>
                  <ExportButtons report="staff" query={q as unknown as Query} />
                  <a class="btn small ghost" href={href('/staff', route.query)}>
                    {t('showAll')} →
                  </a>
                </>
              }
            >
              <RankingTable
                rows={d.staff.rows}
                limit={10}
                compact
                windowNames={windowNames}
                link={(r) =>
                  r.staffNo ? href(`/staff/${encodeURIComponent(r.staffNo)}`, route.query) : null
                }
              />
            </Card>
          </div>
        </>
      )}
    </div>
  )
}
