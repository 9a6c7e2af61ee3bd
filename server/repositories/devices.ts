// Rating pads: registration, secrets, binding to a window, and what they last reported.
import { randomUUID } from 'node:crypto'
import {
  defaultKeyLabels,
  isDeviceId,
  SCHEMA_VERSION,
  type Birth,
  type Config,
  type Death,
  type Locale,
} from '../../protocol/index.ts'
import type { Db } from '../db/client.ts'
import { badRequest, conflict, notFound } from '../errors.ts'
import { hallWhere, type Principal } from '../auth/principal.ts'
import { hashSecret, mosquittoHash, newSecret } from '../security/secrets.ts'
import { hallView } from './registry.ts'

type DeviceRow = NonNullable<Awaited<ReturnType<Db['device']['findUnique']>>>
export function deviceView(d: DeviceRow) {
  return {
    id: d.id,
    hallId: d.hallId,
    windowId: d.windowId,
    label: d.label,
    revoked: d.revokedAt !== null,
    configVersion: d.configVersion,
    status: {
      online: d.online,
      lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
      firmware: d.firmware,
      model: d.model,
      padState: d.padState,
      outboxDepth: d.outboxDepth,
      appliedConfigVersion: d.appliedConfigVersion,
      staffNo: d.reportedStaffNo,
      clockSkewMs: d.clockSkewMs,
    },
  }
}
export type DeviceView = ReturnType<typeof deviceView>

export class DeviceRepository {
  constructor(private readonly db: Db) {}

  async list(p: Principal, filter: { hallId?: string; windowId?: string } = {}) {
    const rows = await this.db.device.findMany({
      where: { ...hallWhere(p, filter.hallId), ...(filter.windowId ? { windowId: filter.windowId } : {}) },
      orderBy: { id: 'asc' },
    })
    return rows.map(deviceView)
  }

  async get(id: string) {
    const d = await this.db.device.findUnique({ where: { id } })
    if (!d) throw notFound(`device ${id}`)
    return deviceView(d)
  }

  /** Auth data for the broker; null for unknown or revoked pads. */
  async credentials(id: string): Promise<{ secretHash: string } | null> {
    if (!isDeviceId(id)) return null
    const d = await this.db.device.findUnique({
      where: { id },
      select: { secretHash: true, revokedAt: true },
    })
    return d && !d.revokedAt ? { secretHash: d.secretHash } : null
  }

  /** Registers a pad. The secret is returned here once and stored only as a hash. */
  async create(input: { id?: string; hallId: string; windowId?: string | null; label?: string | null }) {
    const id = input.id ?? `pad-${randomUUID().slice(0, 8)}`
    if (!isDeviceId(id))
      throw badRequest('device id must be 1–64 characters of A–Z, a–z, 0–9, _, . or -', 'id')
    if (!(await this.db.hall.findUnique({ where: { id: input.hallId } })))
      throw badRequest(`hall ${input.hallId} does not exist`, 'hallId')
    if (input.windowId) await this.checkWindow(input.hallId, input.windowId)
    if (await this.db.device.findUnique({ where: { id } })) throw conflict(`device ${id} exists`, 'id')
    const secret = newSecret()
    const d = await this.db.device.create({
      data: {
        id,
        hallId: input.hallId,
        windowId: input.windowId ?? null,
        label: input.label ?? null,
        secretHash: await hashSecret(secret),
        mosquittoHash: mosquittoHash(secret),
      },
    })
    return { device: deviceView(d), secret }
  }

  private async checkWindow(hallId: string, windowId: string) {
    const w = await this.db.window.findUnique({ where: { id: windowId } })
    if (!w) throw badRequest(`window ${windowId} does not exist`, 'windowId')
    if (w.hallId !== hallId) throw badRequest(`window ${windowId} is not in hall ${hallId}`, 'windowId')
  }

  async update(id: string, input: { windowId?: string | null; label?: string | null }) {
    const d = await this.get(id)
    if (input.windowId) await this.checkWindow(d.hallId, input.windowId)
    return deviceView(
      await this.db.device.update({ where: { id }, data: { windowId: input.windowId, label: input.label } }),
    )
  }

  async rotateSecret(id: string) {
    const d = await this.get(id)
    if (d.revoked) throw conflict(`device ${id} is revoked`)
    const secret = newSecret()
    await this.db.device.update({
      where: { id },
      data: { secretHash: await hashSecret(secret), mosquittoHash: mosquittoHash(secret) },
    })
    return { device: await this.get(id), secret }
  }

