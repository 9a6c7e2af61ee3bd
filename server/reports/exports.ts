// What each export contains: the report (or the raw ratings) as one table with Chinese or English
// column headers, and notes saying which hall, period and unrated policy it covers.
import { LEVEL_LABELS, type Level } from '../../protocol/index.ts'
import type { RatingView } from '../repositories/ratings.ts'
import { localDateTime } from './local-time.ts'
import type { AppliedPolicy, Metrics, RankBy } from './metrics.ts'
import type { ReportFilters, ReportService } from './service.ts'
import type { Column, ExportDocument } from './tabular.ts'

type Report<K extends keyof ReportService> = Awaited<ReturnType<ReportService[K]>>
type Text = { zh: string; en: string }
const t = (zh: string, en: string): Text => ({ zh, en })

// ---------------------------------------------------------------- columns

const metricColumns: Column<{ metrics: Metrics }>[] = [
  { ...t('评价数', 'Ratings'), kind: 'integer', value: (r) => r.metrics.rated },
  ...([5, 4, 3, 2, 1] as Level[]).map((l): Column<{ metrics: Metrics }> => ({
    ...t(LEVEL_LABELS[l].zh, LEVEL_LABELS[l].en),
    kind: 'integer',
    value: (r) => r.metrics.levels[String(l) as '1'],
  })),
  { ...t('默认计入数', 'Counted by default'), kind: 'integer', value: (r) => r.metrics.defaulted },
  { ...t('好评数', 'Good'), kind: 'integer', value: (r) => r.metrics.good },
  { ...t('差评数', 'Bad'), kind: 'integer', value: (r) => r.metrics.bad },
  { ...t('满意率', 'Satisfaction rate'), kind: 'percent', value: (r) => r.metrics.satisfaction },
  { ...t('差评率', 'Bad rate'), kind: 'percent', value: (r) => r.metrics.badRate },
  { ...t('平均等级', 'Average level'), kind: 'decimal', value: (r) => r.metrics.average },
  { ...t('未评价数', 'Unrated'), kind: 'integer', value: (r) => r.metrics.unrated },
  { ...t('办件数', 'Transactions'), kind: 'integer', value: (r) => r.metrics.transactions },
  { ...t('参评率', 'Participation rate'), kind: 'percent', value: (r) => r.metrics.participation },
  { ...t('作废数', 'Voided'), kind: 'integer', value: (r) => r.metrics.voided },
]

interface Ranked {
  metrics: Metrics
  rank: number | null
  previousRank: number | null
  rankChange: number | null
}
const rankColumns = (vs: Text, field: 'vsHall' | 'vsAverage'): Column<Ranked & Record<string, unknown>>[] => [
  { ...t('排名', 'Rank'), kind: 'integer', value: (r) => r.rank },
  { ...t('上期排名', 'Previous rank'), kind: 'integer', value: (r) => r.previousRank },
  { ...t('名次变化', 'Rank change'), kind: 'integer', value: (r) => r.rankChange },
  ...metricColumns,
  {
    zh: `满意率${vs.zh}`,
    en: `Satisfaction rate ${vs.en}`,
    kind: 'percent',
    value: (r) => (r[field] as { satisfaction: number | null }).satisfaction,
  },
  {
    zh: `差评率${vs.zh}`,
    en: `Bad rate ${vs.en}`,
    kind: 'percent',
    value: (r) => (r[field] as { badRate: number | null }).badRate,
  },
]
const VS_HALL = t('较大厅平均', 'vs hall average')

// ---------------------------------------------------------------- notes

export function policyText(p: AppliedPolicy): Text {
  if (p.mode === 'keep') return t('未评价的办件保持未评价', 'Unrated transactions are kept as unrated')
  const label = LEVEL_LABELS[p.level]
  return t(
    `未评价满${p.afterDays}个自然日的办件计为“${label.zh}”（${p.countedThrough}及以前，计算日${p.asOf}）`,
    `Unrated transactions count as "${label.en}" after ${p.afterDays} calendar days (through ${p.countedThrough}, as of ${p.asOf})`,
  )
}

const RANK_BY_TEXT: Record<RankBy, Text> = {
  satisfaction: t('满意率', 'satisfaction rate'),
  badRate: t('差评率（低者在前）', 'bad rate (lowest first)'),
  average: t('平均等级', 'average level'),
  participation: t('参评率', 'participation rate'),
  rated: t('评价数', 'number of ratings'),
}

