// Halls, windows, staff and who is signed in where. Shared by REST routes and the MQTT ingest.
import { randomUUID } from 'node:crypto'
import { DEFAULT_REASONS, type OpeningHours, type Reason, type Scale } from '../../protocol/index.ts'
import type { Db } from '../db/client.ts'
import { badRequest, conflict, notFound } from '../errors.ts'
import { hallWhere, type Principal } from '../auth/principal.ts'

export interface HallInput {
  id?: string
  name: string
  timeZone?: string
  openingHours?: OpeningHours
  scale?: Scale
  keyLabels?: string[] | null
  reasons?: Reason[]
  promptSeconds?: number
  locale?: 'zh-CN' | 'en'
  voice?: boolean
}

type HallRow = NonNullable<Awaited<ReturnType<Db['hall']['findUnique']>>>

export function hallView(h: HallRow) {
  return {
    id: h.id,
    name: h.name,
    timeZone: h.timeZone,
    openingHours: JSON.parse(h.openingHours) as OpeningHours,
    scale: h.scale as Scale,
    keyLabels: h.keyLabels ? (JSON.parse(h.keyLabels) as string[]) : null,
    reasons: JSON.parse(h.reasons) as Reason[],
    reasonsVersion: h.reasonsVersion,
    promptSeconds: h.promptSeconds,
    locale: h.locale as 'zh-CN' | 'en',
    voice: h.voice,
  }
}
export type HallView = ReturnType<typeof hallView>

function checkKeyLabels(scale: number, labels: string[] | null | undefined) {
  if (labels && labels.length !== scale)
    throw badRequest(`keyLabels needs ${scale} labels for a ${scale}-key scale`, 'keyLabels')
}

function checkTimeZone(tz: string | undefined) {
  if (tz === undefined) return
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
  } catch {
    throw badRequest(`unknown time zone ${tz}`, 'timeZone')
  }
}

export class HallRepository {
  constructor(private readonly db: Db) {}

  async list(p: Principal) {
    const rows = await this.db.hall.findMany({
      where: p.halls === 'all' ? {} : { id: { in: p.halls } },
      orderBy: { id: 'asc' },
    })
    return rows.map(hallView)
  }

  async get(id: string) {
    const h = await this.db.hall.findUnique({ where: { id } })
    if (!h) throw notFound(`hall ${id}`)
    return hallView(h)
  }

  async create(input: HallInput) {
    checkTimeZone(input.timeZone)
    checkKeyLabels(input.scale ?? 5, input.keyLabels)
    const id = input.id ?? randomUUID()
    if (await this.db.hall.findUnique({ where: { id } })) throw conflict(`hall ${id} exists`, 'id')
    const h = await this.db.hall.create({
      data: {
        id,
        name: input.name,
        timeZone: input.timeZone,
        openingHours: JSON.stringify(input.openingHours ?? []),
        scale: input.scale,
        keyLabels: input.keyLabels ? JSON.stringify(input.keyLabels) : null,
        reasons: JSON.stringify(input.reasons ?? DEFAULT_REASONS),
        promptSeconds: input.promptSeconds,
        locale: input.locale,
        voice: input.voice,
      },
    })
    return hallView(h)
  }

  async update(id: string, input: Omit<Partial<HallInput>, 'id'>) {
    const current = await this.get(id)
    checkTimeZone(input.timeZone)
    const scale = input.scale ?? current.scale
    checkKeyLabels(
      scale,
      input.keyLabels === undefined ? (input.scale ? null : current.keyLabels) : input.keyLabels,
    )
    const reasonsChanged =
      input.reasons !== undefined && JSON.stringify(input.reasons) !== JSON.stringify(current.reasons)
    const h = await this.db.hall.update({
      where: { id },
      data: {
        name: input.name,
        timeZone: input.timeZone,
        openingHours: input.openingHours ? JSON.stringify(input.openingHours) : undefined,
        scale: input.scale,
        // A new scale without new labels falls back to the scale's default labels.
        keyLabels:
          input.keyLabels !== undefined
            ? input.keyLabels
              ? JSON.stringify(input.keyLabels)
              : null
            : input.scale
              ? null
              : undefined,
        reasons: input.reasons ? JSON.stringify(input.reasons) : undefined,
        // The reason list is versioned so a report can tell which list a 差评 reason came from.
        reasonsVersion: reasonsChanged ? { increment: 1 } : undefined,
        promptSeconds: input.promptSeconds,
        locale: input.locale,
        voice: input.voice,
      },
    })
    return hallView(h)
  }
}

type WindowRow = NonNullable<Awaited<ReturnType<Db['window']['findUnique']>>>
export function windowView(w: WindowRow & { signedInStaff?: { staffNo: string; name: string } | null }) {
  return {
    id: w.id,
    hallId: w.hallId,
    name: w.name,
    signedIn: w.signedInStaff
      ? { staffNo: w.signedInStaff.staffNo, name: w.signedInStaff.name, since: w.signedInAt!.toISOString() }
      : null,
  }
}

export class WindowRepository {
  constructor(private readonly db: Db) {}

  async list(p: Principal, hallId?: string) {
    const rows = await this.db.window.findMany({
      where: hallWhere(p, hallId),
      include: { signedInStaff: true },
      orderBy: [{ hallId: 'asc' }, { name: 'asc' }],
    })
    return rows.map(windowView)
  }

