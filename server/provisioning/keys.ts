// Hall provisioning keys (as ThingsBoard's device provisioning): an admin or manager makes a key for
// a hall; a pad that presents it gets a device id and secret of its own in that hall, over HTTP
// (POST /api/v1/provision) or MQTT (username $provision). Only the key's SHA-256 is stored.
import { randomBytes, randomUUID } from 'node:crypto'
import { SCHEMA_VERSION, type ProvisionRequest, type ProvisionResponse } from '../../protocol/index.ts'
import { assertCanWrite, hallWhere, type Principal } from '../auth/principal.ts'
import type { Db } from '../db/client.ts'
import { badRequest, HttpError, notFound } from '../errors.ts'
import type { DeviceRepository } from '../repositories/devices.ts'
import { sha256 } from '../security/secrets.ts'

type Row = NonNullable<Awaited<ReturnType<Db['provisioningKey']['findUnique']>>>
function view(k: Row) {
  return {
    id: k.id,
    hallId: k.hallId,
    name: k.name,
    createdAt: k.createdAt.toISOString(),
    createdBy: k.createdBy,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revoked: k.revokedAt !== null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    devicesCreated: k.devicesCreated,
  }
}

export class ProvisioningKeys {
  constructor(
    private readonly db: Db,
    private readonly devices: DeviceRepository,
  ) {}

  async create(p: Principal, input: { hallId: string; name: string; expiresAt?: string }) {
    assertCanWrite(p, input.hallId)
    if (!(await this.db.hall.findUnique({ where: { id: input.hallId } })))
      throw badRequest(`hall ${input.hallId} does not exist`, 'hallId')
    const key = `rpk_${randomBytes(32).toString('base64url')}`
    const row = await this.db.provisioningKey.create({
      data: {
        id: randomUUID(),
        hallId: input.hallId,
        name: input.name,
        keyHash: sha256(key),
        createdAt: new Date(),
        createdBy: p.name,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      },
    })
    return { ...view(row), key }
  }

  async list(p: Principal, hallId?: string) {
    const rows = await this.db.provisioningKey.findMany({
      where: hallWhere(p, hallId),
      orderBy: { createdAt: 'asc' },
    })
    return rows.map(view)
  }

  async revoke(p: Principal, id: string) {
    const k = await this.db.provisioningKey.findUnique({ where: { id } })
    if (!k) throw notFound(`provisioning key ${id}`)
    assertCanWrite(p, k.hallId)
    const row = k.revokedAt
      ? k
      : await this.db.provisioningKey.update({ where: { id }, data: { revokedAt: new Date() } })
    return view(row)
  }

  /** The key's row when it may be used now (not revoked, not expired), else null. */
  async check(key: string) {
    if (!key.startsWith('rpk_')) return null
    const k = await this.db.provisioningKey.findUnique({ where: { keyHash: sha256(key) } })
    if (!k || k.revokedAt || (k.expiresAt && k.expiresAt <= new Date())) return null
    return k
  }

  /**
   * Registers a pad in the key's hall, unbound (it shows "unconfigured" until a manager binds it to
   * a window), and returns its credentials, which are never shown again.
   */
  async provision(req: ProvisionRequest): Promise<ProvisionResponse & { status: 201 | 400 | 401 | 409 }> {
    const k = await this.check(req.provisionKey)
    if (!k)
      return {
        status: 401,
        v: SCHEMA_VERSION,
        ok: false,
        error: 'unknown, revoked or expired provisioning key',
      }
    try {
      const r = await this.devices.create({
        id: req.deviceId,
        hallId: k.hallId,
        windowId: null,
        label: req.label ?? ([req.model, req.firmware].filter(Boolean).join(' ') || null),
      })
      await this.db.provisioningKey.update({
        where: { id: k.id },
        data: { lastUsedAt: new Date(), devicesCreated: { increment: 1 } },
      })
      return {
        status: 201,
        v: SCHEMA_VERSION,
        ok: true,
        deviceId: r.device.id,
        secret: r.secret,
        hallId: k.hallId,
      }
    } catch (err) {
      if (err instanceof HttpError)
        return {
          status: err.statusCode === 409 ? 409 : 400,
          v: SCHEMA_VERSION,
          ok: false,
          error: err.message,
        }
      throw err
    }
  }
}
