// What the hall wall (大屏) shows: every window with who is serving there, and today's figures of
// the window and of the hall. Read from the report rollups, so the wall and the reports agree.
import type { Db } from '../db/client.ts'
import type { Principal } from '../auth/principal.ts'
import type { Metrics } from '../reports/metrics.ts'
import type { ReportService } from '../reports/service.ts'

/** Access is checked when a client subscribes; the snapshot itself is computed once for all. */
const SYSTEM: Principal = { tokenId: 'system', name: 'live wall', role: 'admin', halls: 'all' }

export interface WallWindow {
  id: string
  name: string
  staff: {
    staffNo: string
    name: string
    title: string | null
    stars: number | null
    photoUrl: string | null
  } | null
  /** Any pad bound to this window is online; null when it has no pad. */
  online: boolean | null
  metrics: Metrics
  rank: number | null
}

export interface WallSnapshot {
  hall: { id: string; name: string; timeZone: string }
  /** Today in the hall's time zone. */
  day: string
  generatedAt: string
  totals: Metrics
  windows: WallWindow[]
}

export class WallService {
  constructor(
    private readonly db: Db,
    private readonly reports: ReportService,
  ) {}

  async snapshot(hallId: string): Promise<WallSnapshot> {
    const [report, windows, devices] = await Promise.all([
      this.reports.breakdown(SYSTEM, 'window', { hallId, period: 'day', by: 'satisfaction', minRated: 1 }),
      this.db.window.findMany({
        where: { hallId },
        include: { signedInStaff: true },
      }),
      this.db.device.findMany({
        where: { hallId, revokedAt: null, windowId: { not: null } },
        select: { windowId: true, online: true },
      }),
    ])
    const rows = new Map(report.rows.map((r) => [(r as { windowId: string | null }).windowId, r]))
    const online = new Map<string, boolean>()
    for (const d of devices) online.set(d.windowId!, (online.get(d.windowId!) ?? false) || d.online)
    const list: WallWindow[] = windows.map((w) => {
      const row = rows.get(w.id)
      const s = w.signedInStaff
      return {
        id: w.id,
        name: w.name,
        staff: s
          ? { staffNo: s.staffNo, name: s.name, title: s.title, stars: s.stars, photoUrl: s.photoUrl }
          : null,
        online: online.has(w.id) ? online.get(w.id)! : null,
        metrics: row?.metrics ?? report.hallAverage,
        rank: row?.rank ?? null,
      }
    })
    // Windows in their natural order: "2号窗口" before "10号窗口".
    const collator = new Intl.Collator('zh-CN', { numeric: true })
    list.sort((a, b) => collator.compare(a.name, b.name))
    return {
      hall: report.hall,
      day: report.period.from,
      generatedAt: new Date().toISOString(),
      totals: report.hallAverage,
      windows: list,
    }
  }
}
