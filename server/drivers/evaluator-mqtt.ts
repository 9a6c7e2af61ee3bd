// A vendor-style evaluator (评价器) on MQTT with its own topics and JSON: the kind of counter pad
// many Chinese vendors sell. It is registered as device `<idPrefix><serial number>` (default
// `ev-HW2024000123`), connects with that id and its secret, publishes to `<root>/<SN>/up` and reads
// `<root>/<SN>/down`. Times are local, `yyyyMMddHHmmss`, in the hall's offset.
//
// Up:   {"cmd":"online","sn":"HW2024000123","fw":"V2.3.1","model":"PJQ-5","keys":5,"cfg":3,"time":"20260302091500"}
//       {"cmd":"offline","sn":"HW2024000123","time":"20260302091500"}          (its Last Will; time = that connect)
//       {"cmd":"evaluate","sn":"…","serial":1532,"key":2,"keys":5,"time":"20260302091507",
//        "bizNo":"T20260302-0042","inviteTime":"20260302091500","staff":"S1001","resend":0}
//       {"cmd":"timeout","sn":"…","serial":1533,"bizNo":"…","inviteTime":"…","time":"…"}
//       {"cmd":"repeat","sn":"…","serial":1534,"key":1,"of":1532,"time":"…"}
// Down: {"cmd":"ack","serial":[1532,1533]}
//       {"cmd":"config","ver":3,"keys":5,"labels":[…],"window":"1号窗口","staff":{…},"timeout":30,"voice":1}  (retained)
//       {"cmd":"invite","bizNo":"…","caseNo":"…","ticket":"A042","service":"…","staff":"S1001","time":"…"}
//       {"cmd":"cancel","bizNo":"…"}  {"cmd":"pause"}  {"cmd":"resume"}  {"cmd":"time","time":"…"}
//       {"cmd":"login","staff":{…}}  {"cmd":"logout"}  {"cmd":"resend","from":1500}
import { z } from 'zod'
import { SCHEMA_VERSION, type Birth, type Death } from '../../protocol/index.ts'
import type { Downlink, Driver, DriverModule, Outbound, RawMessage, Uplink } from './driver.ts'
import { ackedSerials, keypadConfig, pressMessage, repeatMessage, timeoutMessage } from './keypad.ts'

const Options = z.object({
  idPrefix: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$/)
    .default('ev-'),
  topicRoot: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('evaluator'),
  utcOffset: z
    .string()
    .regex(/^[+-]\d{2}:\d{2}$/)
    .default('+08:00'),
})

const Compact = z.string().regex(/^\d{14}$/, 'must be yyyyMMddHHmmss')
const SN = z.string().regex(/^[A-Za-z0-9]{4,40}$/, 'must be 4–40 letters or digits')
const Up = z.discriminatedUnion('cmd', [
  z.object({
    cmd: z.literal('online'),
    sn: SN,
    fw: z.string().min(1).max(64).default('unknown'),
    model: z.string().min(1).max(64).default('evaluator'),
    keys: z.number().int(),
    cfg: z.number().int().min(0).nullable().optional(),
    staff: z.string().min(1).nullable().optional(),
    pending: z.number().int().min(0).default(0),
    capacity: z.number().int().min(1).default(200),
    time: Compact,
  }),
  z.object({ cmd: z.literal('offline'), sn: SN, time: Compact }),
  z.object({
    cmd: z.literal('evaluate'),
    sn: SN,
    serial: z.number().int().min(1),
    key: z.number().int(),
    keys: z.number().int(),
    time: Compact,
    bizNo: z.string().min(1).max(64).optional(),
    inviteTime: Compact.optional(),
    staff: z.string().min(1).max(32).optional(),
    reasons: z.array(z.string().min(1).max(32)).max(10).optional(),
    cfg: z.number().int().min(0).optional(),
    resend: z.union([z.literal(0), z.literal(1)]).default(0),
  }),
  z.object({
    cmd: z.literal('timeout'),
    sn: SN,
    serial: z.number().int().min(1),
    bizNo: z.string().min(1).max(64),
    inviteTime: Compact,
    time: Compact,
  }),
  z.object({
    cmd: z.literal('repeat'),
    sn: SN,
    serial: z.number().int().min(1),
    key: z.number().int(),
    of: z.number().int().min(1),
    time: Compact,
  }),
])