interface Header {
  hall?: { id: string; name: string; timeZone: string }
  period: { label: string; from: string; to: string }
  unratedPolicy?: AppliedPolicy
  rankedBy?: RankBy
  filters?: ReportFilters
}
function notes(h: Header, exportedAt: Date): ExportDocument<unknown>['notes'] {
  const n: ExportDocument<unknown>['notes'] = []
  if (h.hall) {
    n.push({
      label: t('大厅', 'Hall'),
      value: t(`${h.hall.name}（${h.hall.id}）`, `${h.hall.name} (${h.hall.id})`),
    })
    n.push({ label: t('时区', 'Time zone'), value: t(h.hall.timeZone, h.hall.timeZone) })
  }
  const range = `${h.period.from} ~ ${h.period.to}`
  n.push({
    label: t('统计周期', 'Period'),
    value: t(`${h.period.label}（${range}）`, `${h.period.label} (${range})`),
  })
  for (const [k, v] of Object.entries(h.filters ?? {}))
    if (v !== undefined) n.push({ label: t(`筛选：${FILTER_ZH[k] ?? k}`, `Filter: ${k}`), value: t(v, v) })
  if (h.unratedPolicy)
    n.push({ label: t('未评价处理', 'Unrated policy'), value: policyText(h.unratedPolicy) })
  if (h.rankedBy) n.push({ label: t('排名依据', 'Ranked by'), value: RANK_BY_TEXT[h.rankedBy] })
  n.push({
    label: t('说明', 'Note'),
    value: t(
      '满意率=好评（非常满意、满意、基本满意）÷计入评价数；差评率=差评（不满意、非常不满意）÷计入评价数；参评率=评价数÷办件数；作废的评价不计入任何比率',
      'Satisfaction = good (top three levels) ÷ counted ratings; bad rate = bad (bottom two) ÷ counted ratings; participation = ratings ÷ transactions; voided ratings are outside every rate',
    ),
  })
  n.push({
    label: t('导出时间', 'Exported at'),
    value: t(exportedAt.toISOString(), exportedAt.toISOString()),
  })
  return n
}
const FILTER_ZH: Record<string, string> = { windowId: '窗口', staffNo: '工号', serviceCode: '事项编码' }

/** The Chinese name carries the hall's name, the English (and ASCII fallback) its id. */
const fileName = (
  zh: string,
  en: string,
  hall: { id: string; name: string } | undefined,
  ...rest: string[]
) =>
  t(
    [zh, ...(hall ? [hall.name] : []), ...rest].join('_'),
    [en, ...(hall ? [hall.id] : []), ...rest].join('_'),
  )

// ---------------------------------------------------------------- reports

type MetricRow = { label: Text; value: number | null; kind: 'integer' | 'percent' | 'decimal' }

export function summaryExport(r: Report<'summary'>, now = new Date()): ExportDocument<MetricRow> {
  const m = r.metrics
  const rows: MetricRow[] = [
    { label: t('评价数', 'Ratings'), value: m.rated, kind: 'integer' },
    ...([5, 4, 3, 2, 1] as Level[]).map((l) => ({
      label: t(LEVEL_LABELS[l].zh, LEVEL_LABELS[l].en),
      value: m.levels[String(l) as '1'],
      kind: 'integer' as const,
    })),
    { label: t('默认计入数', 'Counted by default'), value: m.defaulted, kind: 'integer' },
    { label: t('好评数', 'Good'), value: m.good, kind: 'integer' },
    { label: t('差评数', 'Bad'), value: m.bad, kind: 'integer' },
    { label: t('满意率', 'Satisfaction rate'), value: m.satisfaction, kind: 'percent' },
    { label: t('差评率', 'Bad rate'), value: m.badRate, kind: 'percent' },
    { label: t('平均等级', 'Average level'), value: m.average, kind: 'decimal' },
    { label: t('未评价数', 'Unrated'), value: m.unrated, kind: 'integer' },
    { label: t('办件数', 'Transactions'), value: m.transactions, kind: 'integer' },
    { label: t('参评率', 'Participation rate'), value: m.participation, kind: 'percent' },
    { label: t('作废数', 'Voided'), value: m.voided, kind: 'integer' },
    ...r.reasons.map((x) => ({
      label: t(`差评原因：${x.label}`, `Bad-rating reason: ${x.code}`),
      value: x.count,
      kind: 'integer' as const,
    })),
  ]
  return {
    fileName: fileName('测评汇总', 'summary', r.hall, r.period.label),
    table: {
      sheet: t('测评汇总', 'Summary'),
      columns: [
        { ...t('指标', 'Metric'), width: 28, value: (x, lang) => x.label[lang] },
        { ...t('数值', 'Value'), width: 14, value: (x) => x.value, kindOf: (x) => x.kind },
      ],
      rows,
    },
    notes: notes(r, now),
  }
}

