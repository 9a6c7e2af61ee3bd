// 大屏: the hall wall for a lobby display. Every window's staff card with today's counts and 满意率,
// the hall's totals, kept live by Server-Sent Events: a snapshot arrives within moments of each
// rating. It also reads everything again every minute (and so keeps its session alive), shows when
// it has lost the server, and pages through the windows when they do not fit on one screen.
import { render } from 'preact'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { get, goToLogin, ApiError } from '../shared/api.ts'
import { lang, onLang, setLang, translator } from '../shared/i18n.ts'
import { pct } from '../shared/format.ts'
import './wall.css'

const t = translator({
  title: ['服务评价实时大屏', 'Live service ratings'],
  today: ['今日评价', 'Ratings today'],
  satisfaction: ['满意率', 'Satisfaction'],
  good: ['好评', 'Good'],
  bad: ['差评', 'Bad'],
  participation: ['参评率', 'Participation'],
  rated: ['评价', 'Ratings'],
  vacant: ['暂无人员', 'Nobody signed in'],
  offline: ['评价器离线', 'Pad offline'],
  live: ['实时', 'Live'],
  reconnecting: ['正在重新连接…', 'Reconnecting…'],
  page: ['第 {n}/{of} 页', 'Page {n} of {of}'],
  noHall: ['没有可显示的大厅', 'No hall to show'],
  slogan: ['您的评价是我们改进工作的动力', 'Your rating helps us serve you better'],
  staffNo: ['工号', 'No.'],
  noRatings: ['今日暂无评价', 'No ratings yet today'],
})

interface Metrics {
  rated: number
  good: number
  bad: number
  satisfaction: number | null
  participation: number | null
  transactions: number
}
interface WallWindow {
  id: string
  name: string
  staff: {
    staffNo: string
    name: string
    title: string | null
    stars: number | null
    photoUrl: string | null
  } | null
  online: boolean | null
  metrics: Metrics
  rank: number | null
}
interface Snapshot {
  hall: { id: string; name: string; timeZone: string }
  day: string
  generatedAt: string
  totals: Metrics
  windows: WallWindow[]
}

const PAGE_SECONDS = 15

function useClock(timeZone: string | undefined) {
  const [now, setNow] = useState(new Date())
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000)
    return () => clearInterval(timer)
  }, [])
  const zh = lang.value === 'zh'
  return {
    date: now.toLocaleDateString(zh ? 'zh-CN' : 'en-GB', {
      timeZone,
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      weekday: 'long',
    }),
    time: now.toLocaleTimeString(zh ? 'zh-CN' : 'en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    }),
  }
}

function Card({ w, flash }: { w: WallWindow; flash: boolean }) {
  const m = w.metrics
  const s = w.staff
  return (
    <article class={`wcard ${flash ? 'flash' : ''} ${s ? '' : 'vacant'}`} data-window={w.id}>
      <header>
        <span class="wname">{w.name}</span>
        {w.online === false && <span class="wbadge off">{t('offline')}</span>}
      </header>
      <div class="wbody">
        <div class="wphoto">
          {s?.photoUrl ? <img src={s.photoUrl} alt="" /> : <span>{s ? s.name.slice(-2) : '—'}</span>}
        </div>
        <div class="wstaff">
          {s ? (
            <>
              <div class="sname">{s.name}</div>
              <div class="sno">
                {t('staffNo')} {s.staffNo}
              </div>
              {s.title && <div class="stitle">{s.title}</div>}
              {s.stars ? <div class="sstars">{'★'.repeat(s.stars)}</div> : null}
            </>
          ) : (
            <div class="sname muted">{t('vacant')}</div>
          )}
        </div>
      </div>
      <footer>
        <div class="wcounts">
          <span>
            {t('rated')} <b data-testid="window-rated">{m.rated}</b>
          </span>
          <span class="g">
            {t('good')} <b>{m.good}</b>
          </span>
          <span class={m.bad ? 'b' : ''}>
            {t('bad')} <b data-testid="window-bad">{m.bad}</b>
          </span>
        </div>
        <div class="wsat">
          <b data-testid="window-satisfaction">{pct(m.satisfaction, 1)}</b>
          <small>{t('satisfaction')}</small>
        </div>
      </footer>
    </article>
  )
}

