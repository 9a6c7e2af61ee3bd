// Ranking tables: one row per window, staff member, service item or hall, best first.
import { num, pct, signedPct } from '../../shared/format.ts'
import { t } from '../texts.ts'
import { RankChange, RateBar } from './ui.tsx'

export interface Metrics {
  levels: Record<'1' | '2' | '3' | '4' | '5', number>
  rated: number
  defaulted: number
  good: number
  bad: number
  satisfaction: number | null
  badRate: number | null
  average: number | null
  unrated: number
  transactions: number
  participation: number | null
  voided: number
}

export interface RankRow {
  windowId?: string | null
  staffNo?: string | null
  serviceCode?: string | null
  serviceName?: string | null
  hallId?: string
  name?: string | null
  windowIds?: string[]
  metrics: Metrics
  rank: number | null
  rankChange: number | null
  vsHall?: { satisfaction: number | null }
  vsAverage?: { satisfaction: number | null }
}

export function rowName(r: RankRow): string {
  if (r.serviceName !== undefined || r.serviceCode !== undefined)
    return r.serviceName ?? r.serviceCode ?? t('noStaffOrWindow')
  return r.name ?? r.staffNo ?? r.windowId ?? r.hallId ?? t('noStaffOrWindow')
}

export function RankingTable(props: {
  rows: RankRow[]
  limit?: number
  /** Link of a row (drill-down), or none. */
  link?: (r: RankRow) => string | null
  windowNames?: Map<string, string>
  showStaffNo?: boolean
  compact?: boolean
}) {
  const rows = props.limit ? props.rows.slice(0, props.limit) : props.rows
  if (!rows.length) return <div class="empty">{t('noData')}</div>
  return (
    <div class="table-wrap">
      <table class={`table ranking ${props.compact ? 'compact' : ''}`}>
        <thead>
          <tr>
            <th class="num">{t('rank')}</th>
            <th>{t('name')}</th>
            {props.showStaffNo && <th>{t('staffNo')}</th>}
            <th class="num">{t('rated')}</th>
            <th class="rate">{t('satisfaction')}</th>
            <th class="num">{t('bad')}</th>
            {!props.compact && <th class="num">{t('participation')}</th>}
            {!props.compact && <th class="num">{t('average')}</th>}
            {!props.compact && <th class="num">{t('vsHall')}</th>}
            <th class="num">{t('rankChange')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const link = props.link?.(r)
            const name = rowName(r)
            const vs = (r.vsHall ?? r.vsAverage)?.satisfaction ?? null
            return (
              <tr class={r.rank === 1 ? 'first' : ''}>
                <td class="num">
                  {r.rank === null ? (
                    <span class="muted" title={t('notRanked')}>
                      –
                    </span>
                  ) : (
                    <span class={`rank-badge r${Math.min(r.rank, 4)}`}>{r.rank}</span>
                  )}
                </td>
                <td>
                  {link ? <a href={link}>{name}</a> : name}
                  {r.windowIds && r.windowIds.length > 0 && props.windowNames && (
                    <small class="muted">
                      {' '}
                      · {r.windowIds.map((w) => props.windowNames!.get(w) ?? w).join('、')}
                    </small>
                  )}
                </td>
                {props.showStaffNo && <td class="mono">{r.staffNo ?? '—'}</td>}
                <td class="num">{num(r.metrics.rated)}</td>
                <td class="rate">
                  <RateBar value={r.metrics.satisfaction} />
                </td>
                <td class={`num ${r.metrics.bad > 0 ? 'bad-text' : ''}`}>{num(r.metrics.bad)}</td>
                {!props.compact && <td class="num">{pct(r.metrics.participation)}</td>}
                {!props.compact && <td class="num">{r.metrics.average?.toFixed(2) ?? '—'}</td>}
                {!props.compact && (
                  <td
                    class={`num ${vs !== null && vs < 0 ? 'bad-text' : vs !== null && vs > 0 ? 'good-text' : ''}`}
                  >
                    {signedPct(vs)}
                  </td>
                )}
                <td class="num">
                  <RankChange change={r.rankChange} />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
