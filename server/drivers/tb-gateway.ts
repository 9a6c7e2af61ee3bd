// A gateway carrying many pads over one MQTT connection, with ThingsBoard's gateway API: messages
// keyed by device name (a controller shared with the queue system, with key pads on an RS-485 bus,
// is the usual case). The gateway is registered as a device (`gw-hall1`); each pad behind it is the
// device `<gateway>.<name>`, registered on its first connect in the gateway's hall. ThingsBoard's
// topics sit under `tb/<gateway>/`, so the broker keeps one gateway from speaking for another (an
// external broker's mountpoint, e.g. EMQX `mountpoint = "tb/${username}/"`, lets a stock gateway
// use the bare `v1/gateway/...` topics).
//
// Up:   tb/gw-hall1/v1/gateway/connect     {"device":"pad3"}
//       tb/gw-hall1/v1/gateway/disconnect  {"device":"pad3"}
//       tb/gw-hall1/v1/gateway/telemetry   {"pad3":[{"ts":1772414107000,"values":{"event":"evaluate","serial":17,
//                                          "key":2,"keys":5,"bizNo":"T…","inviteTs":1772414100000,"staff":"S1001"}}]}
//       (values.event: evaluate, timeout (with bizNo and inviteTs), repeat (with of))
//       tb/gw-hall1/v1/gateway/rpc         {"device":"pad3","id":12,"data":{"success":true}}   (replies, ignored)
// Down: tb/gw-hall1/v1/gateway/rpc         {"device":"pad3","data":{"id":12,"method":"ack","params":{"serial":[17]}}}
//       (methods: ack, invite, cancel, pause, resume, time, login, logout, resend)
//       tb/gw-hall1/v1/gateway/attributes  {"device":"pad3","data":{"ver":3,"keys":5,"labels":[…],…}}
import { z } from 'zod'
import { isDeviceId, SCHEMA_VERSION, type Birth, type Death } from '../../protocol/index.ts'
import type { Downlink, Driver, DriverModule, Outbound, RawMessage, Uplink } from './driver.ts'
import { ackedSerials, keypadConfig, pressMessage, repeatMessage, timeoutMessage } from './keypad.ts'

const Options = z.object({
  idPrefix: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$/)
    .default('gw-'),
  topicRoot: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('tb'),
})

const Name = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, _ or -')
const Ts = z.number().int().min(0)
const Values = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('evaluate'),
    serial: z.number().int().min(1),
    key: z.number().int(),
    keys: z.number().int(),
    bizNo: z.string().min(1).max(64).optional(),
    inviteTs: Ts.optional(),
    staff: z.string().min(1).max(32).optional(),
    resend: z.boolean().optional(),
  }),
  z.object({
    event: z.literal('timeout'),
    serial: z.number().int().min(1),
    bizNo: z.string().min(1).max(64),
    inviteTs: Ts,
  }),
  z.object({
    event: z.literal('repeat'),
    serial: z.number().int().min(1),
    key: z.number().int(),
    of: z.number().int().min(1),
  }),
])
const Telemetry = z.record(Name, z.array(z.object({ ts: Ts, values: Values })).max(500))
const DeviceRef = z.object({ device: Name })

const API = ['connect', 'disconnect', 'telemetry', 'rpc', 'attributes'] as const

