// Writes the flags of a commit's new ratings and events inside the commit transaction (an ingest
// transaction hook), so a rating and its flags are stored together or not at all. One query per
// batch for the pads' neighbouring ratings (bursts), one for who was signed in (noPrompt), one
// multi-row insert; the unique (kind, ratingId) and (kind, eventId) keys make a rewrite harmless.
import type { OpeningHours } from '../../protocol/index.ts'
import { insertRows, MAX_PARAMS, queryRows } from '../db/bulk.ts'
import { Prisma } from '../db/generated/sqlite/client.ts'
import type { InsertedRows } from '../repositories/ratings.ts'
import type { Tx } from '../reports/rollups.ts'
import { bursts } from './burst.ts'
import { clockSkew } from './clock-skew.ts'
import { fastPress } from './fast-press.ts'
import type { Finding, IntegrityOptions } from './kinds.ts'
import { outsideHours } from './opening-hours.ts'
import { newRowId } from '../db/ids.ts'

/** Where a flag belongs: the flagged rating's (or event's) pad, hall, window, staff and local day. */
export interface FlagPlace {
  deviceId: string
  hallId: string
  windowId: string | null
  staffNo: string | null
  day: string
}

export interface FlagRow extends FlagPlace {
  id: string
  kind: string
  ratingId: string | null
  eventId: string | null
  detail: string
  createdAt: Date
}

export function flagRow(
  f: Finding,
  on: { ratingId: string } | { eventId: string },
  place: FlagPlace,
  now: Date,
): FlagRow {
  return {
    id: newRowId(),
    kind: f.kind,
    ratingId: 'ratingId' in on ? on.ratingId : null,
    eventId: 'eventId' in on ? on.eventId : null,
    deviceId: place.deviceId,
    hallId: place.hallId,
    windowId: place.windowId,
    staffNo: place.staffNo,
    day: place.day,
    detail: JSON.stringify(f.detail),
    createdAt: now,
  }
}

const date = (v: unknown) => (v instanceof Date ? v : new Date(v as string))

const hoursCache = new Map<string, OpeningHours>()
function parseHours(json: string): OpeningHours {
  let h = hoursCache.get(json)
  if (!h) {
    h = JSON.parse(json) as OpeningHours
    if (hoursCache.size > 1000) hoursCache.clear()
    hoursCache.set(json, h)
  }
  return h
}

interface Neighbour extends FlagPlace {
  id: string
  pressedAt: Date
}

/** The hook: flags for the new rows of one commit. */
export function integrityHook(opts: IntegrityOptions, now: () => Date = () => new Date()) {
  return async (tx: Tx, rows: InsertedRows) => {
    const at = now()
    const flags: FlagRow[] = []
    for (const r of rows.ratings) {
      const device = rows.devices.get(r.deviceId)
      if (!device) continue
      const place: FlagPlace = {
        deviceId: r.deviceId,
        hallId: r.hallId,
        windowId: r.windowId ?? null,
        staffNo: r.staffNo ?? null,
        day: r.day,
      }
      const press = {
        promptedAt: r.promptedAt ? date(r.promptedAt) : null,
        pressedAt: date(r.pressedAt),
        receivedAt: date(r.receivedAt),
      }
      const found = [
        fastPress(press, opts.fastPressMs),
        clockSkew(press, device.clockSkewMs, opts.clockSkewMs),
        outsideHours(
          date(r.occurredAt),
          device.hall.timeZone,
          parseHours(device.hall.openingHours),
          opts.hoursGraceMinutes,
        ),
      ]
      for (const f of found) if (f) flags.push(flagRow(f, { ratingId: r.id! }, place, at))
    }
    flags.push(...(await burstFlags(tx, rows, opts, at)))
    flags.push(...(await noPromptFlags(tx, rows, at)))
    await insertRows(tx, 'RatingFlag', flags as unknown as Record<string, unknown>[])
  }
}

/**
 * Bursts among each pad's new ratings and the stored ones around them. A run of `count` presses
 * within the window is `count` consecutive seqs (seq grows with every press), so the stored
 * ratings within count − 1 seqs of the new ones are all a burst can involve. Older ratings that
 * turn out to be part of a burst (their neighbours came later, from an outbox) are flagged too.
 */
