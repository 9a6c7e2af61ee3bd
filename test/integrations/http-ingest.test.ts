// HTTP ingest for pads that cannot speak MQTT: the same ingest as MQTT (validation, rejected
// messages, idempotency on the pad's ids), and the answer is the protocol Ack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ack } from '../../protocol/index.ts'
import { sampleEvent, sampleRating } from '../fixtures/messages.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

let s: TestServer
let pads: Awaited<ReturnType<typeof seedHall>>['pads']

beforeAll(async () => {
  s = await startServer()
  pads = (await seedHall(s, { windows: 2 })).pads
})
afterAll(async () => s?.close())

async function post(path: string, body: unknown, id = pads[0].id, secret = pads[0].secret) {
  const res = await fetch(`${s.httpUrl}/api/v1/pad/${path}`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  })
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }
}
const stored = (ratingId: string) => s.app.db.prisma.rating.count({ where: { ratingId } })

describe('HTTP ingest', () => {
  it('stores a rating and answers with the ack after commit; a resend is acked again and stored once', async () => {
    const rating = sampleRating({ id: 'http-rating-0001', seq: 1 })
    const first = await post('ratings', rating)
    expect(first.status).toBe(200)
    expect(Ack.parse(first.body).ids).toEqual([rating.id])
    expect(await stored(rating.id)).toBe(1)
    const again = await post('ratings', { ...rating, replayed: true })
    expect(again.status).toBe(200)
    expect(again.body.ids).toEqual([rating.id])
    expect(await stored(rating.id)).toBe(1)
  })

  it('takes a whole outbox in one request and stores events too', async () => {
    const ratings = [2, 3, 4].map((seq) => sampleRating({ id: `http-batch-000${seq}`, seq }))
    const r = await post('ratings', ratings)
    expect(r.status).toBe(200)
    expect(new Set(r.body.ids)).toEqual(new Set(ratings.map((x) => x.id)))
    const unrated = sampleEvent('unrated', { id: 'http-event-0001' })
    const e = await post('events', [unrated, sampleEvent('pressNoPrompt', { id: 'http-event-0002' })])
    expect(e.status).toBe(200)
    expect(e.body.ids).toEqual(['http-event-0001', 'http-event-0002'])
    expect(await s.app.db.prisma.padEventRecord.count({ where: { deviceId: pads[0].id } })).toBe(2)
  })

  it('keeps an invalid rating as rejected, as over MQTT, and says which field (400, still an Ack)', async () => {
    const good = sampleRating({ id: 'http-good-00001', seq: 10 })
    const bad = { ...sampleRating({ id: 'http-bad-000001', seq: 11 }), key: 2, level: 5 }
    const r = await post('ratings', [good, bad])
    expect(r.status).toBe(400)
    const ack = Ack.parse(r.body)
    expect(ack.ids).toEqual([good.id])
    expect(ack.rejected).toEqual([{ id: bad.id, reason: expect.stringContaining('level') }])
    expect(r.body.message).toMatch(/^body\.1: level: key 2 of a 5-key pad is level 4/)
    const kept = await s.app.db.prisma.rejectedMessage.findMany({ where: { deviceId: pads[0].id } })
    expect(kept.map((k) => JSON.parse(k.payload).id)).toContain(bad.id)
    expect(await stored(bad.id)).toBe(0)
  })

  it('refuses a message without a usable id, naming the field', async () => {
    const r = await post('ratings', { ...sampleRating(), id: 'x' })
    expect(r.status).toBe(400)
    expect(r.body.message).toMatch(/^body\.id: /)
    expect(r.body.ids).toEqual([])
  })

  it('refuses wrong credentials and revoked pads with 401 and a Basic challenge', async () => {
    const wrong = await post('ratings', sampleRating(), pads[1].id, 'not-the-secret')
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/)
    const none = await fetch(`${s.httpUrl}/api/v1/pad/ratings`, { method: 'POST', body: '{}' })
    expect(none.status).toBe(401)
    // A pad's credentials are not an API token.
    const asToken = await s.api('GET', '/api/v1/halls', undefined, pads[1].secret)
    expect(asToken.status).toBe(401)
  })

  it('shares idempotency with MQTT: the same rating over both is stored once', async () => {
    const mqttPad = await RawPad.connect(s.mqttUrl, pads[1].id, pads[1].secret)
    const rating = mqttPad.rating({ id: 'both-ways-000001' })
    await mqttPad.send(rating)
    await waitFor(() => mqttPad.ackedIds().has(rating.id), 'MQTT ack')
    const r = await post('ratings', { ...rating, replayed: true }, pads[1].id, pads[1].secret)
    expect(r.status).toBe(200)
    expect(r.body.ids).toEqual([rating.id])
    expect(await stored(rating.id)).toBe(1)
    await mqttPad.close()
  })
})