export function createTbGateway(options: Record<string, unknown> = {}): Driver {
  const o = Options.parse(options)
  const gatewayOf = (id: string) => (id.startsWith(o.idPrefix) && !id.includes('.') ? id : null)
  const split = (deviceId: string) => {
    const dot = deviceId.indexOf('.')
    if (dot < 0) return null
    const gateway = gatewayOf(deviceId.slice(0, dot))
    const name = deviceId.slice(dot + 1)
    return gateway && Name.safeParse(name).success ? { gateway, name } : null
  }
  const topic = (gateway: string, api: (typeof API)[number]) => `${o.topicRoot}/${gateway}/v1/gateway/${api}`
  const iso = (ms: number) => new Date(ms).toISOString()
  let rpcId = 0
  const rpc = (gateway: string, device: string, method: string, params: object = {}): Outbound => ({
    topic: topic(gateway, 'rpc'),
    payload: JSON.stringify({ device, data: { id: (rpcId = (rpcId % 1_000_000) + 1), method, params } }),
  })

  return {
    name: 'tb-gateway',
    subscriptions: API.filter((a) => a !== 'attributes').map((a) => `${o.topicRoot}/+/v1/gateway/${a}`),
    match: (raw) => {
      const p = raw.topic.split('/')
      return (
        p.length === 5 &&
        p[0] === o.topicRoot &&
        p[2] === 'v1' &&
        p[3] === 'gateway' &&
        gatewayOf(p[1]) !== null
      )
    },
    owns: (deviceId) => split(deviceId) !== null,
    parentOf: (deviceId) => split(deviceId)?.gateway ?? null,
    topics(deviceId) {
      const g = gatewayOf(deviceId)
      if (!g) return null
      return {
        publish: ['connect', 'disconnect', 'telemetry', 'rpc'].map((a) =>
          topic(g, a as (typeof API)[number]),
        ),
        subscribe: [topic(g, 'rpc'), topic(g, 'attributes')],
      }
    },

    decode(raw: RawMessage): Uplink[] {
      const [, gateway, , , api] = raw.topic.split('/')
      const json = JSON.parse(raw.payload.toString('utf8'))
      const id = (name: string) => {
        const d = `${gateway}.${name}`
        if (!isDeviceId(d)) throw new Error(`device name ${name} makes too long an id`)
        return d
      }
      // A connect or disconnect has no counter of its own: the time it arrived stands for one.
      const count = Math.floor(raw.receivedAt.getTime() / 1000)
      const issues = (e: z.ZodError) =>
        e.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ')
      if (api === 'connect' || api === 'disconnect') {
        const r = DeviceRef.safeParse(json)
        if (!r.success) throw new Error(issues(r.error))
        if (api === 'disconnect') {
          const death: Death = { v: SCHEMA_VERSION, state: 'offline', connectCount: count }
          return [{ deviceId: id(r.data.device), channel: 'status', message: death }]
        }
        const birth: Birth = {
          v: SCHEMA_VERSION,
          state: 'online',
          connectCount: count,
          firmware: 'gateway',
          model: 'keypad',
          capabilities: { keys: [2, 3, 4, 5], display: false, voice: false, reasons: false },
          outboxDepth: 0,
          outboxCapacity: 1,
          padState: 'idle',
          configVersion: null,
          staffNo: null,
          clock: raw.receivedAt.toISOString(),
        }
        return [{ deviceId: id(r.data.device), channel: 'status', message: birth }]
      }
      if (api === 'rpc') return [] // the gateway's replies to our calls
      const t = Telemetry.safeParse(json)
      if (!t.success) throw new Error(issues(t.error))
      const out: Uplink[] = []
      for (const [name, points] of Object.entries(t.data)) {
        const deviceId = id(name)
        for (const { ts, values: v } of points) {
          if (v.event === 'evaluate')
            out.push({
              deviceId,
              ...pressMessage(deviceId, {
                serial: v.serial,
                key: v.key,
                keys: v.keys,
                at: iso(ts),
                bizNo: v.bizNo,
                invitedAt: v.inviteTs !== undefined ? iso(v.inviteTs) : undefined,
                staffNo: v.staff,
                resent: v.resend,
              }),
            })
          else if (v.event === 'timeout')
            out.push({
              deviceId,
              ...timeoutMessage(deviceId, {
                serial: v.serial,
                at: iso(ts),
                bizNo: v.bizNo,
                invitedAt: iso(v.inviteTs),
              }),
            })
          else
            out.push({
              deviceId,
              ...repeatMessage(deviceId, { serial: v.serial, at: iso(ts), key: v.key, of: v.of }),
            })
        }
      }
      return out
    },

    encode(deviceId: string, d: Downlink): Outbound[] {
      const s = split(deviceId)
      if (!s) return []
      const { gateway, name } = s
      if (d.channel === 'ack') {
        const serial = ackedSerials(deviceId, d.message)
        return serial.length ? [rpc(gateway, name, 'ack', { serial })] : []
      }
      if (d.channel === 'config')
        return [
          {
            topic: topic(gateway, 'attributes'),
            payload: JSON.stringify({ device: name, data: keypadConfig(d.message) }),
          },
        ]
      const c = d.message
      switch (c.type) {
        case 'prompt':
          return [
            rpc(gateway, name, 'invite', {
              bizNo: c.transaction.id ?? c.transaction.caseNo,
              caseNo: c.transaction.caseNo ?? null,
              ticket: c.transaction.ticket ?? null,
              service: c.transaction.serviceName ?? null,
              staff: c.transaction.staffNo ?? null,
              ts: Date.parse(c.issuedAt),
            }),
          ]
        case 'cancel':
          return [rpc(gateway, name, 'cancel', { bizNo: c.transactionId ?? null })]
        case 'pause':
        case 'resume':
        case 'signOut':
          return [rpc(gateway, name, c.type === 'signOut' ? 'logout' : c.type)]
        case 'timeSync':
          return [rpc(gateway, name, 'time', { ts: Date.parse(c.serverTime) })]
        case 'signIn':
          return [rpc(gateway, name, 'login', { no: c.staff.staffNo, name: c.staff.name })]
        case 'replay':
          return [rpc(gateway, name, 'resend', { from: c.fromSeq })]
      }
    },
  }
}

export default {
  name: 'tb-gateway',
  description:
    'A gateway carrying many key pads over one connection, with ThingsBoard’s gateway API (keyed by device name)',
  create: createTbGateway,
} satisfies DriverModule