async function burstFlags(tx: Tx, rows: InsertedRows, opts: IntegrityOptions, at: Date) {
  const { count, windowMs } = opts.burst
  const ranges = new Map<string, { min: number; max: number }>()
  for (const r of rows.ratings) {
    const e = ranges.get(r.deviceId)
    if (!e) ranges.set(r.deviceId, { min: r.seq, max: r.seq })
    else {
      e.min = Math.min(e.min, r.seq)
      e.max = Math.max(e.max, r.seq)
    }
  }
  const byDevice = new Map<string, Neighbour[]>()
  const entries = [...ranges]
  const perStatement = Math.floor(MAX_PARAMS / 3)
  for (let i = 0; i < entries.length; i += perStatement) {
    const ranges = entries
      .slice(i, i + perStatement)
      .map(
        ([d, r]) =>
          Prisma.sql`(${d}, CAST(${r.min - (count - 1)} AS INTEGER), CAST(${r.max + (count - 1)} AS INTEGER))`,
      )
    // A join with a VALUES list (columns column1… on both databases): one index range per pad.
    const found = await queryRows<{
      id: string
      deviceId: string
      hallId: string
      windowId: string | null
      staffNo: string | null
      day: string
      pressedAt: Date | string
    }>(
      tx,
      Prisma.sql`SELECT r."id", r."deviceId", r."hallId", r."windowId", r."staffNo", r."day", r."pressedAt" FROM "Rating" r JOIN (VALUES ${Prisma.join(ranges)}) v ON r."deviceId" = v.column1 AND r."seq" BETWEEN v.column2 AND v.column3`,
    )
    for (const n of found) {
      let list = byDevice.get(n.deviceId)
      if (!list) byDevice.set(n.deviceId, (list = []))
      list.push({ ...n, pressedAt: date(n.pressedAt) })
    }
  }
  const flags: FlagRow[] = []
  for (const list of byDevice.values()) {
    if (list.length < count) continue
    const hit = bursts(list, count, windowMs)
    for (const n of list) {
      const size = hit.get(n.id)
      if (size !== undefined)
        flags.push(flagRow({ kind: 'burst', detail: { ratings: size, windowMs } }, { ratingId: n.id }, n, at))
    }
  }
  return flags
}

/** A key pressed with no prompt: flagged on the event, against whoever was signed in at the window. */
async function noPromptFlags(tx: Tx, rows: InsertedRows, at: Date) {
  const presses = rows.events.filter((e) => e.type === 'pressNoPrompt')
  if (!presses.length) return []
  const windowIds = [...new Set(presses.map((e) => e.windowId).filter((w): w is string => Boolean(w)))]
  const times = presses.map((e) => date(e.occurredAt).getTime())
  const signIns = windowIds.length
    ? await tx.signIn.findMany({
        where: {
          windowId: { in: windowIds },
          signedInAt: { lte: new Date(Math.max(...times)) },
          OR: [{ signedOutAt: null }, { signedOutAt: { gt: new Date(Math.min(...times)) } }],
        },
        select: { windowId: true, signedInAt: true, signedOutAt: true, staff: { select: { staffNo: true } } },
        orderBy: { signedInAt: 'desc' },
      })
    : []
  return presses.map((e) => {
    const t = date(e.occurredAt).getTime()
    const who = signIns.find(
      (s) =>
        s.windowId === e.windowId &&
        s.signedInAt.getTime() <= t &&
        (!s.signedOutAt || s.signedOutAt.getTime() > t),
    )
    const payload = JSON.parse(e.payload) as { key?: number }
    return flagRow(
      { kind: 'noPrompt', detail: { key: payload.key ?? null } },
      { eventId: e.id! },
      {
        deviceId: e.deviceId,
        hallId: e.hallId,
        windowId: e.windowId ?? null,
        staffNo: e.staffNo ?? who?.staff.staffNo ?? null,
        day: e.day,
      },
      at,
    )
  })
}
