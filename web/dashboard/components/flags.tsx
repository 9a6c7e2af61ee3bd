// Integrity flags (server/integrity/): the period's counts per kind and the staff members and
// windows with the most, on the overview; the flags of each rating in the drill-down.
import { translator } from '../../shared/i18n.ts'
import { num } from '../../shared/format.ts'
import { href, type Route } from '../state.ts'
import { Card, Empty } from './ui.tsx'

export const KINDS = ['fastPress', 'burst', 'noPrompt', 'outsideHours', 'seqGap', 'clockSkew'] as const
type Kind = (typeof KINDS)[number]
type Counts = Record<Kind, number> & { total: number }

export const ft = translator({
  flagsTitle: ['异常标记', 'Integrity flags'],
  flagsHint: [
    '可能并非群众真实评价的迹象，供核查，不改变任何评价',
    'Signs that a rating may not be a citizen’s own, for checking; no rating is changed',
  ],
  fastPress: ['提示后秒按', 'Press right after prompt'],
  burst: ['连续快速评价', 'Burst of presses'],
  noPrompt: ['无提示按键', 'Press with no prompt'],
  outsideHours: ['非办公时间', 'Outside opening hours'],
  seqGap: ['评价缺失', 'Ratings never received'],
  clockSkew: ['评价器时钟偏差', 'Pad clock off'],
  who: ['人员 / 窗口', 'Staff / window'],
  total: ['合计', 'Total'],
  onlyFlagged: ['只看有标记的', 'Flagged only'],
})

export function flagLabel(kind: string) {
  return KINDS.includes(kind as Kind) ? ft(kind as Kind) : kind
}

/** The flags of one rating, as short red labels. */
export function FlagLabels({ flags }: { flags?: { kind: string }[] }) {
  if (!flags?.length) return null
  return (
    <>
      {flags.map((f) => (
        <small class="bad-text" data-flag={f.kind}>
          {' '}
          ⚑{flagLabel(f.kind)}
        </small>
      ))}
    </>
  )
}

interface FlagsReport {
  flags: Counts
  windows: { windowId: string | null; name: string | null; flags: Counts }[]
  staff: { staffNo: string | null; name: string | null; flags: Counts }[]
}

/** The overview card: counts per kind, and the five staff members with the most flags. */
export function FlagsCard({ report, route }: { report: FlagsReport; route: Route }) {
  const top = report.staff.filter((s) => s.staffNo).slice(0, 5)
  return (
    <Card title={ft('flagsTitle')} class="flags-card">
      {report.flags.total === 0 ? (
        <Empty />
      ) : (
        <div class="grid two">
          <table class="table compact" data-testid="flag-counts">
            <tbody>
              {KINDS.filter((k) => report.flags[k] > 0).map((k) => (
                <tr data-kind={k}>
                  <td>{ft(k)}</td>
                  <td class="num bad-text">{num(report.flags[k])}</td>
                </tr>
              ))}
              <tr>
                <td>
                  <b>{ft('total')}</b>
                </td>
                <td class="num">
                  <b>{num(report.flags.total)}</b>
                </td>
              </tr>
            </tbody>
          </table>
          <table class="table compact" data-testid="flag-staff">
            <thead>
              <tr>
                <th>{ft('who')}</th>
                <th class="num">{ft('total')}</th>
              </tr>
            </thead>
            <tbody>
              {top.map((s) => (
                <tr>
                  <td>
                    <a
                      href={href(`/staff/${encodeURIComponent(s.staffNo!)}`, {
                        ...route.query,
                        flagged: '1',
                      })}
                    >
                      {s.name ?? ''} {s.staffNo}
                    </a>
                    <br />
                    <small class="muted">
                      {KINDS.filter((k) => s.flags[k] > 0)
                        .map((k) => `${ft(k)} ${s.flags[k]}`)
                        .join(' · ')}
                    </small>
                  </td>
                  <td class="num">{num(s.flags.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="chart-note">{ft('flagsHint')}</p>
    </Card>
  )
}
