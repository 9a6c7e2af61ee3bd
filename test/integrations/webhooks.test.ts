// Webhooks end to end against a real local HTTP server: rating.created, rating.bad, device.offline
// and followup.overdue, signed with HMAC-SHA256; retries with backoff, the delivery log, redelivery;
// and an upstream 好差评 exporter through a field mapping.
import { randomUUID } from 'node:crypto'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topics } from '../../protocol/index.ts'
import { verify } from '../../server/webhooks/signing.ts'
import { sampleBirth, sampleDeath, sampleTransaction } from '../fixtures/messages.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { Receiver } from '../helpers/receiver.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

let s: TestServer
let rx: Receiver
let pads: Awaited<ReturnType<typeof seedHall>>['pads']
let hook: { id: string; secret: string }
let upstream: { id: string }

beforeAll(async () => {
  rx = await Receiver.start()
  s = await startServer({ WEBHOOK_POLL_MS: '50', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_MAX_ATTEMPTS: '3' })
  pads = (await seedHall(s, { windows: 2 })).pads
  const h = await s.api('POST', '/api/v1/webhooks', { name: 'hall bot', url: `${rx.url}/hook` })
  expect(h.status).toBe(201)
  expect(h.body.secret).toMatch(/^whsec_/)
  hook = h.body
  const u = await s.api('POST', '/api/v1/webhooks', {
    name: '省好差评平台',
    kind: 'upstream',
    url: `${rx.url}/upstream`,
    headers: { 'x-app-key': 'demo' },
    mapping: {
      fields: {
        projectNo: 'caseNo',
        taskCode: 'serviceCode',
        taskName: 'serviceName',
        pf: { const: '4' },
        alternate: { field: 'level' },
        'appraise.staff': 'staffNo',
        'appraise.staffName': 'staffName',
        assessTime: { field: 'occurredAt', format: 'datetime' },
        satisfied: { field: 'class', map: { good: '1', bad: '0' } },
        reasons: { field: 'reasons', join: ',', default: '' },
      },
    },
  })
  expect(u.status).toBe(201)
  upstream = u.body
})
afterAll(async () => {
  await s?.close()
  await rx?.close()
})

function checkSignature(r: { headers: Record<string, unknown>; body: string }, secret = hook.secret) {
  return verify(
    secret,
    { signature: String(r.headers['x-rp-signature']), timestamp: String(r.headers['x-rp-timestamp']) },
    r.body,
  )
}