function Wall() {
  const params = new URLSearchParams(location.search)
  const [hallId, setHallId] = useState<string | null>(params.get('hall'))
  const [snap, setSnap] = useState<Snapshot | null>(null)
  const [connected, setConnected] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [flash, setFlash] = useState<Set<string>>(new Set())
  const [page, setPage] = useState(0)
  const [perPage, setPerPage] = useState(1000)
  const [, setTick] = useState(0)
  const gridRef = useRef<HTMLDivElement>(null)
  const last = useRef<Snapshot | null>(null)
  useEffect(() => onLang(() => setTick((n) => n + 1)), [])

  // Which hall: ?hall=…, else the first one this account sees.
  useEffect(() => {
    if (hallId) return
    get('/halls').then(
      (halls: { id: string }[]) => (halls[0] ? setHallId(halls[0].id) : setError(t('noHall'))),
      () => {},
    )
  }, [hallId])

  const accept = (next: Snapshot) => {
    const prev = last.current
    // A slower, older snapshot must not overwrite a newer one.
    if (prev && prev.hall.id === next.hall.id && Date.parse(next.generatedAt) < Date.parse(prev.generatedAt))
      return
    if (prev && prev.day === next.day) {
      const before = new Map(prev.windows.map((w) => [w.id, w.metrics.rated]))
      const changed = next.windows.filter((w) => (before.get(w.id) ?? 0) < w.metrics.rated).map((w) => w.id)
      if (changed.length) {
        setFlash(new Set(changed))
        setTimeout(() => setFlash(new Set()), 2500)
      }
    }
    last.current = next
    setSnap(next)
  }

  // Live: one EventSource; the browser reconnects it by itself after a drop.
  useEffect(() => {
    if (!hallId) return
    const url = `/api/v1/live/halls/${encodeURIComponent(hallId)}/stream`
    const es = new EventSource(url)
    es.addEventListener('wall', (e) => accept(JSON.parse((e as MessageEvent).data)))
    es.onopen = () => setConnected(true)
    es.onerror = () => setConnected(false)
    const refresh = () =>
      get<Snapshot>(`/live/halls/${encodeURIComponent(hallId)}/wall`).then(accept, (err) => {
        if (err instanceof ApiError && err.status === 401) goToLogin()
        else if (err instanceof ApiError && err.status >= 400 && err.status < 500) setError(err.message)
      })
    void refresh()
    const timer = setInterval(refresh, 60_000)
    return () => {
      es.close()
      clearInterval(timer)
    }
  }, [hallId])

  // How many cards fit: measured from the grid, so any screen works.
  useLayoutEffect(() => {
    const measure = () => {
      const g = gridRef.current
      if (!g) return
      const cols = getComputedStyle(g).gridTemplateColumns.split(' ').length
      const first = g.querySelector('.wcard') as HTMLElement | null
      const h = first?.offsetHeight ?? 230
      const rows = Math.max(1, Math.floor((g.clientHeight + 14) / (h + 14)))
      setPerPage(Math.max(1, cols * rows))
    }
    measure()
    addEventListener('resize', measure)
    return () => removeEventListener('resize', measure)
  }, [snap !== null])
  const pages = snap ? Math.max(1, Math.ceil(snap.windows.length / perPage)) : 1
  useEffect(() => {
    if (pages < 2) return setPage(0)
    const timer = setInterval(() => setPage((p) => (p + 1) % pages), PAGE_SECONDS * 1000)
    return () => clearInterval(timer)
  }, [pages])

  const clock = useClock(snap?.hall.timeZone)
  if (error) return <div class="wall-message">{error}</div>
  if (!snap) return <div class="wall-message">…</div>
  const tot = snap.totals
  const shown = snap.windows.slice(page * perPage, (page + 1) * perPage)
  return (
    <div class="wall">
      <header class="wall-head">
        <div class="wall-title">
          <div class="hall-name">{snap.hall.name}</div>
          <div class="wall-sub">{t('title')}</div>
        </div>
        <div class="totals">
          <div class="total big">
            <b data-testid="total-satisfaction">{pct(tot.satisfaction, 1)}</b>
            <span>{t('satisfaction')}</span>
          </div>
          <div class="total">
            <b data-testid="total-rated">{tot.rated}</b>
            <span>{t('today')}</span>
          </div>
          <div class="total good">
            <b>{tot.good}</b>
            <span>{t('good')}</span>
          </div>
          <div class="total bad">
            <b data-testid="total-bad">{tot.bad}</b>
            <span>{t('bad')}</span>
          </div>
          <div class="total">
            <b>{pct(tot.participation, 0)}</b>
            <span>{t('participation')}</span>
          </div>
        </div>
        <div class="clock">
          <div class="time">{clock.time}</div>
          <div class="date">{clock.date}</div>
          <div class={`live ${connected ? 'on' : 'off'}`} data-testid="live-state">
            ● {connected ? t('live') : t('reconnecting')}
          </div>
        </div>
      </header>
      <div class="wgrid" ref={gridRef}>
        {shown.map((w) => (
          <Card w={w} flash={flash.has(w.id)} />
        ))}
      </div>
      <footer class="wall-foot">
        <span>{t('slogan')}</span>
        {pages > 1 && <span>{t('page', { n: page + 1, of: pages })}</span>}
        <button class="wlang" onClick={() => setLang(lang.value === 'zh' ? 'en' : 'zh')}>
          {lang.value === 'zh' ? 'EN' : '中文'}
        </button>
      </footer>
    </div>
  )
}

render(<Wall />, document.getElementById('wall')!)