  async get(id: string) {
    const w = await this.db.window.findUnique({ where: { id }, include: { signedInStaff: true } })
    if (!w) throw notFound(`window ${id}`)
    return windowView(w)
  }

  async create(input: { id?: string; hallId: string; name: string }) {
    if (!(await this.db.hall.findUnique({ where: { id: input.hallId } })))
      throw badRequest(`hall ${input.hallId} does not exist`, 'hallId')
    const id = input.id ?? randomUUID()
    if (await this.db.window.findUnique({ where: { id } })) throw conflict(`window ${id} exists`, 'id')
    if (await this.db.window.findFirst({ where: { hallId: input.hallId, name: input.name } }))
      throw conflict(`hall ${input.hallId} already has a window named ${input.name}`, 'name')
    return windowView(
      await this.db.window.create({
        data: { id, hallId: input.hallId, name: input.name },
        include: { signedInStaff: true },
      }),
    )
  }

  async update(id: string, input: { name?: string }) {
    await this.get(id)
    return windowView(
      await this.db.window.update({
        where: { id },
        data: { name: input.name },
        include: { signedInStaff: true },
      }),
    )
  }

  /**
   * Signs a staff member in at a window (亮身份). A staff member is at one window at a time, so any
   * other window they were signed in at is signed out first; the history is kept in SignIn.
   */
  async signIn(windowId: string, staffNo: string, source: 'api' | 'pad', deviceId?: string, at = new Date()) {
    const window = await this.get(windowId)
    const staff = await this.db.staff.findUnique({ where: { staffNo } })
    if (!staff || !staff.active) throw badRequest(`no active staff with staff number ${staffNo}`, 'staffNo')
    if (staff.hallId !== window.hallId)
      throw badRequest(`staff ${staffNo} does not belong to hall ${window.hallId}`, 'staffNo')
    const affected = new Set<string>([windowId])
    await this.db.$transaction(async (tx) => {
      const elsewhere = await tx.window.findMany({ where: { signedInStaffId: staff.id } })
      for (const w of [...elsewhere, ...(window.signedIn ? [{ id: windowId }] : [])]) {
        affected.add(w.id)
        await tx.signIn.updateMany({
          where: { windowId: w.id, signedOutAt: null },
          data: { signedOutAt: at },
        })
        await tx.window.update({ where: { id: w.id }, data: { signedInStaffId: null, signedInAt: null } })
      }
      await tx.window.update({ where: { id: windowId }, data: { signedInStaffId: staff.id, signedInAt: at } })
      await tx.signIn.create({
        data: { id: randomUUID(), windowId, staffId: staff.id, deviceId, source, signedInAt: at },
      })
    })
    return { window: await this.get(windowId), affectedWindows: [...affected] }
  }

  async signOut(windowId: string, at = new Date()) {
    await this.get(windowId)
    await this.db.$transaction([
      this.db.signIn.updateMany({ where: { windowId, signedOutAt: null }, data: { signedOutAt: at } }),
      this.db.window.update({ where: { id: windowId }, data: { signedInStaffId: null, signedInAt: null } }),
    ])
    return this.get(windowId)
  }
}

type StaffRow = NonNullable<Awaited<ReturnType<Db['staff']['findUnique']>>>
export function staffView(s: StaffRow) {
  return {
    id: s.id,
    staffNo: s.staffNo,
    hallId: s.hallId,
    name: s.name,
    photoUrl: s.photoUrl,
    title: s.title,
    stars: s.stars,
    active: s.active,
  }
}

export interface StaffInput {
  id?: string
  staffNo: string
  hallId: string
  name: string
  photoUrl?: string | null
  title?: string | null
  stars?: number | null
  active?: boolean
}

export class StaffRepository {
  constructor(private readonly db: Db) {}

  async list(p: Principal, hallId?: string) {
    const rows = await this.db.staff.findMany({
      where: hallWhere(p, hallId),
      orderBy: { staffNo: 'asc' },
    })
    return rows.map(staffView)
  }

  async get(id: string) {
    const s = await this.db.staff.findUnique({ where: { id } })
    if (!s) throw notFound(`staff ${id}`)
    return staffView(s)
  }

  async create(input: StaffInput) {
    if (!(await this.db.hall.findUnique({ where: { id: input.hallId } })))
      throw badRequest(`hall ${input.hallId} does not exist`, 'hallId')
    if (await this.db.staff.findUnique({ where: { staffNo: input.staffNo } }))
      throw conflict(`staff number ${input.staffNo} is taken`, 'staffNo')
    const id = input.id ?? randomUUID()
    if (await this.db.staff.findUnique({ where: { id } })) throw conflict(`staff ${id} exists`, 'id')
    return staffView(await this.db.staff.create({ data: { ...input, id } }))
  }

  async update(id: string, input: Partial<Omit<StaffInput, 'id' | 'staffNo' | 'hallId'>>) {
    await this.get(id)
    return staffView(await this.db.staff.update({ where: { id }, data: input }))
  }

  /** Windows where this staff member is signed in (so their configs can be republished). */
  async windowsOf(id: string): Promise<string[]> {
    return (await this.db.window.findMany({ where: { signedInStaffId: id }, select: { id: true } })).map(
      (w) => w.id,
    )
  }
}
