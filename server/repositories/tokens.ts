import { randomUUID } from 'node:crypto'
import type { Db } from '../db/client.ts'
import { newApiToken, sha256 } from '../security/secrets.ts'
import type { Principal, Role } from '../auth/principal.ts'

export class TokenRepository {
  constructor(private readonly db: Db) {}

  /** Creates a token; the plain token is returned once and never stored. */
  async create(input: {
    name: string
    role: Role
    hallIds?: string[]
  }): Promise<{ id: string; token: string }> {
    const token = newApiToken()
    const id = randomUUID()
    await this.db.apiToken.create({
      data: {
        id,
        name: input.name,
        role: input.role,
        hallIds: JSON.stringify(input.hallIds ?? []),
        tokenHash: sha256(token),
      },
    })
    return { id, token }
  }

  async principalFor(token: string): Promise<Principal | null> {
    return this.principalWhere({ tokenHash: sha256(token) })
  }

  /** For a queue system on MQTT, whose client id is its token's id (the broker checked the token). */
  async principalById(id: string): Promise<Principal | null> {
    return this.principalWhere({ id })
  }

  private async principalWhere(where: { tokenHash: string } | { id: string }): Promise<Principal | null> {
    const row = await this.db.apiToken.findUnique({ where })
    if (!row || row.revokedAt) return null
    const hallIds = JSON.parse(row.hallIds) as string[]
    return {
      tokenId: row.id,
      name: row.name,
      role: row.role as Role,
      halls: row.role === 'admin' || hallIds.length === 0 ? (row.role === 'manager' ? [] : 'all') : hallIds,
    }
  }

  async list() {
    const rows = await this.db.apiToken.findMany({ orderBy: { createdAt: 'asc' } })
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role as Role,
      hallIds: JSON.parse(r.hallIds) as string[],
      createdAt: r.createdAt.toISOString(),
      revokedAt: r.revokedAt?.toISOString() ?? null,
    }))
  }

  async revoke(id: string): Promise<boolean> {
    const r = await this.db.apiToken.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: new Date() },
    })
    return r.count > 0
  }

  /** On first start there is no token at all: make an admin one for the operator. */
  async ensureFirstAdmin(): Promise<string | null> {
    if ((await this.db.apiToken.count()) > 0) return null
    return (await this.create({ name: 'first admin', role: 'admin' })).token
  }
}
