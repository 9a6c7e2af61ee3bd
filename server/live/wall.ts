// What the hall wall (大屏) shows: every window with who is serving there, and today's figures of
// the window and of the hall. Read from the report rollups, so the wall and the reports agree.
import type { Db } from '../db/client.ts'
import type { Principal } from '../auth/principal.ts'
import { emptyTally, metricsOf, type Metrics } from '../reports/metrics.ts'
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

/** How long the windows, who is signed in and the pads' online state are reused between snapshots. */
const REGISTRY_TTL_MS = 5000

type Registry = {
  windows: { id: string; name: string; staff: WallWindow['staff'] }[]
  online: Map<string, boolean>
}

export class WallService {
  /** Per hall: the registry part of the snapshot, which changes far less often than the counts. */
  private readonly registry = new Map<string, { at: number; value: Promise<Registry> }>()

  constructor(
    private readonly db: Db,
    private readonly reports: ReportService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Someone signed in or out at a window of the hall: the next snapshot reads the registry again. */
  invalidate(hallId: string) {
    this.registry.delete(hallId)
  }

  private readRegistry(hallId: string): Promise<Registry> {
    const cached = this.registry.get(hallId)
    if (cached && this.now() - cached.at < REGISTRY_TTL_MS) return cached.value
    const value = (async () => {
      const [windows, devices] = await Promise.all([
        this.db.window.findMany({ where: { hallId }, include: { signedInStaff: true } }),
        this.db.device.findMany({
          where: { hallId, revokedAt: null, windowId: { not: null } },
          select: { windowId: true, online: true },
        }),
      ])
      const online = new Map<string, boolean>()
      for (const d of devices) online.set(d.windowId!, (online.get(d.windowId!) ?? false) || d.online)
      return {
        online,
        windows: windows.map((w) => {
          const s = w.signedInStaff
          return {
            id: w.id,
            name: w.name,
            staff: s
              ? { staffNo: s.staffNo, name: s.name, title: s.title, stars: s.stars, photoUrl: s.photoUrl }
              : null,
          }
        }),
      }
    })()
    this.registry.set(hallId, { at: this.now(), value })
    value.catch(() => this.registry.delete(hallId))
    return value
  }

  async snapshot(hallId: string): Promise<WallSnapshot> {
    const [report, registry] = await Promise.all([
      this.reports.breakdown(SYSTEM, 'window', { hallId, period: 'day', by: 'satisfaction', minRated: 1 }),
      this.readRegistry(hallId),
    ])
    const rows = new Map(report.rows.map((r) => [(r as { windowId: string | null }).windowId, r]))
    const list: WallWindow[] = registry.windows.map((w) => {
      const row = rows.get(w.id)
      return {
        ...w,
        online: registry.online.has(w.id) ? registry.online.get(w.id)! : null,
        metrics: row?.metrics ?? metricsOf(emptyTally()),
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