export function breakdownExport(
  dim: 'window' | 'staff' | 'service',
  r: Report<'breakdown'>,
  now = new Date(),
): ExportDocument<Report<'breakdown'>['rows'][number]> {
  type Row = Report<'breakdown'>['rows'][number] & Record<string, unknown>
  const identity: Column<Row>[] =
    dim === 'window'
      ? [
          { ...t('窗口编号', 'Window id'), value: (x) => x.windowId as string | null },
          {
            ...t('窗口', 'Window'),
            value: (x, lang) =>
              (x.name as string | null) ?? (lang === 'zh' ? '（未绑定窗口）' : '(no window)'),
          },
        ]
      : dim === 'staff'
        ? [
            { ...t('工号', 'Staff no.'), value: (x) => x.staffNo as string | null },
            {
              ...t('姓名', 'Name'),
              value: (x, lang) =>
                (x.name as string | null) ??
                (x.staffNo ? null : lang === 'zh' ? '（未登录）' : '(not signed in)'),
            },
            { ...t('服务窗口', 'Windows'), value: (x) => (x.windowIds as string[]).join(' ') },
          ]
        : [
            { ...t('事项编码', 'Service code'), value: (x) => x.serviceCode as string | null },
            { ...t('事项名称', 'Service item'), width: 30, value: (x) => x.serviceName as string | null },
          ]
  const [zh, en] =
    dim === 'window'
      ? ['窗口测评', 'windows']
      : dim === 'staff'
        ? ['人员测评', 'staff']
        : ['事项测评', 'services']
  return {
    fileName: fileName(zh, en, r.hall, r.period.label),
    table: {
      sheet: t(zh, en),
      columns: [...identity, ...(rankColumns(VS_HALL, 'vsHall') as Column<Row>[])],
      rows: r.rows as Row[],
    },
    notes: notes(r, now),
  } as ExportDocument<Report<'breakdown'>['rows'][number]>
}

export function hallsExport(
  r: Report<'halls'>,
  now = new Date(),
): ExportDocument<Report<'halls'>['rows'][number]> {
  type Row = Report<'halls'>['rows'][number] & Record<string, unknown>
  const columns: Column<Row>[] = [
    { ...t('大厅编号', 'Hall id'), value: (x) => x.hallId },
    { ...t('大厅', 'Hall'), width: 24, value: (x) => x.name },
    ...(rankColumns(t('较各大厅平均', 'vs all halls'), 'vsAverage') as Column<Row>[]),
    {
      ...t('未评价处理', 'Unrated policy'),
      width: 40,
      value: (x, lang) => policyText(x.unratedPolicy)[lang],
    },
  ]
  return {
    fileName: fileName('大厅排名', 'halls', undefined, r.period.label),
    table: { sheet: t('大厅排名', 'Halls'), columns, rows: r.rows as Row[] },
    notes: notes({ period: r.period, rankedBy: r.rankedBy }, now),
  } as ExportDocument<Report<'halls'>['rows'][number]>
}

export function trendExport(
  r: Report<'trend'>,
  now = new Date(),
): ExportDocument<Report<'trend'>['points'][number]> {
  type Row = Report<'trend'>['points'][number]
  const columns: Column<Row>[] = [
    { ...t('周期', 'Period'), value: (x) => x.label },
    { ...t('开始日期', 'From'), value: (x) => x.from },
    { ...t('结束日期', 'To'), value: (x) => x.to },
    ...(metricColumns as Column<Row>[]),
  ]
  return {
    fileName: fileName('测评趋势', 'trend', r.hall, r.period.label, r.interval),
    table: { sheet: t('测评趋势', 'Trend'), columns, rows: r.points },
    notes: notes(r, now),
  }
}

const WEEKDAYS: Text[] = [
  t('周一', 'Monday'),
  t('周二', 'Tuesday'),
  t('周三', 'Wednesday'),
  t('周四', 'Thursday'),
  t('周五', 'Friday'),
  t('周六', 'Saturday'),
  t('周日', 'Sunday'),
]

