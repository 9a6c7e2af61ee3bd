// The integrations on PostgreSQL end to end: a queue transaction bound to its rating and the rating's
// webhook queued in the ingest transaction, HTTP ingest, and provisioning, as on SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Command } from '../../protocol/index.ts'
import { verify } from '../../server/webhooks/signing.ts'
import { sampleBirth, sampleRating } from '../fixtures/messages.ts'
import { postgresDatabase, type TestDatabase } from '../helpers/databases.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { Receiver } from '../helpers/receiver.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

let db: TestDatabase
let s: TestServer
let rx: Receiver

beforeAll(async () => {
  db = await postgresDatabase()
  rx = await Receiver.start()
  s = await startServer({ DATABASE_URL: (db.config as { url: string }).url, WEBHOOK_POLL_MS: '50' })
})
afterAll(async () => {
  await s?.close()
  await rx?.close()
  await db?.drop()
})

describe('integrations on PostgreSQL', () => {
  it('binds a queue transaction’s rating and delivers its webhook; HTTP ingest and provisioning work', async () => {
    expect(s.app.db.provider).toBe('postgres')
    const { pads } = await seedHall(s, { windows: 1 })
    const hook = (
      await s.api('POST', '/api/v1/webhooks', { name: 'pg', url: `${rx.url}/pg`, events: ['rating.created'] })
    ).body
    const pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
    // The birth's clock is now: a clock months off overflows Device.clockSkewMs (a 32-bit Int on
    // PostgreSQL) and the birth is not recorded — a spine issue, reported, not this suite's subject.
    await pad.client.publishAsync(
      `rp/v1/${pads[0].id}/status`,
      JSON.stringify(sampleBirth({ clock: new Date().toISOString() })),
      {
        qos: 1,
        retain: true,
      },
    )
    await waitFor(async () => (await s.app.repos.devices.get(pads[0].id)).status.online, 'online')

    const tx = await s.api('POST', '/api/v1/transactions', { windowId: pads[0].windowId, caseNo: 'PG-0001' })
    const prompt = await waitFor(
      () => pad.other.map((m) => Command.parse(JSON.parse(m.payload))).find((c) => c.type === 'prompt'),
      'prompt',
    )
    if (prompt.type !== 'prompt') throw new Error('not a prompt')
    const rating = pad.rating({ key: 3, transaction: prompt.transaction })
    await pad.send(rating)
    await waitFor(
      async () => (await s.api('GET', `/api/v1/transactions/${tx.body.id}`)).body.status === 'rated',
      'rated',
    )
    const got = await waitFor(
      () => rx.at('/pg').find((r) => r.json.data.rating.padRatingId === rating.id),
      'webhook',
    )
    expect(
      verify(
        hook.secret,
        {
          signature: String(got.headers['x-rp-signature']),
          timestamp: String(got.headers['x-rp-timestamp']),
        },
        got.body,
      ),
    ).toBe(true)
    await pad.close()

    const http = await fetch(`${s.httpUrl}/api/v1/pad/ratings`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${pads[0].id}:${pads[0].secret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(sampleRating({ id: 'pg-http-000001', seq: 99 })),
    })
    expect(http.status).toBe(200)
    expect(((await http.json()) as { ids: string[] }).ids).toEqual(['pg-http-000001'])

    const { key } = (await s.api('POST', '/api/v1/provisioning-keys', { hallId: 'hall-1', name: 'pg' })).body
    const p = await fetch(`${s.httpUrl}/api/v1/provision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, provisionKey: key, deviceId: 'pg-tablet-1' }),
    })
    expect(p.status).toBe(201)
  })
})
