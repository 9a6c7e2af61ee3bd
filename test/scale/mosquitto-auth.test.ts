// Pads on an external Mosquitto: the server exports pad credentials and ACLs in Mosquitto's own
// format, and with them Mosquitto refuses wrong secrets and keeps pads on their own topics.
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topics } from '../../protocol/index.ts'
import { postgresDatabase, type TestDatabase } from '../helpers/databases.ts'
import { startServerMosquitto, type ServerMosquitto } from '../helpers/mosquitto.ts'
import { connectRefusal, RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

let broker: ServerMosquitto
let pgdb: TestDatabase
let s: TestServer
let pads: Awaited<ReturnType<typeof seedHall>>['pads']

beforeAll(async () => {
  broker = await startServerMosquitto()
  pgdb = await postgresDatabase()
  s = await startServer({
    ...broker.serverEnv,
    DATABASE_URL: (pgdb.config as { url: string }).url,
  })
  pads = (await seedHall(s, { windows: 3 })).pads
  // The operator's step after registering pads: export the password file and reload Mosquitto.
  await broker.loadPadPasswords({ httpUrl: s.httpUrl, token: s.adminToken })
})
afterAll(async () => {
  await s?.close()
  await broker?.stop()
  await pgdb?.drop()
})

describe('pads on an external Mosquitto with exported credentials', () => {
  it('exports one line per pad plus the server user', async () => {
    const res = await fetch(`${s.httpUrl}/api/v1/broker/mosquitto/passwd`, {
      headers: { authorization: `Bearer ${s.adminToken}` },
    })
    const lines = (await res.text()).trim().split('\n')
    expect(lines.map((l) => l.split(':')[0])).toEqual(['rp-server', ...pads.map((p) => p.id)])
    expect(lines.every((l) => /:\$7\$1000\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(l))).toBe(true)
  })

  it('refuses a wrong secret and an unknown pad', async () => {
    expect(await connectRefusal(broker.url, pads[0].id, 'wrong')).toMatch(/Not authorized|Bad username/i)
    expect(await connectRefusal(broker.url, 'ghost', 'x')).toMatch(/Not authorized|Bad username/i)
  })

  it('stores and acks a rating through Mosquitto and PostgreSQL', async () => {
    const pad = await RawPad.connect(broker.url, pads[0].id, pads[0].secret)
    await waitFor(() => pad.configs.length > 0, 'retained config from Mosquitto')
    const r = pad.rating()
    await pad.send(r)
    await waitFor(() => pad.ackedIds().has(r.id), 'ack')
    expect(await s.app.db.prisma.rating.count({ where: { ratingId: r.id } })).toBe(1)
    await pad.close()
  })

  it('keeps a pad off other pads topics', async () => {
    const pad = await RawPad.connect(broker.url, pads[1].id, pads[1].secret)
    const forged = pad.rating()
    await pad.client.publishAsync(topics.rating(pads[2].id), JSON.stringify(forged), { qos: 1 })
    const own = pad.rating()
    await pad.send(own)
    await waitFor(() => pad.ackedIds().has(own.id), 'ack of its own rating')
    expect(await s.app.db.prisma.rating.count({ where: { ratingId: forged.id } })).toBe(0)
    // Mosquitto 2.0 grants a subscription its ACL denies but never delivers on it: pad 1 listens
    // on pad 2's ack topic and hears nothing, while pad 2 gets its message.
    const snoop = await mqtt.connectAsync(broker.url, {
      username: pads[1].id,
      password: pads[1].secret,
      reconnectPeriod: 0,
    })
    const overheard: string[] = []
    snoop.on('message', (t) => overheard.push(t))
    await snoop.subscribeAsync(topics.ack(pads[2].id), { qos: 1 })
    const victim = await RawPad.connect(broker.url, pads[2].id, pads[2].secret)
    const theirs = victim.rating()
    await victim.send(theirs)
    await waitFor(() => victim.ackedIds().has(theirs.id), 'ack to pad 2')
    await new Promise((r) => setTimeout(r, 200))
    expect(overheard).toEqual([])
    await snoop.endAsync()
    await victim.close()
    await pad.close()
  })
})
