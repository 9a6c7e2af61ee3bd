// Ranking pages: windows, staff and service items of a hall, and the halls themselves.
import { get, type Query } from '../../shared/api.ts'
import { t } from '../texts.ts'
import { href, navigate, pickHall, useSession, type Route } from '../state.ts'
import { useApi } from '../components/use-api.ts'
import { Filters, reportQuery } from '../components/filters.tsx'
import { ExportButtons } from '../components/exports.tsx'
import { RankingTable } from '../components/tables.tsx'
import { Card, Empty, ErrorBox, Loading } from '../components/ui.tsx'
import { KpiRow } from './overview.tsx'

const RANK_BY = ['satisfaction', 'badRate', 'average', 'participation', 'rated'] as const

function RankControls({ route }: { route: Route }) {
  const by = route.query.by ?? 'satisfaction'
  const minRated = route.query.minRated ?? '1'
  return (
    <div class="rank-controls">
      <label class="filter inline">
        <span>{t('rankBy')}</span>
        <select
          name="by"
          value={by}
          onChange={(e) => navigate(route.path, { ...route.query, by: e.currentTarget.value })}
        >
          {RANK_BY.map((b) => (
            <option value={b}>{t(`by_${b}`)}</option>
          ))}
        </select>
      </label>
      <label class="filter inline">
        <span>{t('minRated')}</span>
        <input
          type="number"
          min="1"
          name="minRated"
          value={minRated}
          style={{ width: '5em' }}
          onChange={(e) => navigate(route.path, { ...route.query, minRated: e.currentTarget.value || '1' })}
        />
      </label>
    </div>
  )
}

export function RankingPage({ route, dim }: { route: Route; dim: 'windows' | 'staff' | 'services' }) {
  const { halls } = useSession()
  const hall = pickHall(halls, route.query.hall)
  if (!hall) return <Empty />
  const q = {
    ...reportQuery(route, hall),
    by: route.query.by ?? 'satisfaction',
    minRated: route.query.minRated ?? '1',
  }
  const data = useApi(
    () => Promise.all([get(`/reports/${dim}`, q as unknown as Query), get('/windows', { hallId: hall.id })]),
    [JSON.stringify(q), dim],
  )
  const [report, windows] = data.data ?? []
  const windowNames = new Map<string, string>((windows ?? []).map((w: any) => [w.id, w.name]))
  const title = dim === 'windows' ? t('windowsTitle') : dim === 'staff' ? t('staffTitle') : t('servicesTitle')
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          {title}
          <small>{hall.name}</small>
        </h1>
        <ExportButtons report={dim} query={q as unknown as Query} />
      </div>
      <Filters
        route={route}
        halls={halls}
        hall={hall}
        show={{ window: dim !== 'windows', staff: dim !== 'staff', service: dim !== 'services' }}
        periodLabel={report?.period.label}
      />
      <ErrorBox error={data.error} />
      {!report ? (
        <Loading />
      ) : (
        <>
          <KpiRow m={report.hallAverage} />
          <Card title={`${title} · ${report.period.label}`} actions={<RankControls route={route} />}>
            <RankingTable
              rows={report.rows}
              showStaffNo={dim === 'staff'}
              windowNames={windowNames}
              link={(r) =>
                dim === 'windows' && r.windowId
                  ? href(`/windows/${encodeURIComponent(r.windowId)}`, route.query)
                  : dim === 'staff' && r.staffNo
                    ? href(`/staff/${encodeURIComponent(r.staffNo)}`, route.query)
                    : null
              }
            />
          </Card>
        </>
      )}
    </div>
  )
}

export function HallsPage({ route }: { route: Route }) {
  const { halls } = useSession()
  const hall = pickHall(halls, route.query.hall)
  if (!hall) return <Empty />
  const { hallId: _h, windowId: _w, staffNo: _s, serviceCode: _c, ...period } = reportQuery(route, hall)
  const q = { ...period, by: route.query.by ?? 'satisfaction', minRated: route.query.minRated ?? '1' }
  const data = useApi(() => get('/reports/halls', q as unknown as Query), [JSON.stringify(q)])
  return (
    <div class="page">
      <div class="page-head">
        <h1>{t('hallsTitle')}</h1>
        <ExportButtons report="halls" query={q as unknown as Query} />
      </div>
      <Filters
        route={route}
        halls={[]}
        hall={hall}
        show={{ window: false, staff: false, service: false }}
        periodLabel={data.data?.period.label}
      />
      <ErrorBox error={data.error} />
      {!data.data ? (
        <Loading />
      ) : (
        <>
          <KpiRow m={data.data.average} />
          <Card
            title={`${t('hallsTitle')} · ${data.data.period.label}`}
            actions={<RankControls route={route} />}
          >
            <RankingTable
              rows={data.data.rows}
              link={(r) => href('/overview', { ...route.query, hall: r.hallId })}
            />
          </Card>
        </>
      )}
    </div>
  )
}
