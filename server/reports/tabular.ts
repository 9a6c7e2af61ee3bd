// Tables written as CSV or XLSX, streamed row by row so a large export never sits in memory.
import { PassThrough, Readable } from 'node:stream'
import type ExcelJSModule from 'exceljs'

export type Lang = 'zh' | 'en'
export type ColumnKind = 'text' | 'integer' | 'decimal' | 'percent'

export interface Column<R> {
  zh: string
  en: string
  kind?: ColumnKind
  width?: number
  value(row: R, lang: Lang): string | number | null | undefined
  /** A kind per row, for long tables mixing counts and rates in one column. */
  kindOf?(row: R): ColumnKind
}

export interface Table<R> {
  sheet: { zh: string; en: string }
  columns: Column<R>[]
  rows: Iterable<R> | AsyncIterable<R>
}

export interface ExportDocument<R> {
  /** File name without extension, per language; an ASCII one is made for old clients. */
  fileName: { zh: string; en: string }
  table: Table<R>
  /** What the export is (hall, period, unrated policy): a second XLSX sheet, a CSV response header. */
  notes: { label: { zh: string; en: string }; value: { zh: string; en: string } }[]
}

function csvCell(v: string | number | null | undefined, kind: ColumnKind | undefined): string {
  if (v === null || v === undefined) return ''
  let s: string
  if (typeof v === 'number')
    s = kind === 'percent' ? `${(v * 100).toFixed(2)}%` : kind === 'decimal' ? v.toFixed(2) : String(v)
  else s = v
  // Cells starting like a formula are prefixed so a spreadsheet shows them as text (CSV injection).
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** UTF-8 CSV with a BOM (so Excel reads the Chinese), CRLF line ends, one row at a time. */
export function csvStream<R>(doc: ExportDocument<R>, lang: Lang): Readable {
  const { columns, rows } = doc.table
  async function* lines() {
    yield '\uFEFF' + columns.map((c) => csvCell(c[lang], 'text')).join(',') + '\r\n'
    for await (const row of rows)
      yield columns.map((c) => csvCell(c.value(row, lang), c.kindOf?.(row) ?? c.kind)).join(',') + '\r\n'
  }
  return Readable.from(lines())
}

const NUM_FMT: Record<ColumnKind, string | undefined> = {
  text: undefined,
  integer: '0',
  decimal: '0.00',
  percent: '0.00%',
}

/** exceljs takes about a second to load: load it at the first XLSX export, not at every start. */
let excel: Promise<typeof ExcelJSModule> | null = null
const loadExcelJS = () => (excel ??= import('exceljs').then((m) => m.default))

/** XLSX through exceljs's streaming writer: each row is committed as soon as it is written. */
export function xlsxStream<R>(doc: ExportDocument<R>, lang: Lang): Readable {
  const out = new PassThrough()
  ;(async () => {
    const ExcelJS = await loadExcelJS()
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: true,
      useSharedStrings: false,
    })
    const sheet = workbook.addWorksheet(doc.table.sheet[lang], { views: [{ state: 'frozen', ySplit: 1 }] })
    sheet.columns = doc.table.columns.map((c, i) => ({
      header: c[lang],
      key: String(i),
      width: c.width ?? Math.max(10, c[lang].length * (lang === 'zh' ? 2.2 : 1.2)),
      style: NUM_FMT[c.kind ?? 'text'] ? { numFmt: NUM_FMT[c.kind ?? 'text'] } : {},
    }))
    sheet.getRow(1).font = { bold: true }
    for await (const row of doc.table.rows) {
      const r = sheet.addRow(doc.table.columns.map((c) => c.value(row, lang) ?? null))
      doc.table.columns.forEach((c, i) => {
        const fmt = c.kindOf && NUM_FMT[c.kindOf(row)]
        if (fmt) r.getCell(i + 1).numFmt = fmt
      })
      r.commit()
    }
    sheet.commit()
    const notes = workbook.addWorksheet(lang === 'zh' ? '说明' : 'About')
    notes.columns = [
      { header: lang === 'zh' ? '项目' : 'Item', key: 'k', width: 16 },
      { header: lang === 'zh' ? '内容' : 'Value', key: 'v', width: 60 },
    ]
    for (const n of doc.notes) notes.addRow([n.label[lang], n.value[lang]]).commit()
    notes.commit()
    await workbook.commit()
  })().catch((err) => out.destroy(err))
  return out
}

/** Content-Disposition with an ASCII fallback and the real (Chinese) name per RFC 6266/5987. */
export function contentDisposition(name: string, asciiName: string): string {
  const ascii = asciiName.replace(/[^A-Za-z0-9._-]+/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}
