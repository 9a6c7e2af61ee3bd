// followup.overdue: a case becomes overdue by the clock passing its due date, not by anything
// happening, so this watches the follow-up cases (server/followup/) for due dates that have just
// passed. Each (case, due date) is queued once, whichever instance sees it first.
import type { Db } from '../db/client.ts'
import type { OutboundEvent } from './events.ts'
import { enqueueOnce } from './outbox.ts'

export interface OverdueCase {
  id: string
  ratingId: string
  hallId: string
  windowId: string | null
  staffNo: string | null
  level: number
  state: string
  caseNo: string | null
  serviceName: string | null
  calledBackAt: Date | null
  dueAt: Date | null
}

/** The event for a case past its due date; the follow-up code may also call this itself. */
export function overdueEvent(c: OverdueCase): OutboundEvent {
  const dueAt = c.dueAt!.toISOString()
  return {
    type: 'followup.overdue',
    key: `followup.overdue:${c.id}:${dueAt}`,
    hallId: c.hallId,
    at: c.dueAt!,
    data: {
      case: {
        id: c.id,
        ratingId: c.ratingId,
        hallId: c.hallId,
        windowId: c.windowId,
        staffNo: c.staffNo,
        level: c.level,
        state: c.state,
        caseNo: c.caseNo,
        serviceName: c.serviceName,
        /** Which deadline passed: 回访 (callback) or 整改 (rectify). */
        deadline: c.calledBackAt ? 'rectify' : 'callback',
        dueAt,
      },
    },
  }
}

export class OverdueWatcher {
  private since: Date
  constructor(
    private readonly db: Db,
    /** How far back the first look goes, for a server that was down when cases fell due. */
    lookbackMs = 7 * 86_400_000,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.since = new Date(this.now().getTime() - lookbackMs)
  }

  /** Queues followup.overdue for every case whose due date passed since the last look. */
  async check(): Promise<number> {
    const now = this.now()
    const cases = await this.db.followupCase.findMany({
      where: { dueAt: { gt: this.since, lte: now } },
      select: {
        id: true,
        ratingId: true,
        hallId: true,
        windowId: true,
        staffNo: true,
        level: true,
        state: true,
        caseNo: true,
        serviceName: true,
        calledBackAt: true,
        dueAt: true,
      },
      take: 5000,
    })
    const n = await enqueueOnce(this.db, cases.map(overdueEvent))
    // A little overlap: a case written by a slow transaction just before `now` is still seen.
    if (cases.length < 5000) this.since = new Date(now.getTime() - 60_000)
    return n
  }
}
