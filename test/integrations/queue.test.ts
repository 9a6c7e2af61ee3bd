// Queue-system transactions over REST: the window's pad is prompted with the transaction, and the
// rating (or unrated event) that answers it is bound to it; status, first answer wins, cancel, scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import mqtt from 'mqtt'
import { Command, QUEUE_USERNAME, QueueReply, queueTopics, type Transaction } from '../../protocol/index.ts'
import { sampleBirth, sampleEvent } from '../fixtures/messages.ts'
import { connectRefusal, RawPad } from '../helpers/raw-pad.ts'
import { subscribeRefused } from '../helpers/mqtt-acl.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

let s: TestServer
let pads: Awaited<ReturnType<typeof seedHall>>['pads']
let pad: RawPad
let queueToken: string

const commands = () =>
  pad.other.filter((m) => m.topic.endsWith('/command')).map((m) => Command.parse(JSON.parse(m.payload)))

beforeAll(async () => {
  s = await startServer()
  pads = (await seedHall(s, { windows: 2 })).pads
  await seedHall(s, { hallId: 'hall-2', windows: 1 })
  pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
  await pad.client.publishAsync(`rp/v1/${pads[0].id}/status`, JSON.stringify(sampleBirth()), {
    qos: 1,
    retain: true,
  })
  await waitFor(async () => (await s.app.repos.devices.get(pads[0].id)).status.online, 'birth')
  queueToken = (await s.app.repos.tokens.create({ name: 'qms', role: 'manager', hallIds: ['hall-1'] })).token
})
afterAll(async () => {
  await pad?.close()
  await s?.close()
})

const start = (body: object, token = queueToken) => s.api('POST', '/api/v1/transactions', body, token)
const status = async (id: string) =>
  (await s.api('GET', `/api/v1/transactions/${id}`, undefined, queueToken)).body

async function promptFor(id: string): Promise<Transaction> {
  const c = await waitFor(
    () => commands().find((c) => c.type === 'prompt' && c.transaction.id === id),
    `prompt for ${id}`,
  )
  return (c as Extract<Command, { type: 'prompt' }>).transaction
}

describe('queue transactions', () => {
  it('prompts the window’s pad and binds the rating that answers it', async () => {
    const r = await start({
      windowId: pads[0].windowId,
      caseNo: 'BJ-2026-000777',
      ticket: 'A017',
      serviceCode: '11110000000000000X4442112001000',
      serviceName: '居民身份证换领',
      staffNo: pads[0].staffNo,
    })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      status: 'pending',
      deviceId: pads[0].id,
      padOnline: true,
      startedBy: 'qms',
    })
    const tx = await promptFor(r.body.id)
    expect(tx).toEqual({
      id: r.body.id,
      caseNo: 'BJ-2026-000777',
      ticket: 'A017',
      serviceCode: '11110000000000000X4442112001000',
      serviceName: '居民身份证换领',
      staffNo: pads[0].staffNo,
    })
    const rating = pad.rating({ key: 4, level: 2, class: 'bad', transaction: tx })
    await pad.send(rating)
    await waitFor(async () => (await status(r.body.id)).status === 'rated', 'rated')
    const t = await status(r.body.id)
    expect(t.rating).toMatchObject({ level: 2, class: 'bad' })
    const row = await s.app.db.prisma.rating.findUnique({ where: { id: t.rating.id } })
    expect(row).toMatchObject({ ratingId: rating.id, transactionId: r.body.id, caseNo: 'BJ-2026-000777' })

    // 一次一评: a second rating naming the same transaction does not replace the first.
    const second = pad.rating({ key: 1, transaction: tx })
    await pad.send(second)
    await waitFor(() => pad.ackedIds().has(second.id), 'second ack')
    expect((await status(r.body.id)).rating.level).toBe(2)
    await expect(
      s.api('POST', `/api/v1/transactions/${r.body.id}/cancel`, {}, queueToken),
    ).resolves.toMatchObject({
      status: 409,
    })
  })

  it('shows an unrated transaction as unrated, and starting the same id again returns it', async () => {
    const r = await start({ id: 'QMS-20260302-0042', windowId: pads[0].windowId, ticket: 'B003' })
    expect(r.status).toBe(201)
    const tx = await promptFor('QMS-20260302-0042')
    await pad.client.publishAsync(
      `rp/v1/${pads[0].id}/event`,
      JSON.stringify(sampleEvent('unrated', { id: 'unrated-qms-0042', transaction: tx })),
      { qos: 1 },
    )
    await waitFor(async () => (await status(r.body.id)).status === 'unrated', 'unrated')
    const again = await start({ id: 'QMS-20260302-0042', windowId: pads[0].windowId, ticket: 'B003' })
    expect(again.status).toBe(200)
    expect(again.body.status).toBe('unrated')
    expect(
      commands().filter((c) => c.type === 'prompt' && c.transaction.id === 'QMS-20260302-0042'),
    ).toHaveLength(1)
    const list = await s.api('GET', '/api/v1/transactions?status=unrated', undefined, queueToken)
    expect(list.body.map((t: { id: string }) => t.id)).toEqual(['QMS-20260302-0042'])
  })

  it('cancels a pending transaction and tells the pad', async () => {
    const r = await start({ windowId: pads[0].windowId, caseNo: 'BJ-2026-000999' })
    await promptFor(r.body.id)
    const c = await s.api('POST', `/api/v1/transactions/${r.body.id}/cancel`, {}, queueToken)
    expect(c.status).toBe(200)
    expect(c.body).toMatchObject({ status: 'cancelled', cancelledBy: 'qms' })
    await waitFor(
      () => commands().some((c) => c.type === 'cancel' && c.transactionId === r.body.id),
      'cancel',
    )
  })

  it('keeps halls apart and names bad fields', async () => {
    const other = await start({ windowId: 'hall-2-w1', caseNo: 'X-1' })
    expect(other.status).toBe(403)
    const missing = await start({ caseNo: 'X-2' })
    expect(missing.status).toBe(400)
    expect(missing.body.message).toMatch(/body\.windowId/)
    const noWindow = await start({ windowId: 'nope' })
    expect(noWindow.status).toBe(400)
    // A rating in another hall naming this hall's transaction does not bind to it.
    const r = await start({ windowId: pads[0].windowId, caseNo: 'BJ-2026-001000' })
    const tx = await promptFor(r.body.id)
    const hall2 = await s.api('GET', '/api/v1/devices?hallId=hall-2')
    const secret = (await s.api('POST', `/api/v1/devices/${hall2.body[0].id}/rotate-secret`)).body.secret
    const stranger = await RawPad.connect(s.mqttUrl, hall2.body[0].id, secret)
    const rating = stranger.rating({ transaction: tx })
    await stranger.send(rating)
    await waitFor(() => stranger.ackedIds().has(rating.id), 'stranger ack')
    expect((await status(r.body.id)).status).toBe('pending')
    await stranger.close()
  })
})

