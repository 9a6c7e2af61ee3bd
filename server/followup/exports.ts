// The follow-up list as a file (XLSX or CSV through the reports' tabular writer), Chinese headers
// by default, times in each hall's zone.
import { localDateTime } from '../reports/local-time.ts'
import type { Column, ExportDocument } from '../reports/tabular.ts'
import type { CaseView } from './service.ts'

type Text = { zh: string; en: string }
const t = (zh: string, en: string): Text => ({ zh, en })

export interface FollowupExportContext {
  halls: Map<string, { name: string; timeZone: string; reasons: Map<string, string> }>
  windows: Map<string, string>
  staff: Map<string, string>
  hall?: { id: string; name: string }
  /** The filters, as notes. */
  filters: Record<string, string | undefined>
  now: Date
}

const yesNo = (v: boolean | null, lang: 'zh' | 'en') =>
  v === null ? null : (v ? t('是', 'yes') : t('否', 'no'))[lang]

export function followupsExport(
  rows: AsyncIterable<CaseView>,
  ctx: FollowupExportContext,
): ExportDocument<CaseView> {
  const zone = (c: CaseView) => ctx.halls.get(c.hallId)?.timeZone ?? 'Asia/Shanghai'
  const at = (c: CaseView, v: string | null) => (v ? localDateTime(new Date(v), zone(c)) : null)
  const columns: Column<CaseView>[] = [
    { ...t('评价时间', 'Rated at'), width: 20, value: (c) => at(c, c.ratedAt) },
    { ...t('大厅', 'Hall'), width: 20, value: (c) => ctx.halls.get(c.hallId)?.name ?? c.hallId },
    {
      ...t('窗口', 'Window'),
      value: (c) => (c.windowId ? (ctx.windows.get(c.windowId) ?? c.windowId) : null),
    },
    { ...t('工号', 'Staff no.'), value: (c) => c.staffNo },
    { ...t('姓名', 'Name'), value: (c) => (c.staffNo ? (ctx.staff.get(c.staffNo) ?? null) : null) },
    { ...t('事项名称', 'Service item'), width: 24, value: (c) => c.service?.name ?? c.service?.code ?? null },
    { ...t('办件编号', 'Case no.'), width: 18, value: (c) => c.caseNo },
    { ...t('评价', 'Rating'), value: (c) => c.levelLabel },
    {
      ...t('差评原因', 'Reasons'),
      width: 20,
      value: (c, lang) => {
        const labels = ctx.halls.get(c.hallId)?.reasons
        return c.reasons
          .map((r) => (lang === 'zh' ? (labels?.get(r) ?? r) : r))
          .join(lang === 'zh' ? '、' : ', ')
      },
    },
    { ...t('状态', 'State'), width: 14, value: (c, lang) => (lang === 'zh' ? c.stateLabel : c.state) },
    { ...t('是否逾期', 'Overdue'), value: (c, lang) => yesNo(c.overdue, lang) },
    { ...t('回访期限', 'Callback due'), width: 12, value: (c) => c.callback.dueDay },
    { ...t('回访时间', 'Called back at'), width: 20, value: (c) => at(c, c.callback.doneAt) },
    { ...t('按时回访', 'Called back on time'), value: (c, lang) => yesNo(c.callback.onTime, lang) },
    {
      ...t('整改类型', 'Rectification'),
      value: (c, lang) => (lang === 'zh' ? c.rectify.kindLabel : c.rectify.kind),
    },
    { ...t('整改期限', 'Rectification due'), width: 12, value: (c) => c.rectify.dueDay },
    { ...t('整改完成时间', 'Rectified at'), width: 20, value: (c) => at(c, c.rectify.doneAt) },
    { ...t('按时整改', 'Rectified on time'), value: (c, lang) => yesNo(c.rectify.onTime, lang) },
    { ...t('反馈时间', 'Closed at'), width: 20, value: (c) => at(c, c.closedAt) },
    { ...t('作废时间', 'Voided at'), width: 20, value: (c) => at(c, c.voidedAt) },
    { ...t('案件编号', 'Case id'), width: 38, value: (c) => c.id },
    { ...t('评价编号', 'Rating id'), width: 38, value: (c) => c.ratingId },
  ]
  const notes: ExportDocument<CaseView>['notes'] = []
  if (ctx.hall)
    notes.push({
      label: t('大厅', 'Hall'),
      value: t(`${ctx.hall.name}（${ctx.hall.id}）`, `${ctx.hall.name} (${ctx.hall.id})`),
    })
  for (const [k, v] of Object.entries(ctx.filters))
    if (v !== undefined)
      notes.push({ label: t(`筛选：${FILTER_ZH[k] ?? k}`, `Filter: ${k}`), value: t(v, v) })
  notes.push({
    label: t('说明', 'Note'),
    value: t(
      '期限按工作日计算（周末、法定节假日和调休上班日），从收到差评的当天起算；逾期指尚未完成的期限已过',
      'Deadlines count working days (weekends, public holidays and make-up working days) from the day the 差评 was received; overdue means a deadline not yet met has passed',
    ),
  })
  notes.push({ label: t('导出时间', 'Exported at'), value: t(ctx.now.toISOString(), ctx.now.toISOString()) })
  const name = (zh: string, en: string) =>
    t(
      [zh, ...(ctx.hall ? [ctx.hall.name] : [])].join('_'),
      [en, ...(ctx.hall ? [ctx.hall.id] : [])].join('_'),
    )
  return {
    fileName: name('差评回访整改', 'followups'),
    table: { sheet: t('差评回访整改', 'Follow-ups'), columns, rows },
    notes,
  }
}

const FILTER_ZH: Record<string, string> = {
  state: '状态',
  overdue: '逾期',
  windowId: '窗口',
  staffNo: '工号',
  from: '评价日期自',
  to: '评价日期至',
}
