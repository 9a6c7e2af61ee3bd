// Drivers for pads that speak their own format: decoding sample vendor payloads into protocol
// messages that pass the protocol schemas, encoding acks, configs and commands back; then both
// drivers end to end through the embedded broker, the same ingest and a queue transaction.
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHANNELS } from '../../protocol/index.ts'
import { createEvaluatorMqtt, fromCompact, toCompact } from '../../server/drivers/evaluator-mqtt.ts'
import { createTbGateway } from '../../server/drivers/tb-gateway.ts'
import { loadDrivers } from '../../server/drivers/registry.ts'
import { sampleAck, sampleCommand, sampleConfig } from '../fixtures/messages.ts'
import { subscribeRefused } from '../helpers/mqtt-acl.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

const at = new Date('2026-03-02T01:15:10Z')
const raw = (topic: string, body: unknown) => ({
  topic,
  payload: Buffer.from(JSON.stringify(body)),
  receivedAt: at,
})
const valid = (u: { channel: 'rating' | 'event' | 'status'; message: unknown }) =>
  CHANNELS[u.channel].schema.parse(u.message)

describe('evaluator-mqtt driver on sample payloads', () => {
  const d = createEvaluatorMqtt()
  const sn = 'HW2024000123'
  const id = `ev-${sn}`

  it('decodes an evaluation answering an invitation into a valid rating', () => {
    const [u] = d.decode(
      raw(`evaluator/${sn}/up`, {
        cmd: 'evaluate',
        sn,
        serial: 1532,
        key: 4,
        keys: 5,
        time: '20260302091507',
        bizNo: 'T20260302-0042',
        inviteTime: '20260302091500',
        staff: 'S1001',
        resend: 1,
      }),
    )
    expect(u.deviceId).toBe(id)
    expect(valid(u)).toMatchObject({
      id: 'ev-HW2024000123-1532',
      seq: 1532,
      scale: 5,
      key: 4,
      level: 2,
      class: 'bad',
      transaction: { id: 'T20260302-0042', staffNo: 'S1001' },
      promptedAt: '2026-03-02T09:15:00+08:00',
      pressedAt: '2026-03-02T09:15:07+08:00',
      replayed: true,
    })
  })

  it('decodes a press without invitation, a timeout, a repeat, online and its will', () => {
    const up = (body: object) => d.decode(raw(`evaluator/${sn}/up`, { sn, ...body }))[0]
    expect(valid(up({ cmd: 'evaluate', serial: 7, key: 1, keys: 3, time: '20260302091507' }))).toMatchObject({
      type: 'pressNoPrompt',
      key: 1,
    })
    expect(
      valid(
        up({ cmd: 'timeout', serial: 8, bizNo: 'T-1', inviteTime: '20260302091500', time: '20260302091530' }),
      ),
    ).toMatchObject({ type: 'unrated', transaction: { id: 'T-1' } })
    expect(valid(up({ cmd: 'repeat', serial: 9, key: 2, of: 7, time: '20260302091508' }))).toMatchObject({
      type: 'secondPress',
      ratingId: 'ev-HW2024000123-7',
    })
    const birth = valid(
      up({ cmd: 'online', fw: 'V2.3.1', model: 'PJQ-5', keys: 5, cfg: 2, time: '20260302080000' }),
    )
    const death = valid(up({ cmd: 'offline', time: '20260302080000' }))
    expect(birth).toMatchObject({ state: 'online', firmware: 'V2.3.1', configVersion: 2 })
    expect(death).toMatchObject({
      state: 'offline',
      connectCount: (birth as { connectCount: number }).connectCount,
    })
  })

  it('refuses a payload speaking for another serial number, or one it cannot read', () => {
    expect(() =>
      d.decode(
        raw(`evaluator/${sn}/up`, {
          cmd: 'evaluate',
          sn: 'OTHER0001',
          serial: 1,
          key: 1,
          keys: 5,
          time: '20260302091507',
        }),
      ),
    ).toThrow(/does not match/)
    expect(() =>
      d.decode(
        raw(`evaluator/${sn}/up`, { cmd: 'evaluate', sn, serial: 1, key: 1, keys: 5, time: 'yesterday' }),
      ),
    ).toThrow(/time/)
  })

  it('encodes acks by serial number, the config (retained) and commands', () => {
    expect(
      d.encode(id, {
        channel: 'ack',
        message: sampleAck({
          ids: ['ev-HW2024000123-1532', 'someone-else-1'],
          rejected: [{ id: 'ev-HW2024000123-1533', reason: 'x' }],
        }),
      }),
    ).toEqual([
      {
        topic: `evaluator/${sn}/down`,
        payload: JSON.stringify({ cmd: 'ack', serial: [1532, 1533] }),
        retain: false,
      },
    ])
    const [config] = d.encode(id, { channel: 'config', message: sampleConfig() })
    expect(config.retain).toBe(true)
    expect(JSON.parse(config.payload)).toMatchObject({
      cmd: 'config',
      ver: 3,
      keys: 5,
      window: '12号窗口',
      staff: { no: 'S1001', name: '张敏' },
      timeout: 30,
    })
    const [invite] = d.encode(id, { channel: 'command', message: sampleCommand('prompt') })
    expect(JSON.parse(invite.payload)).toMatchObject({
      cmd: 'invite',
      bizNo: 'T20260302-0042',
      ticket: 'A042',
      time: '20260302091500',
    })
    for (const type of ['cancel', 'pause', 'resume', 'timeSync', 'signIn', 'signOut', 'replay'] as const)
      expect(d.encode(id, { channel: 'command', message: sampleCommand(type) })).toHaveLength(1)
    expect(d.encode('pad-0001', { channel: 'ack', message: sampleAck() })).toEqual([])
  })

  it('converts local compact times both ways', () => {
    expect(fromCompact('20260302091507', '+08:00')).toBe('2026-03-02T09:15:07+08:00')
    expect(toCompact('2026-03-02T01:15:07Z', '+08:00')).toBe('20260302091507')
  })
})