  async revoke(id: string) {
    await this.get(id)
    return deviceView(
      await this.db.device.update({
        where: { id },
        data: { revokedAt: new Date(), windowId: null, online: false },
      }),
    )
  }

  /** A birth: the pad is online with this connect counter. */
  /** Records a birth; returns the config version last published to the pad (null: unknown pad). */
  async recordBirth(id: string, birth: Birth, receivedAt: Date): Promise<number | null> {
    const skew = Date.parse(birth.clock) - receivedAt.getTime()
    await this.db.device.updateMany({
      where: { id },
      data: {
        online: true,
        connectCount: birth.connectCount,
        lastSeenAt: receivedAt,
        firmware: birth.firmware,
        model: birth.model,
        padState: birth.padState,
        outboxDepth: birth.outboxDepth,
        appliedConfigVersion: birth.configVersion,
        reportedStaffNo: birth.staffNo,
        // The column is a 32-bit Int: a clock weeks off (reset to 2000) is kept as the largest skew it holds.
        clockSkewMs: Number.isFinite(skew) ? Math.max(-2_147_483_647, Math.min(2_147_483_647, skew)) : null,
      },
    })
    const d = await this.db.device.findUnique({ where: { id }, select: { configVersion: true } })
    return d?.configVersion ?? null
  }

  /**
   * A death (Last Will). A will from an older connection can arrive after the pad has already
   * reconnected; its connect counter is lower than the current birth's, and it is ignored.
   */
  async recordDeath(id: string, death: Death, receivedAt: Date): Promise<'offline' | 'stale'> {
    const r = await this.db.device.updateMany({
      where: { id, connectCount: { lte: death.connectCount } },
      data: { online: false, lastSeenAt: receivedAt },
    })
    return r.count > 0 ? 'offline' : 'stale'
  }

  async touch(ids: string[], at: Date) {
    if (ids.length) await this.db.device.updateMany({ where: { id: { in: ids } }, data: { lastSeenAt: at } })
  }

  /**
   * Builds a pad's config. `next` (something it shows has changed) gives it a new version and
   * records it; otherwise the current version is built again, for a pad that missed it. Null for
   * revoked pads.
   */
  async buildConfig(id: string, o: { next: boolean; publicUrl?: string }): Promise<Config | null> {
    const publicUrl = o.publicUrl
    const d = await this.db.device.findUnique({
      where: { id },
      include: { hall: true, window: { include: { signedInStaff: true } } },
    })
    if (!d || d.revokedAt) return null
    const hall = hallView(d.hall)
    const { configVersion } = o.next
      ? await this.db.device.update({ where: { id }, data: { configVersion: { increment: 1 } } })
      : d
    const s = d.window?.signedInStaff
    const photo =
      s?.photoUrl && publicUrl && s.photoUrl.startsWith('/')
        ? `${publicUrl}${s.photoUrl}`
        : (s?.photoUrl ?? null)
    return {
      v: SCHEMA_VERSION,
      version: configVersion,
      hall: { id: hall.id, name: hall.name, timeZone: hall.timeZone },
      window: d.window ? { id: d.window.id, name: d.window.name } : null,
      staff: s ? { staffNo: s.staffNo, name: s.name, photoUrl: photo, title: s.title, stars: s.stars } : null,
      scale: hall.scale,
      keyLabels: hall.keyLabels ?? defaultKeyLabels(hall.scale, hall.locale as Locale),
      reasons: hall.reasons,
      reasonsVersion: hall.reasonsVersion,
      timeouts: { promptSeconds: hall.promptSeconds, reasonSeconds: 15, thanksSeconds: 3 },
      locale: hall.locale,
      voice: hall.voice,
      openingHours: hall.openingHours,
    }
  }

  /** Lines of a Mosquitto password file: every pad that may connect. */
  async mosquittoPasswordLines(): Promise<string[]> {
    const rows = await this.db.device.findMany({
      where: { revokedAt: null, mosquittoHash: { not: null } },
      select: { id: true, mosquittoHash: true },
      orderBy: { id: 'asc' },
    })
    return rows.map((r) => `${r.id}:${r.mosquittoHash}`)
  }

  async idsForWindows(windowIds: string[]): Promise<string[]> {
    const rows = await this.db.device.findMany({
      where: { windowId: { in: windowIds }, revokedAt: null },
      select: { id: true },
    })
    return rows.map((r) => r.id)
  }

  async idsForHall(hallId: string): Promise<string[]> {
    const rows = await this.db.device.findMany({ where: { hallId, revokedAt: null }, select: { id: true } })
    return rows.map((r) => r.id)
  }
}
