// Numbers and times as managers read them.
import { lang } from './i18n.ts'

export const pct = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`

export const num = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : v.toLocaleString(lang.value === 'zh' ? 'zh-CN' : 'en-US')

export const signedPct = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v * 100).toFixed(1)}`

export function dateTime(iso: string | null | undefined, timeZone?: string) {
  if (!iso) return '—'
  return new Date(iso).toLocaleString(lang.value === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  })
}

/** "3 分钟前" / "3 min ago". */
export function ago(iso: string | null | undefined, now = Date.now()) {
  if (!iso) return '—'
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  const zh = lang.value === 'zh'
  if (s < 60) return zh ? '刚刚' : 'just now'
  const m = Math.round(s / 60)
  if (m < 60) return zh ? `${m} 分钟前` : `${m} min ago`
  const h = Math.round(m / 60)
  if (h < 48) return zh ? `${h} 小时前` : `${h} h ago`
  return zh ? `${Math.round(h / 24)} 天前` : `${Math.round(h / 24)} days ago`
}

/** Today as YYYY-MM-DD in a time zone. */
export function todayIn(timeZone = 'Asia/Shanghai'): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date())
}
