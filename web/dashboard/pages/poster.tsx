// 月度排名海报: the month's window ranking and service stars on one A4 page, for the notice board.
// Printed with the browser (print CSS: A4 portrait, no navigation).
import { get } from '../../shared/api.ts'
import { num, pct, todayIn } from '../../shared/format.ts'
import { lang } from '../../shared/i18n.ts'
import { t } from '../texts.ts'
import { href, navigate, pickHall, useSession, type Route } from '../state.ts'
import { useApi } from '../components/use-api.ts'
import { Empty, ErrorBox, Loading } from '../components/ui.tsx'
import { ExportButtons } from '../components/exports.tsx'
import { LangToggle } from '../app.tsx'

function monthLabel(month: string) {
  const [y, m] = month.split('-')
  return lang.value === 'zh'
    ? `${y}年${Number(m)}月`
    : new Date(`${month}-01T12:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric' })
}

export function PosterPage({ route }: { route: Route }) {
  const { halls } = useSession()
  const hall = pickHall(halls, route.query.hall)
  if (!hall) return <Empty />
  // Default: last month, the one a notice board shows.
  const month =
    route.query.month ??
    (() => {
      const d = new Date(`${todayIn(hall.timeZone)}T12:00:00Z`)
      d.setUTCMonth(d.getUTCMonth() - 1, 1)
      return d.toISOString().slice(0, 7)
    })()
  const q = { hallId: hall.id, period: 'month', date: `${month}-01`, by: 'satisfaction', minRated: '1' }
  const data = useApi(
    () =>
      Promise.all([get('/reports/windows', q), get('/reports/staff', q), get('/staff', { hallId: hall.id })]),
    [JSON.stringify(q)],
  )
  const [windows, staff, people] = data.data ?? []
  const photos = new Map<string, string | null>((people ?? []).map((s: any) => [s.staffNo, s.photoUrl]))
  const ranked = (windows?.rows ?? []).filter((r: any) => r.windowId && r.rank !== null)
  const stars = (staff?.rows ?? []).filter((r: any) => r.staffNo && r.rank !== null).slice(0, 5)
  return (
    <div class="poster-page">
      <div class="poster-tools no-print">
        <a class="btn ghost" href={href('/overview', { hall: hall.id })}>
          ← {t('back')}
        </a>
        <label class="filter inline">
          <span>{t('month')}</span>
          <input
            type="month"
            name="month"
            value={month}
            onChange={(e) => navigate('/poster', { hall: hall.id, month: e.currentTarget.value })}
          />
        </label>
        {halls.length > 1 && (
          <select
            value={hall.id}
            onChange={(e) => navigate('/poster', { hall: e.currentTarget.value, month })}
          >
            {halls.map((h) => (
              <option value={h.id}>{h.name}</option>
            ))}
          </select>
        )}
        <LangToggle />
        <ExportButtons report="windows" query={q} />
        <button class="btn primary" onClick={() => print()}>
          {t('print')}
        </button>
      </div>
      <ErrorBox error={data.error} />
      {!windows ? (
        <Loading />
      ) : (
        <article class="poster" data-testid="poster">
          <header class="poster-head">
            <div class="poster-emblem">★</div>
            <h1>{t('posterTitle', { hall: hall.name, month: monthLabel(month) })}</h1>
            <div class="poster-sub">
              {t('satisfaction')} <b>{pct(windows.hallAverage.satisfaction)}</b> · {t('rated')}{' '}
              <b>{num(windows.hallAverage.rated)}</b> · {t('participation')}{' '}
              <b>{pct(windows.hallAverage.participation)}</b>
            </div>
          </header>
          {stars.length > 0 && (
            <section class="poster-stars">
              <h2>{t('posterStaff')}</h2>
              <div class="star-row">
                {stars.map((s: any) => (
                  <div class="star-card">
                    {photos.get(s.staffNo) ? (
                      <img src={photos.get(s.staffNo)!} alt="" />
                    ) : (
                      <div class="star-ph">{(s.name ?? s.staffNo).slice(-2)}</div>
                    )}
                    <div class="star-rank">No.{s.rank}</div>
                    <b>{s.name ?? s.staffNo}</b>
                    <span>{pct(s.metrics.satisfaction)}</span>
                  </div>
                ))}
              </div>
            </section>
          )}
          <table class="poster-table">
            <thead>
              <tr>
                <th>{t('rank')}</th>
                <th>{t('window')}</th>
                <th>{t('rated')}</th>
                <th>{t('satisfaction')}</th>
                <th>{t('bad')}</th>
                <th>{t('participation')}</th>
              </tr>
            </thead>
            <tbody>
              {ranked.map((r: any) => (
                <tr class={r.rank !== null && r.rank <= 3 ? `top top${r.rank}` : ''}>
                  <td>{r.rank ?? '—'}</td>
                  <td class="left">{r.name ?? r.windowId}</td>
                  <td>{num(r.metrics.rated)}</td>
                  <td>
                    <b>{pct(r.metrics.satisfaction)}</b>
                  </td>
                  <td>{num(r.metrics.bad)}</td>
                  <td>{pct(r.metrics.participation)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <footer class="poster-foot">
            {t('posterFooter', {
              from: windows.period.from,
              to: windows.period.to,
              at: todayIn(hall.timeZone),
            })}
          </footer>
        </article>
      )}
    </div>
  )
}