describe('webhooks', () => {
  it('sends rating.created and rating.bad for a 差评, signed, and the exporter sends the mapped fields', async () => {
    const pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
    const rating = pad.rating({
      key: 4,
      level: 2,
      class: 'bad',
      reasons: ['attitude', 'efficiency'],
      pressedAt: '2026-03-02T09:15:07+08:00',
      transaction: sampleTransaction({ staffNo: pads[0].staffNo, serviceCode: 'SVC-001' }),
    })
    await pad.send(rating)
    await waitFor(() => rx.at('/hook').length >= 2 && rx.at('/upstream').length >= 1, 'deliveries')
    const hooks = rx.at('/hook')
    expect(hooks.map((r) => r.json.type).sort()).toEqual(['rating.bad', 'rating.created'])
    for (const r of hooks) {
      expect(checkSignature(r)).toBe(true)
      expect(checkSignature(r, 'whsec_someone_else_entirely')).toBe(false)
      expect(r.headers['x-rp-event']).toBe(r.json.type)
      expect(r.json.data.rating).toMatchObject({
        padRatingId: rating.id,
        deviceId: pads[0].id,
        level: 2,
        levelLabel: '不满意',
        class: 'bad',
        reasons: ['attitude', 'efficiency'],
        transaction: { caseNo: 'BJ-2026-000042', serviceCode: 'SVC-001' },
      })
    }
    // The same event has one id for every webhook; each delivery its own id.
    expect(hooks[0].headers['x-rp-delivery']).not.toBe(hooks[1].headers['x-rp-delivery'])
    const up = rx.at('/upstream')[0]
    expect(up.headers['x-app-key']).toBe('demo')
    expect(up.json).toEqual({
      projectNo: 'BJ-2026-000042',
      taskCode: 'SVC-001',
      taskName: '居民身份证换领',
      pf: '4',
      alternate: 2,
      appraise: { staff: pads[0].staffNo, staffName: '工作人员1' },
      assessTime: '2026-03-02 09:15:07',
      satisfied: '0',
      reasons: 'attitude,efficiency',
    })
    await pad.close()
  })

  it('does not export a rating without a case number (requireCaseNo)', async () => {
    const before = rx.at('/upstream').length
    const pad = await RawPad.connect(s.mqttUrl, pads[1].id, pads[1].secret)
    const rating = pad.rating({ transaction: { id: 'pad-made-0001' } })
    await pad.send(rating)
    await waitFor(() => rx.at('/hook').some((r) => r.json.data.rating?.padRatingId === rating.id), 'webhook')
    const log = await s.api('GET', `/api/v1/webhooks/${upstream.id}/deliveries`)
    expect(log.body.items).toHaveLength(before)
    await pad.close()
  })

  it('retries a failing receiver with backoff, logs each attempt, gives up, and redelivers on request', async () => {
    rx.answer('/hook', 500, 503)
    const pad = await RawPad.connect(s.mqttUrl, pads[1].id, pads[1].secret)
    const rating = pad.rating({ key: 1 })
    await pad.send(rating)
    const created = () =>
      rx
        .at('/hook')
        .filter((r) => r.json.type === 'rating.created' && r.json.data.rating.padRatingId === rating.id)
    await waitFor(() => created().some((r) => r.status === 200), 'delivered after retries')
    expect(created().map((r) => r.status)).toEqual([500, 503, 200])
    // Every retry carries the same delivery id and body, so a receiver can drop repeats.
    expect(new Set(created().map((r) => r.headers['x-rp-delivery'])).size).toBe(1)
    expect(new Set(created().map((r) => r.body)).size).toBe(1)
    const deliveryId = String(created()[0].headers['x-rp-delivery'])
    const d = await s.api('GET', `/api/v1/webhook-deliveries/${deliveryId}`)
    expect(d.body).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 })
    expect(d.body.attemptLog.map((a: { status: number }) => a.status)).toEqual([500, 503, 200])

    // Three failures in a row: failed for good (WEBHOOK_MAX_ATTEMPTS=3), then sent again by hand.
    rx.answer('/hook', 500, 500, 500)
    const r2 = pad.rating({ key: 2 })
    await pad.send(r2)
    const log = async () =>
      (await s.api('GET', `/api/v1/webhooks/${hook.id}/deliveries?status=failed`)).body.items as any[]
    const failed = await waitFor(
      async () => (await log()).find((x) => x.payload.data.rating.padRatingId === r2.id),
      'failed',
    )
    expect(failed).toMatchObject({ attempts: 3, lastStatus: 500, lastError: 'HTTP 500' })
    const again = await s.api('POST', `/api/v1/webhook-deliveries/${failed.id}/redeliver`)
    expect(again.status).toBe(200)
    await waitFor(
      async () => (await s.api('GET', `/api/v1/webhook-deliveries/${failed.id}`)).body.status === 'delivered',
      'redelivered',
    )
    await pad.close()
  })

  it('sends device.offline once when a pad’s Last Will arrives', async () => {
    const id = pads[0].id
    const client = await mqtt.connectAsync(s.mqttUrl, {
      username: id,
      password: pads[0].secret,
      clientId: `${id}:will`,
      reconnectPeriod: 0,
      will: {
        topic: topics.status(id),
        payload: Buffer.from(JSON.stringify(sampleDeath({ connectCount: 42 }))),
        qos: 1,
        retain: true,
      },
    })
    await client.publishAsync(topics.status(id), JSON.stringify(sampleBirth({ connectCount: 42 })), {
      qos: 1,
      retain: true,
    })
    await waitFor(async () => (await s.app.repos.devices.get(id)).status.online, 'online')
    client.stream.destroy() // a power cut: the broker publishes the will
    const offline = () => rx.at('/hook').filter((r) => r.json.type === 'device.offline')
    await waitFor(() => offline().length === 1, 'device.offline')
    expect(offline()[0].json.data.device).toMatchObject({ id, hallId: 'hall-1', connectCount: 42 })
    expect(checkSignature(offline()[0])).toBe(true)
    // The same will read again (as at a restart, it is retained) is not news. Listeners run in order,
    // so once this one has seen it, the webhook's has handled it too.
    const seen: number[] = []
    s.app.ingest.onOffline((deviceId, death) => void (deviceId === id && seen.push(death.connectCount)))
    const observer = await mqtt.connectAsync(s.mqttUrl, {
      username: id,
      password: pads[0].secret,
      clientId: `${id}:observer`,
      reconnectPeriod: 0,
    })
    await observer.publishAsync(topics.status(id), JSON.stringify(sampleDeath({ connectCount: 42 })), {
      qos: 1,
      retain: true,
    })
    await waitFor(() => seen.includes(42), 'the will handled again')
    await s.app.webhooks.dispatcher.round()
    const logged = await s.api('GET', `/api/v1/webhooks/${hook.id}/deliveries?event=device.offline`)
    expect(logged.body.items).toHaveLength(1)
    expect(offline()).toHaveLength(1)
    await observer.endAsync()
  })

  it('sends followup.overdue when a 差评 case passes its due date', async () => {
    const now = new Date()
    const due = new Date(now.getTime() - 60_000)
    const caseId = randomUUID()
    await s.app.db.prisma.followupCase.create({
      data: {
        id: caseId,
        ratingId: `rating-${caseId}`,
        hallId: 'hall-1',
        windowId: pads[0].windowId,
        staffNo: pads[0].staffNo,
        level: 1,
        ratedAt: due,
        ratedDay: '2026-03-02',
        openedAt: due,
        openedDay: '2026-03-02',
        state: 'pending_callback',
        callbackDueDay: '2026-03-02',
        callbackDueAt: due,
        rectifyDueDay: '2026-03-09',
        rectifyDueAt: new Date(now.getTime() + 7 * 86_400_000),
        dueAt: due,
        updatedAt: now,
      },
    })
    const overdue = () => rx.at('/hook').filter((r) => r.json.type === 'followup.overdue')
    await waitFor(() => overdue().length === 1, 'followup.overdue')
    expect(overdue()[0].json.data.case).toMatchObject({
      id: caseId,
      deadline: 'callback',
      dueAt: due.toISOString(),
    })
  })

  it('validates webhooks at the edge and keeps managers to their halls', async () => {
    const bad = await s.api('POST', '/api/v1/webhooks', { name: 'x', url: 'ftp://example.test/' })
    expect(bad.status).toBe(400)
    expect(bad.body.message).toMatch(/body\.url/)
    const noMap = await s.api('POST', '/api/v1/webhooks', { name: 'x', kind: 'upstream', url: rx.url })
    expect(noMap.status).toBe(400)
    expect(noMap.body.message).toMatch(/body\.mapping/)
    const badField = await s.api('POST', '/api/v1/webhooks', {
      name: 'x',
      kind: 'upstream',
      url: rx.url,
      mapping: { fields: { projectNo: 'caseNumber' } },
    })
    expect(badField.status).toBe(400)
    expect(badField.body.message).toMatch(/body\.mapping\.fields\.projectNo/)
    const manager = (await s.app.repos.tokens.create({ name: 'm', role: 'manager', hallIds: ['hall-1'] }))
      .token
    expect((await s.api('POST', '/api/v1/webhooks', { name: 'all', url: rx.url }, manager)).status).toBe(403)
    const mine = await s.api(
      'POST',
      '/api/v1/webhooks',
      { name: 'mine', url: rx.url, hallIds: ['hall-1'], active: false },
      manager,
    )
    expect(mine.status).toBe(201)
    expect(
      (await s.api('GET', '/api/v1/webhooks', undefined, manager)).body.map((w: { id: string }) => w.id),
    ).toEqual([mine.body.id])
    expect((await s.api('GET', `/api/v1/webhooks/${hook.id}`, undefined, manager)).status).toBe(404)
  })
})