describe('tb-gateway driver on sample payloads', () => {
  const d = createTbGateway()
  const t = (api: string) => `tb/gw-hall1/v1/gateway/${api}`

  it('decodes telemetry keyed by device name for many pads at once', () => {
    const ups = d.decode(
      raw(t('telemetry'), {
        pad3: [
          {
            ts: 1772414107000,
            values: { event: 'evaluate', serial: 17, key: 1, keys: 3, bizNo: 'T-9', inviteTs: 1772414100000 },
          },
          { ts: 1772414109000, values: { event: 'repeat', serial: 18, key: 2, of: 17 } },
        ],
        pad4: [
          {
            ts: 1772414110000,
            values: { event: 'timeout', serial: 5, bizNo: 'T-10', inviteTs: 1772414080000 },
          },
        ],
      }),
    )
    expect(ups.map((u) => [u.deviceId, u.channel])).toEqual([
      ['gw-hall1.pad3', 'rating'],
      ['gw-hall1.pad3', 'event'],
      ['gw-hall1.pad4', 'event'],
    ])
    expect(valid(ups[0])).toMatchObject({
      id: 'gw-hall1_pad3-17',
      level: 4,
      class: 'good',
      transaction: { id: 'T-9' },
    })
    ups.forEach(valid)
  })

  it('decodes connect and disconnect into birth and death, and refuses bad names', () => {
    const [b] = d.decode(raw(t('connect'), { device: 'pad3' }))
    const [x] = d.decode(raw(t('disconnect'), { device: 'pad3' }))
    expect(valid(b)).toMatchObject({ state: 'online' })
    expect(valid(x)).toMatchObject({ state: 'offline' })
    expect(() => d.decode(raw(t('connect'), { device: 'pad 3' }))).toThrow(/device/)
    expect(d.decode(raw(t('rpc'), { device: 'pad3', id: 1, data: { success: true } }))).toEqual([])
  })

  it('encodes acks and commands as RPC to the right gateway, and the config as attributes', () => {
    const [ack] = d.encode('gw-hall1.pad3', {
      channel: 'ack',
      message: sampleAck({ ids: ['gw-hall1_pad3-17'] }),
    })
    expect(ack.topic).toBe(t('rpc'))
    expect(JSON.parse(ack.payload)).toMatchObject({
      device: 'pad3',
      data: { method: 'ack', params: { serial: [17] } },
    })
    const [cfg] = d.encode('gw-hall1.pad3', { channel: 'config', message: sampleConfig() })
    expect(cfg.topic).toBe(t('attributes'))
    expect(JSON.parse(cfg.payload)).toMatchObject({ device: 'pad3', data: { ver: 3, keys: 5 } })
    const [invite] = d.encode('gw-hall1.pad3', { channel: 'command', message: sampleCommand('prompt') })
    expect(JSON.parse(invite.payload).data).toMatchObject({
      method: 'invite',
      params: { bizNo: 'T20260302-0042' },
    })
    expect(d.topics('gw-hall1')?.publish).toContain(t('telemetry'))
    expect(d.topics('gw-hall1.pad3')).toBeNull()
  })
})