describe('queue transactions over MQTT', () => {
  it('starts, reads and cancels transactions for a queue system on the broker, with its token', async () => {
    const { id: tokenId, token } = await s.app.repos.tokens.create({
      name: 'qms-mqtt',
      role: 'manager',
      hallIds: ['hall-1'],
    })
    // The client id must be the token's id, so the broker can pin it to its own topics.
    expect(await connectRefusal(s.mqttUrl, QUEUE_USERNAME, token)).toMatch(/Not authorized|Bad username/i)
    const qms = await mqtt.connectAsync(s.mqttUrl, {
      username: QUEUE_USERNAME,
      password: token,
      clientId: tokenId,
      reconnectPeriod: 0,
    })
    const replies: QueueReply[] = []
    qms.on('message', (_t, p) => replies.push(QueueReply.parse(JSON.parse(p.toString()))))
    await qms.subscribeAsync(queueTopics.reply(tokenId), { qos: 1 })
    const ask = async (body: object) => {
      const id = `req-${randomUUID()}`
      await qms.publishAsync(queueTopics.request(tokenId), JSON.stringify({ v: 1, id, ...body }), { qos: 1 })
      return waitFor(() => replies.find((r) => r.requestId === id), `reply to ${id}`)
    }

    const started = await ask({
      type: 'start',
      transaction: {
        id: 'QMS-MQTT-0001',
        windowId: pads[0].windowId,
        caseNo: 'BJ-2026-002001',
        ticket: 'C001',
      },
    })
    expect(started).toMatchObject({
      ok: true,
      transaction: { id: 'QMS-MQTT-0001', status: 'pending', padOnline: true },
    })
    const tx = await promptFor('QMS-MQTT-0001')
    await pad.send(pad.rating({ key: 2, transaction: tx }))
    await waitFor(
      async () =>
        (await ask({ type: 'status', transactionId: 'QMS-MQTT-0001' })).transaction?.status === 'rated',
      'rated',
    )
    const rated = await ask({ type: 'status', transactionId: 'QMS-MQTT-0001' })
    expect(rated.transaction?.rating).toMatchObject({ level: 4, class: 'good' })
    expect((await status('QMS-MQTT-0001')).startedBy).toBe('qms-mqtt (mqtt)')

    await ask({ type: 'start', transaction: { id: 'QMS-MQTT-0002', windowId: pads[0].windowId } })
    expect(await ask({ type: 'cancel', transactionId: 'QMS-MQTT-0002' })).toMatchObject({
      ok: true,
      transaction: { status: 'cancelled' },
    })
    // Errors come back as replies: a bad request names the field, another hall is refused.
    expect(await ask({ type: 'start', transaction: {} })).toMatchObject({
      ok: false,
      error: expect.stringContaining('windowId'),
    })
    expect(await ask({ type: 'start', transaction: { windowId: 'hall-2-w1' } })).toMatchObject({
      ok: false,
      error: 'no access to hall hall-2',
    })
    // Nobody else may read its replies or post as it.
    const other = await s.app.repos.tokens.create({ name: 'other', role: 'manager', hallIds: ['hall-1'] })
    const spy = await mqtt.connectAsync(s.mqttUrl, {
      username: QUEUE_USERNAME,
      password: other.token,
      clientId: other.id,
      reconnectPeriod: 0,
    })
    expect(await subscribeRefused(spy, queueTopics.reply(tokenId))).toBe(true)
    await spy.endAsync()
    await qms.endAsync()
  })
})
