// Scale-out: a webhook subscribed while two server instances run on Mosquitto and PostgreSQL is
// delivered once per rating, whichever instance stored the rating and whichever sends it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresDatabase, type TestDatabase } from '../helpers/databases.ts'
import { startServerMosquitto, type ServerMosquitto } from '../helpers/mosquitto.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { Receiver } from '../helpers/receiver.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'
import { waitFor } from '../helpers/server.ts'

let broker: ServerMosquitto
let pgdb: TestDatabase
let a: ServerProcess
let b: ServerProcess
let rx: Receiver

beforeAll(async () => {
  broker = await startServerMosquitto()
  pgdb = await postgresDatabase()
  rx = await Receiver.start()
  const env = {
    ...broker.serverEnv,
    DATABASE_URL: (pgdb.config as { url: string }).url,
    WEBHOOK_POLL_MS: '50',
  }
  a = await startServerProcess(env)
  b = await startServerProcess(env)
})

afterAll(async () => {
  await a?.stop()
  await b?.stop()
  await broker?.stop()
  await pgdb?.drop()
  await rx?.close()
})

describe('webhooks with two instances', () => {
  it('delivers rating.created once per rating', async () => {
    await a.api('POST', '/api/v1/halls', { id: 'h', name: '大厅' })
    const pads = []
    for (let i = 1; i <= 4; i++) {
      await a.api('POST', '/api/v1/windows', { id: `w${i}`, hallId: 'h', name: `${i}号窗口` })
      pads.push(await a.api('POST', '/api/v1/devices', { id: `pad-${i}`, hallId: 'h', windowId: `w${i}` }))
    }
    // Subscribed through instance B while A runs too.
    const hook = await fetch(`${b.httpUrl}/api/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'city platform', url: `${rx.url}/hook`, events: ['rating.created'] }),
    })
    expect(hook.status).toBe(201)
    await broker.loadPadPasswords(a)

    const clients = await Promise.all(pads.map((p) => RawPad.connect(broker.url, p.id, p.secret)))
    const sent: string[] = []
    for (let i = 0; i < 50; i++)
      for (const pad of clients) {
        const r = pad.rating()
        sent.push(r.id)
        await pad.send(r)
      }
    for (const pad of clients) await waitFor(() => pad.ackedIds().size === 50, `acks for ${pad.id}`, 120_000)
    await waitFor(() => rx.at('/hook').length >= sent.length, 'deliveries', 120_000)
    await new Promise((r) => setTimeout(r, 1000)) // a doubled delivery would arrive by now
    const delivered = rx.at('/hook').map((r) => r.json.data.rating.padRatingId as string)
    expect(delivered).toHaveLength(sent.length)
    expect(new Set(delivered)).toEqual(new Set(sent))
    await Promise.all(clients.map((c) => c.close()))
  })
})