describe('driver configuration', () => {
  it('names an unknown driver and bad options', () => {
    expect(() => loadDrivers({ DRIVERS: ['nope'], DRIVERS_CONFIG: undefined })).toThrow(
      /DRIVERS: unknown driver nope/,
    )
    expect(
      loadDrivers({ DRIVERS: ['evaluator-mqtt', 'tb-gateway'], DRIVERS_CONFIG: undefined }).drivers,
    ).toHaveLength(2)
  })
})

describe('drivers end to end', () => {
  let s: TestServer
  let pads: Awaited<ReturnType<typeof seedHall>>['pads']
  const clients: MqttClient[] = []
  const connect = async (username: string, password: string, opts: mqtt.IClientOptions = {}) => {
    const c = await mqtt.connectAsync(s.mqttUrl, {
      username,
      password,
      clientId: username,
      reconnectPeriod: 0,
      ...opts,
    })
    clients.push(c)
    return c
  }
  const inbox = (c: MqttClient) => {
    const got: { topic: string; json: any; retain: boolean }[] = []
    c.on(
      'message',
      (topic, p, packet) =>
        p.length && got.push({ topic, json: JSON.parse(p.toString()), retain: packet.retain }),
    )
    return got
  }

  beforeAll(async () => {
    s = await startServer({ DRIVERS: 'evaluator-mqtt,tb-gateway' })
    pads = (await seedHall(s, { windows: 3 })).pads
  })
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true)
    await s?.close()
  })

  it('runs a vendor pad: config, invitation from a queue transaction, rating acked by serial, will', async () => {
    const sn = 'HW2024000123'
    const dev = await s.api('POST', '/api/v1/devices', {
      id: `ev-${sn}`,
      hallId: 'hall-1',
      windowId: pads[0].windowId,
    })
    expect(dev.status).toBe(201)
    const up = `evaluator/${sn}/up`
    const pad = await connect(`ev-${sn}`, dev.body.secret, {
      will: {
        topic: up,
        payload: Buffer.from(JSON.stringify({ cmd: 'offline', sn, time: '20260302080000' })),
        qos: 1,
        retain: false,
      },
    })
    const got = inbox(pad)
    await pad.subscribeAsync(`evaluator/${sn}/down`, { qos: 1 })
    await pad.publishAsync(
      up,
      JSON.stringify({ cmd: 'online', sn, fw: 'V2.3.1', model: 'PJQ-5', keys: 5, time: '20260302080000' }),
      { qos: 1 },
    )
    const config = await waitFor(() => got.find((m) => m.json.cmd === 'config'), 'vendor config')
    expect(config.json).toMatchObject({ keys: 5, window: '1号窗口', staff: { no: pads[0].staffNo } })
    await waitFor(async () => (await s.app.repos.devices.get(`ev-${sn}`)).status.online, 'online')

    // The broker keeps the vendor pad to its own topics.
    expect(await subscribeRefused(pad, 'evaluator/OTHER0001/down')).toBe(true)

    const tx = await s.api('POST', '/api/v1/transactions', {
      windowId: pads[0].windowId,
      caseNo: 'BJ-2026-003001',
      ticket: 'A100',
    })
    expect(tx.body.deviceId).toBe(`ev-${sn}`)
    const invite = await waitFor(() => got.find((m) => m.json.cmd === 'invite'), 'invite')
    expect(invite.json).toMatchObject({ bizNo: tx.body.id, caseNo: 'BJ-2026-003001', ticket: 'A100' })
    const evaluate = {
      cmd: 'evaluate',
      sn,
      serial: 41,
      key: 1,
      keys: 5,
      time: '20260302091507',
      bizNo: invite.json.bizNo,
      inviteTime: invite.json.time,
    }
    await pad.publishAsync(up, JSON.stringify(evaluate), { qos: 1 })
    await waitFor(() => got.some((m) => m.json.cmd === 'ack' && m.json.serial.includes(41)), 'vendor ack')
    await waitFor(
      async () => (await s.api('GET', `/api/v1/transactions/${tx.body.id}`)).body.status === 'rated',
      'rated',
    )
    // A resend (no ack seen) is acked again and stored once.
    await pad.publishAsync(up, JSON.stringify({ ...evaluate, resend: 1 }), { qos: 1 })
    await waitFor(
      () => got.filter((m) => m.json.cmd === 'ack' && m.json.serial.includes(41)).length === 2,
      'second ack',
    )
    expect(await s.app.db.prisma.rating.count({ where: { deviceId: `ev-${sn}` } })).toBe(1)
    // A payload it cannot read is kept as rejected, with the driver's reason.
    await pad.publishAsync(up, JSON.stringify({ cmd: 'evaluate', sn, serial: 42 }), { qos: 1 })
    await waitFor(
      async () =>
        (await s.app.db.prisma.rejectedMessage.findFirst({ where: { topic: up } }))?.reason.startsWith(
          'evaluator-mqtt:',
        ),
      'rejected',
    )

    pad.stream.destroy() // power cut: the vendor's will
    await waitFor(async () => !(await s.app.repos.devices.get(`ev-${sn}`)).status.online, 'offline')
  })

  it('runs a gateway carrying two pads over one connection', async () => {
    const gw = await s.api('POST', '/api/v1/devices', { id: 'gw-hall1', hallId: 'hall-1' })
    const c = await connect('gw-hall1', gw.body.secret)
    const got = inbox(c)
    const t = (api: string) => `tb/gw-hall1/v1/gateway/${api}`
    await c.subscribeAsync([t('rpc'), t('attributes')], { qos: 1 })
    expect(await subscribeRefused(c, 'tb/gw-other/v1/gateway/rpc')).toBe(true)
    for (const device of ['pad3', 'pad4'])
      await c.publishAsync(t('connect'), JSON.stringify({ device }), { qos: 1 })
    // Pads behind a gateway are registered in its hall on first connect; a manager binds them.
    await waitFor(
      async () => (await s.app.db.prisma.device.count({ where: { id: { startsWith: 'gw-hall1.' } } })) === 2,
      'registered',
    )
    for (const [device, i] of [
      ['pad3', 1],
      ['pad4', 2],
    ] as const)
      expect(
        (await s.api('PATCH', `/api/v1/devices/gw-hall1.${device}`, { windowId: pads[i].windowId })).status,
      ).toBe(200)
    await waitFor(
      () =>
        got.some(
          (m) => m.topic === t('attributes') && m.json.device === 'pad4' && m.json.data.window === '3号窗口',
        ),
      'attributes',
    )

    const tx3 = await s.api('POST', '/api/v1/transactions', {
      windowId: pads[1].windowId,
      caseNo: 'BJ-2026-004001',
    })
    const tx4 = await s.api('POST', '/api/v1/transactions', {
      windowId: pads[2].windowId,
      caseNo: 'BJ-2026-004002',
    })
    const invite = (device: string) =>
      waitFor(
        () =>
          got.find(
            (m) => m.topic === t('rpc') && m.json.device === device && m.json.data.method === 'invite',
          ),
        `invite ${device}`,
      )
    const i3 = await invite('pad3')
    const i4 = await invite('pad4')
    expect(i3.json.data.params.bizNo).toBe(tx3.body.id)
    await c.publishAsync(
      t('telemetry'),
      JSON.stringify({
        pad3: [
          {
            ts: Date.now(),
            values: {
              event: 'evaluate',
              serial: 1,
              key: 5,
              keys: 5,
              bizNo: i3.json.data.params.bizNo,
              inviteTs: i3.json.data.params.ts,
            },
          },
        ],
        pad4: [
          {
            ts: Date.now(),
            values: {
              event: 'timeout',
              serial: 1,
              bizNo: i4.json.data.params.bizNo,
              inviteTs: i4.json.data.params.ts,
            },
          },
        ],
      }),
      { qos: 1 },
    )
    for (const device of ['pad3', 'pad4'])
      await waitFor(
        () => got.some((m) => m.json.device === device && m.json.data?.method === 'ack'),
        `ack ${device}`,
      )
    await waitFor(
      async () => (await s.api('GET', `/api/v1/transactions/${tx3.body.id}`)).body.status === 'rated',
      'pad3 rated',
    )
    expect((await s.api('GET', `/api/v1/transactions/${tx3.body.id}`)).body.rating.level).toBe(1)
    await waitFor(
      async () => (await s.api('GET', `/api/v1/transactions/${tx4.body.id}`)).body.status === 'unrated',
      'pad4 unrated',
    )
    await c.publishAsync(t('disconnect'), JSON.stringify({ device: 'pad3' }), { qos: 1 })
    await waitFor(async () => !(await s.app.repos.devices.get('gw-hall1.pad3')).status.online, 'pad3 offline')
  })
})