export function heatmapExport(
  r: Report<'heatmap'>,
  now = new Date(),
): ExportDocument<Report<'heatmap'>['cells'][number]> {
  type Row = Report<'heatmap'>['cells'][number]
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`
  const columns: Column<Row>[] = [
    { ...t('星期', 'Weekday'), value: (x, lang) => WEEKDAYS[x.weekday - 1][lang] },
    { ...t('时段', 'Hour'), value: (x) => `${hh(x.hour)}-${hh(x.hour + 1)}` },
    ...(metricColumns as Column<Row>[]),
  ]
  return {
    fileName: fileName('时段分布', 'heatmap', r.hall, r.period.label),
    table: { sheet: t('时段分布', 'Heat map'), columns, rows: r.cells },
    notes: notes(r, now),
  }
}

// ---------------------------------------------------------------- raw ratings

export interface RatingExportContext {
  halls: Map<string, { name: string; timeZone: string; reasons: Map<string, string> }>
  windows: Map<string, string>
  /** Hall and period when the export was filtered by them, for the file name and notes. */
  hall?: { id: string; name: string; timeZone: string }
  period?: { label: string; from: string; to: string }
}

/** Integrity flags (server/integrity/) as the ratings export names them. */
const FLAG_LABELS: Record<string, { zh: string; en: string }> = {
  fastPress: { zh: '提示后秒按', en: 'fastPress' },
  burst: { zh: '连续快速评价', en: 'burst' },
  outsideHours: { zh: '非办公时间', en: 'outsideHours' },
  clockSkew: { zh: '评价器时钟偏差', en: 'clockSkew' },
  seqGap: { zh: '之前有评价缺失', en: 'seqGap' },
}

export function ratingsExport(
  rows: AsyncIterable<RatingView>,
  ctx: RatingExportContext,
  now = new Date(),
): ExportDocument<RatingView> {
  const zone = (r: RatingView) => ctx.halls.get(r.hallId)?.timeZone ?? 'Asia/Shanghai'
  const columns: Column<RatingView>[] = [
    { ...t('评价时间', 'Rated at'), width: 20, value: (r) => localDateTime(new Date(r.occurredAt), zone(r)) },
    { ...t('日期', 'Day'), width: 12, value: (r) => r.day },
    { ...t('大厅', 'Hall'), width: 20, value: (r) => ctx.halls.get(r.hallId)?.name ?? r.hallId },
    {
      ...t('窗口', 'Window'),
      value: (r) => (r.windowId ? (ctx.windows.get(r.windowId) ?? r.windowId) : null),
    },
    { ...t('工号', 'Staff no.'), value: (r) => r.staffNo },
    { ...t('事项编码', 'Service code'), value: (r) => r.transaction?.serviceCode ?? null },
    { ...t('事项名称', 'Service item'), width: 24, value: (r) => r.transaction?.serviceName ?? null },
    { ...t('办件编号', 'Case no.'), width: 18, value: (r) => r.transaction?.caseNo ?? null },
    { ...t('评价', 'Rating'), value: (r, lang) => LEVEL_LABELS[r.level as Level][lang] },
    { ...t('等级', 'Level'), kind: 'integer', value: (r) => r.level },
    {
      ...t('好差评', 'Class'),
      value: (r, lang) => (r.class === 'good' ? t('好评', 'good') : t('差评', 'bad'))[lang],
    },
    {
      ...t('差评原因', 'Reasons'),
      width: 20,
      value: (r, lang) => {
        const labels = ctx.halls.get(r.hallId)?.reasons
        return r.reasons
          .map((c) => (lang === 'zh' ? (labels?.get(c) ?? c) : c))
          .join(lang === 'zh' ? '、' : ', ')
      },
    },
    { ...t('键数', 'Keys'), kind: 'integer', value: (r) => r.scale },
    { ...t('评价器', 'Pad'), value: (r) => r.deviceId },
    { ...t('已作废', 'Voided'), value: (r, lang) => (r.voided ? t('是', 'yes') : t('否', 'no'))[lang] },
    { ...t('作废原因', 'Void reason'), value: (r) => r.voided?.reason ?? null },
    {
      ...t('异常标记', 'Flags'),
      width: 16,
      value: (r, lang) =>
        r.flags.map((f) => FLAG_LABELS[f.kind]?.[lang] ?? f.kind).join(lang === 'zh' ? '、' : ', ') || null,
    },
    {
      ...t('接收时间', 'Received at'),
      width: 20,
      value: (r) => localDateTime(new Date(r.receivedAt), zone(r)),
    },
    { ...t('评价编号', 'Rating id'), width: 38, value: (r) => r.id },
  ]
  return {
    fileName: fileName('评价明细', 'ratings', ctx.hall, ctx.period?.label ?? 'all'),
    table: { sheet: t('评价明细', 'Ratings'), columns, rows },
    notes: notes({ hall: ctx.hall, period: ctx.period ?? { label: 'all', from: '…', to: '…' } }, now),
  }
}