/** `20260302091507` at +08:00 → `2026-03-02T09:15:07+08:00`. */
export function fromCompact(t: string, offset: string): string {
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}${offset}`
}

/** An ISO time → `yyyyMMddHHmmss` at the offset. */
export function toCompact(iso: string, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)))
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString().slice(0, 19).replace(/\D/g, '')
}

export function createEvaluatorMqtt(options: Record<string, unknown> = {}): Driver {
  const o = Options.parse(options)
  const up = (sn: string) => `${o.topicRoot}/${sn}/up`
  const down = (sn: string) => `${o.topicRoot}/${sn}/down`
  const snOf = (deviceId: string) => {
    if (!deviceId.startsWith(o.idPrefix)) return null
    const sn = deviceId.slice(o.idPrefix.length)
    return SN.safeParse(sn).success ? sn : null
  }
  const iso = (t: string) => fromCompact(t, o.utcOffset)
  const send = (sn: string, body: object, retain = false): Outbound => ({
    topic: down(sn),
    payload: JSON.stringify(body),
    retain,
  })

  return {
    name: 'evaluator-mqtt',
    subscriptions: [`${o.topicRoot}/+/up`],
    match: (raw) => /^[^/]+\/[^/]+\/up$/.test(raw.topic) && raw.topic.startsWith(`${o.topicRoot}/`),
    owns: (deviceId) => snOf(deviceId) !== null,
    topics(deviceId) {
      const sn = snOf(deviceId)
      return sn ? { publish: [up(sn)], subscribe: [down(sn)] } : null
    },

    decode(raw: RawMessage): Uplink[] {
      const topicSn = raw.topic.split('/')[1]
      const parsed = Up.safeParse(JSON.parse(raw.payload.toString('utf8')))
      if (!parsed.success)
        throw new Error(
          parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; '),
        )
      const m = parsed.data
      // The topic is what the broker let this pad publish to; the payload may not speak for another.
      if (m.sn !== topicSn) throw new Error(`sn ${m.sn} does not match the topic's ${topicSn}`)
      const deviceId = `${o.idPrefix}${m.sn}`
      switch (m.cmd) {
        case 'online': {
          const birth: Birth = {
            v: SCHEMA_VERSION,
            state: 'online',
            // The connect time stands for the connect counter: the will of this connection carries it too.
            connectCount: Math.floor(Date.parse(iso(m.time)) / 1000),
            firmware: m.fw,
            model: m.model,
            capabilities: { keys: [m.keys as 5], display: true, voice: true, reasons: false },
            outboxDepth: m.pending,
            outboxCapacity: m.capacity,
            padState: m.staff ? 'idle' : 'no_staff',
            configVersion: m.cfg ?? null,
            staffNo: m.staff ?? null,
            clock: iso(m.time),
          }
          return [{ deviceId, channel: 'status', message: birth }]
        }
        case 'offline': {
          const death: Death = {
            v: SCHEMA_VERSION,
            state: 'offline',
            connectCount: Math.floor(Date.parse(iso(m.time)) / 1000),
          }
          return [{ deviceId, channel: 'status', message: death }]
        }
        case 'evaluate':
          return [
            {
              deviceId,
              ...pressMessage(deviceId, {
                serial: m.serial,
                key: m.key,
                keys: m.keys,
                at: iso(m.time),
                bizNo: m.bizNo,
                invitedAt: m.inviteTime ? iso(m.inviteTime) : undefined,
                staffNo: m.staff,
                configVersion: m.cfg,
                reasons: m.reasons,
                resent: m.resend === 1,
              }),
            },
          ]
        case 'timeout':
          return [
            {
              deviceId,
              ...timeoutMessage(deviceId, {
                serial: m.serial,
                at: iso(m.time),
                bizNo: m.bizNo,
                invitedAt: iso(m.inviteTime),
              }),
            },
          ]
        case 'repeat':
          return [
            {
              deviceId,
              ...repeatMessage(deviceId, { serial: m.serial, at: iso(m.time), key: m.key, of: m.of }),
            },
          ]
      }
    },

    encode(deviceId: string, d: Downlink): Outbound[] {
      const sn = snOf(deviceId)
      if (!sn) return []
      if (d.channel === 'ack') {
        const serial = ackedSerials(deviceId, d.message)
        return serial.length ? [send(sn, { cmd: 'ack', serial })] : []
      }
      if (d.channel === 'config') return [send(sn, { cmd: 'config', ...keypadConfig(d.message) }, true)]
      const c = d.message
      switch (c.type) {
        case 'prompt':
          return [
            send(sn, {
              cmd: 'invite',
              bizNo: c.transaction.id ?? c.transaction.caseNo,
              caseNo: c.transaction.caseNo ?? null,
              ticket: c.transaction.ticket ?? null,
              service: c.transaction.serviceName ?? null,
              staff: c.transaction.staffNo ?? null,
              time: toCompact(c.issuedAt, o.utcOffset),
            }),
          ]
        case 'cancel':
          return [send(sn, { cmd: 'cancel', bizNo: c.transactionId ?? null })]
        case 'pause':
        case 'resume':
          return [send(sn, { cmd: c.type })]
        case 'timeSync':
          return [send(sn, { cmd: 'time', time: toCompact(c.serverTime, o.utcOffset) })]
        case 'signIn':
          return [
            send(sn, {
              cmd: 'login',
              staff: {
                no: c.staff.staffNo,
                name: c.staff.name,
                title: c.staff.title,
                stars: c.staff.stars,
                photo: c.staff.photoUrl,
              },
            }),
          ]
        case 'signOut':
          return [send(sn, { cmd: 'logout' })]
        case 'replay':
          return [send(sn, { cmd: 'resend', from: c.fromSeq })]
      }
    },
  }
}

export default {
  name: 'evaluator-mqtt',
  description:
    'A vendor-style evaluator (评价器) on its own MQTT topics and JSON (key, serial number, local time)',
  create: createEvaluatorMqtt,
} satisfies DriverModule
