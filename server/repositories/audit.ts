// The audit log: every successful write to the REST API by an admin or a manager (plugins/audit.ts
// appends them). Rows are never changed or removed: the database refuses it (migration
// 20261126134731_integrity), and this repository has no way to ask.
import { randomUUID } from 'node:crypto'
import type { Db } from '../db/client.ts'

export interface AuditRecord {
  actor: string
  actorId: string
  role: string
  method: string
  route: string
  url: string
  targetId: string | null
  status: number
  body: string | null
  ip: string | null
}

export interface AuditFilters {
  from?: Date
  to?: Date
  actorId?: string
  method?: string
  route?: string
  targetId?: string
  limit: number
  cursor?: string
}

export class AuditRepository {
  constructor(private readonly db: Db) {}

  async append(r: AuditRecord, at = new Date()): Promise<void> {
    await this.db.auditEntry.create({ data: { id: randomUUID(), at, ...r } })
  }

  /** Newest first, with an opaque cursor (the last entry's id) for the next page. */
  async list(q: AuditFilters) {
    const rows = await this.db.auditEntry.findMany({
      where: {
        ...(q.from || q.to
          ? { at: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } }
          : {}),
        ...(q.actorId ? { actorId: q.actorId } : {}),
        ...(q.method ? { method: q.method } : {}),
        ...(q.route ? { route: q.route } : {}),
        ...(q.targetId ? { targetId: q.targetId } : {}),
      },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
      ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
    })
    const page = rows.slice(0, q.limit)
    return {
      items: page.map((r) => ({ ...r, at: r.at.toISOString() })),
      nextCursor: rows.length > q.limit ? page[page.length - 1].id : null,
    }
  }
}
