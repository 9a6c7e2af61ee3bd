// Shared by the drivers of simple key pads (a vendor MQTT pad, the pads behind a gateway): their
// messages say which key was pressed, the pad's serial number for the message, when, and the
// transaction (业务号) of the invitation it answers. This turns that into protocol messages.
import {
  classOf,
  levelForKey,
  SCALES,
  SCHEMA_VERSION,
  type Level,
  type PadEvent,
  type Rating,
  type Scale,
} from '../../protocol/index.ts'

export interface KeypadPress {
  /** Message serial number (流水号) on the pad; grows, so it is the rating's seq and makes its id. */
  serial: number
  key: number
  keys: number
  /** ISO time of the press. */
  at: string
  /** The invitation's transaction (业务号), absent when the key was pressed with no invitation. */
  bizNo?: string
  invitedAt?: string
  staffNo?: string
  configVersion?: number
  reasons?: string[]
  resent?: boolean
}

/** Ids are made from the device and the serial number, so a resend is the same message. */
export const messageId = (deviceId: string, serial: number) =>
  `${deviceId.replace(/[^A-Za-z0-9_-]/g, '_')}-${serial}`

/** The serial number back from an id made by messageId for this device, or null. */
export function serialOf(deviceId: string, id: string): number | null {
  const prefix = `${messageId(deviceId, 0).slice(0, -1)}`
  if (!id.startsWith(prefix)) return null
  const n = Number(id.slice(prefix.length))
  return Number.isInteger(n) && n >= 0 ? n : null
}

/** A press: a rating when it answers an invitation, else a pressNoPrompt event. */
export function pressMessage(
  deviceId: string,
  p: KeypadPress,
): { channel: 'rating' | 'event'; message: unknown } {
  const id = messageId(deviceId, p.serial)
  if (!p.bizNo || !p.invitedAt) {
    const event: PadEvent = { v: SCHEMA_VERSION, id, type: 'pressNoPrompt', at: p.at, key: p.key }
    return { channel: 'event', message: event }
  }
  const scale = (SCALES as readonly number[]).includes(p.keys) ? (p.keys as Scale) : 5
  const level = levelForKey(scale, p.key) ?? 1
  const rating: Rating = {
    v: SCHEMA_VERSION,
    id,
    seq: p.serial,
    scale: p.keys as Scale,
    key: p.key,
    level,
    class: classOf(level as Level),
    transaction: { id: p.bizNo, ...(p.staffNo ? { staffNo: p.staffNo } : {}) },
    staffNo: p.staffNo ?? null,
    promptedAt: p.invitedAt,
    pressedAt: p.at,
    replayed: p.resent ?? false,
    ...(p.configVersion !== undefined ? { configVersion: p.configVersion } : {}),
    ...(p.reasons ? { reasons: p.reasons } : {}),
  }
  return { channel: 'rating', message: rating }
}

/** The invitation timed out with no press: the transaction stays unrated. */
export function timeoutMessage(
  deviceId: string,
  t: { serial: number; at: string; bizNo: string; invitedAt: string },
): { channel: 'event'; message: PadEvent } {
  return {
    channel: 'event',
    message: {
      v: SCHEMA_VERSION,
      id: messageId(deviceId, t.serial),
      type: 'unrated',
      at: t.at,
      transaction: { id: t.bizNo },
      promptedAt: t.invitedAt,
    },
  }
}

/** A second press after the rating of this invitation was taken (一次一评). */
export function repeatMessage(
  deviceId: string,
  r: { serial: number; at: string; key: number; of: number },
): { channel: 'event'; message: PadEvent } {
  return {
    channel: 'event',
    message: {
      v: SCHEMA_VERSION,
      id: messageId(deviceId, r.serial),
      type: 'secondPress',
      at: r.at,
      key: r.key,
      ratingId: messageId(deviceId, r.of),
    },
  }
}

/** The serial numbers an ack confirms (committed or rejected: the pad drops both). */
export function ackedSerials(
  deviceId: string,
  ack: { ids: string[]; rejected?: { id: string }[] },
): number[] {
  return [...ack.ids, ...(ack.rejected ?? []).map((r) => r.id)]
    .map((id) => serialOf(deviceId, id))
    .filter((n): n is number => n !== null)
}

/** The pad's screen and keys from a protocol config, in the flat shape simple pads take. */
export function keypadConfig(c: {
  version: number
  scale: number
  keyLabels: string[]
  window: { name: string } | null
  staff: {
    staffNo: string
    name: string
    title: string | null
    stars: number | null
    photoUrl: string | null
  } | null
  timeouts: { promptSeconds: number }
  voice: boolean
}) {
  return {
    ver: c.version,
    keys: c.scale,
    labels: c.keyLabels,
    window: c.window?.name ?? null,
    staff: c.staff
      ? {
          no: c.staff.staffNo,
          name: c.staff.name,
          title: c.staff.title,
          stars: c.staff.stars,
          photo: c.staff.photoUrl,
        }
      : null,
    timeout: c.timeouts.promptSeconds,
    voice: c.voice ? 1 : 0,
  }
}
