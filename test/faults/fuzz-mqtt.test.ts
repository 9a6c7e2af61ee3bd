// Bad input from an authenticated pad, on every channel a pad publishes to (rating, event, status):
// valid messages with fields dropped or replaced by wrong types, huge or odd strings, NaN-ish and
// out-of-range numbers, deep nesting, extra keys, truncated JSON, bytes that are not JSON. Whatever
// arrives, the server stays up, and no message vanishes: one that still passes the protocol schema
// is stored and acked (a status is recorded), every other one is kept as exactly one RejectedMessage
// row with its reason (the ingest neither caps nor merges rejected rows: one per message, the
// payload cut to REJECTED_PAYLOAD_CAP bytes, the reason to 1000 characters). The only payload that
// leaves no trace is an empty status: that clears a retained status, by the protocol. Payloads over
// MAX_PAYLOAD_BYTES and packets over the broker's limit never reach the ingest: the broker drops the
// connection. Runs on SQLite and PostgreSQL, with a fixed seed (FUZZ_SEED to try another).
import { randomUUID } from 'node:crypto'
import { connect as tcpConnect } from 'node:net'
import fc from 'fast-check'
import mqtt from 'mqtt'
import { generate } from 'mqtt-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_PAYLOAD_BYTES, PadEvent, Rating, Status, topics, type UpChannel } from '../../protocol/index.ts'
import { REJECTED_PAYLOAD_CAP } from '../../server/repositories/ratings.ts'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'
import { applyEdit, edit, serialize, type Edit, type Json } from '../helpers/fuzz.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'
import { EVENT_TYPES, sampleBirth, sampleDeath, sampleEvent, sampleRating } from '../fixtures/messages.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 20260302)
const RUNS = Number(process.env.FUZZ_RUNS ?? 40)
const SCHEMAS = { rating: Rating, event: PadEvent, status: Status } as const

// ---------------------------------------------------------------- what is sent

type Shape = 'json' | 'truncated' | 'garbage' | 'notObject'
interface Case {
  channel: UpChannel
  shape: Shape
  base: number
  edits: Edit[]
  cut: number
  bytes: Uint8Array
  other: Json
}

function validBase(channel: UpChannel, i: number, id: string): Json {
  if (channel === 'rating')
    return sampleRating({ id, scale: ([2, 3, 4, 5] as const)[i % 4], key: 1 + (i % 2) }) as Json
  if (channel === 'event') return sampleEvent(EVENT_TYPES[i % EVENT_TYPES.length], { id }) as Json
  return (i % 2 ? sampleDeath() : sampleBirth()) as Json
}

const caseFor = (channel: UpChannel): fc.Arbitrary<Case> =>
  fc.record({
    channel: fc.constant(channel),
    shape: fc.constantFrom<Shape>('json', 'json', 'json', 'json', 'truncated', 'garbage', 'notObject'),
    base: fc.nat(),
    edits: fc.array(edit, { maxLength: 3 }),
    cut: fc.nat(),
    bytes: fc.uint8Array({ maxLength: 2000 }),
    other: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  })

/** The payload of a case, each carrying its own marker (in the first bytes, under the payload cap). */
function payloadOf(c: Case, marker: string): Buffer {
  // The marker goes first so it survives the cap on stored payloads; unknown keys are allowed.
  const message = { fz: marker, ...(validBase(c.channel, c.base, `fz-${randomUUID()}`) as object) } as Json
  for (const e of c.edits) applyEdit(message, e, (p) => p[0] !== 'fz') // the marker stays
  const text = serialize(message)
  if (c.shape === 'json') return Buffer.from(text)
  if (c.shape === 'truncated') {
    const start = text.indexOf(marker) + marker.length + 1
    return Buffer.from(text.slice(0, start + (c.cut % Math.max(1, text.length - start - 1))))
  }
  if (c.shape === 'garbage') return Buffer.concat([Buffer.from(marker), c.bytes])
  return Buffer.from(serialize([marker, c.other]))
}

/** What the server must do with a payload: take it (with the id it acks), or reject it. */
function expected(channel: UpChannel, payload: Buffer): { valid: true; id?: string } | { valid: false } {
  let json: unknown
  try {
    json = JSON.parse(payload.toString('utf8'))
  } catch {
    return { valid: false }
  }
  const r = SCHEMAS[channel].safeParse(json)
  if (!r.success) return { valid: false }
  return { valid: true, id: (r.data as { id?: string }).id }
}

// ---------------------------------------------------------------- the runs

describe.each(DATABASES)('fuzzed pad messages on %s', (_name, make) => {
  let tdb: TestDatabase
  let s: TestServer
  let pads: Awaited<ReturnType<typeof seedHall>>['pads']
  let pad: RawPad
  let sent = 0
  const tally = { rejected: 0, taken: 0, barriers: 0 }

  beforeAll(async () => {
    tdb = await make()
    const url = tdb.config.provider === 'postgres' ? tdb.config.url : `file:${tdb.config.file}`
    s = await startServer({ DATABASE_URL: url })
    pads = (await seedHall(s, { windows: 2 })).pads
    pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
  })
  afterAll(async () => {
    await pad?.close()
    await s?.close()
    await tdb?.drop()
  })

  const rowsWith = (marker: string) =>
    s.app.db.prisma.rejectedMessage.findMany({ where: { payload: { contains: marker } } })

  /** An invalid rating, to know that everything the pad sent before it has been handled. */
  async function barrier() {
    const marker = `fzbarrier${++sent}x${randomUUID().slice(0, 8)}`
    await pad.client.publishAsync(topics.rating(pad.id), JSON.stringify({ fz: marker }), { qos: 1 })
    await waitFor(async () => (await rowsWith(marker)).length === 1, `barrier ${marker}`, 30_000)
    tally.barriers++
  }

  async function check(c: Case) {
    const marker = `fz${++sent}x${randomUUID().slice(0, 8)}`
    const payload = payloadOf(c, marker)
    expect(payload.length).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES)
    const outcome = expected(c.channel, payload)
    await pad.client.publishAsync(topics[c.channel](pad.id), payload, { qos: 1 })
    if (!outcome.valid) {
      const rows = await waitFor(async () => {
        const r = await rowsWith(marker)
        return r.length ? r : null
      }, `rejected row of ${marker}`)
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ deviceId: pad.id, topic: topics[c.channel](pad.id) })
      expect(rows[0].reason.trim().length).toBeGreaterThan(0)
      expect(rows[0].payloadBytes).toBe(payload.length)
      expect(rows[0].payload.length).toBeLessThanOrEqual(REJECTED_PAYLOAD_CAP)
      tally.rejected++
    } else if (outcome.id) {
      const id = outcome.id
      await waitFor(() => pad.ackedIds().has(id), `ack of ${id}`)
      tally.taken++
    } else {
      // A valid status: nothing to ack. Once a later message is handled, no row may name it.
      await barrier()
      expect(await rowsWith(marker)).toHaveLength(0)
      tally.taken++
    }
    expect(pad.client.connected).toBe(true)
  }

  for (const channel of ['rating', 'event', 'status'] as const)
    it(`takes or rejects every mutated ${channel}, one row per rejected message`, async () => {
      await fc.assert(
        fc.asyncProperty(caseFor(channel), (c) => check(c)),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      )
    })

  it('rejects an empty rating or event with its reason, and lets an empty status clear it', async () => {
    const empty = () =>
      s.app.db.prisma.rejectedMessage.count({ where: { deviceId: pad.id, payloadBytes: 0 } })
    for (const channel of ['rating', 'event'] as const) {
      const before = await empty()
      await pad.client.publishAsync(topics[channel](pad.id), Buffer.alloc(0), { qos: 1 })
      await waitFor(async () => (await empty()) === before + 1, `empty ${channel}`)
      tally.rejected++
    }
    const before = await empty()
    await pad.client.publishAsync(topics.status(pad.id), Buffer.alloc(0), { qos: 1 })
    await barrier()
    expect(await empty()).toBe(before)
  })

  it('rejects ids with MQTT wildcards, separators or NUL, naming the id', async () => {
    for (const id of ['pad/rating+1', 'rating-#-0001', 'rating\u0000abcdef', '../../etc/passwd']) {
      for (const channel of ['rating', 'event'] as const) {
        const marker = `fzid${++sent}x${randomUUID().slice(0, 8)}`
        const message =
          channel === 'rating' ? sampleRating({ id: id as string }) : sampleEvent('pressNoPrompt', { id })
        await pad.client.publishAsync(topics[channel](pad.id), JSON.stringify({ fz: marker, ...message }), {
          qos: 1,
        })
        const [row] = await waitFor(
          async () => {
            const r = await rowsWith(marker)
            return r.length ? r : null
          },
          `rejected ${channel} id ${JSON.stringify(id)}`,
        )
        expect(row.reason).toMatch(/^id: /)
        tally.rejected++
      }
    }
  })

  it('rejects NUL in a text field, and keeps a payload with NUL bytes (PostgreSQL text cannot hold NUL)', async () => {
    const withNul = pad.rating({ transaction: { id: 'T-1', serviceName: '居民\u0000身份证' } })
    const marker = `fznul${++sent}x${randomUUID().slice(0, 8)}`
    await pad.client.publishAsync(topics.rating(pad.id), JSON.stringify({ fz: marker, ...withNul }), {
      qos: 1,
    })
    const [row] = await waitFor(async () => {
      const r = await rowsWith(marker)
      return r.length ? r : null
    }, 'rating with NUL rejected')
    expect(row.reason).toMatch(/^transaction\.serviceName: .*NUL/)
    tally.rejected++
    const raw = `fznul${++sent}x${randomUUID().slice(0, 8)}`
    await pad.client.publishAsync(
      topics.event(pad.id),
      Buffer.concat([Buffer.from(raw), Buffer.from([0, 0xff, 0, 0x41])]),
      { qos: 1 },
    )
    const [kept] = await waitFor(async () => {
      const r = await rowsWith(raw)
      return r.length ? r : null
    }, 'payload with NUL bytes kept')
    expect(kept.payloadBytes).toBe(raw.length + 4)
    expect(kept.reason).toMatch(/not JSON/)
    tally.rejected++
  })

  it('rejects what no database column holds: a lone surrogate, numbers beyond 32 bits', async () => {
    const cases: [UpChannel, object, RegExp][] = [
      ['rating', pad.rating({ staffNo: 'S\ud800' }), /^staffNo: .*lone surrogate/],
      ['rating', pad.rating({ seq: 2 ** 31 }), /^seq: /],
      ['rating', pad.rating({ configVersion: 2 ** 53 + 2 }), /^configVersion: /],
      ['event', sampleEvent('outboxFull', { depth: 2 ** 40 }), /^depth: /],
      ['event', sampleEvent('error', { message: '\udc00 display' }), /^message: .*lone surrogate/],
      ['status', sampleBirth({ connectCount: 2 ** 31 }), /^connectCount: /],
      ['status', sampleDeath({ connectCount: 2 ** 31 }), /connectCount: /],
    ]
    for (const [channel, message, reason] of cases) {
      const marker = `fzcol${++sent}x${randomUUID().slice(0, 8)}`
      await pad.client.publishAsync(topics[channel](pad.id), JSON.stringify({ fz: marker, ...message }), {
        qos: 1,
      })
      const [row] = await waitFor(async () => {
        const r = await rowsWith(marker)
        return r.length ? r : null
      }, `${channel} rejected: ${reason}`)
      expect(row.reason).toMatch(reason)
      tally.rejected++
    }
  })

  it('kept every rejected message as exactly one row, and still takes a valid rating', async () => {
    const rows = await s.app.db.prisma.rejectedMessage.count({ where: { deviceId: pad.id } })
    expect(rows).toBe(tally.rejected + tally.barriers)
    expect(tally.rejected).toBeGreaterThan(RUNS)
    expect(tally.taken).toBeGreaterThan(0)
    const health = await fetch(`${s.httpUrl}/health`).then((r) => r.json())
    expect(health.ok).toBe(true)
    const r = pad.rating()
    await pad.send(r)
    await waitFor(() => pad.ackedIds().has(r.id), 'a valid rating after the fuzzing')
    expect(await s.app.db.prisma.rating.count({ where: { ratingId: r.id } })).toBe(1)
  })

  it(`drops a pad publishing more than ${MAX_PAYLOAD_BYTES} bytes, stores nothing, and stays up`, async () => {
    const big = await RawPad.connect(s.mqttUrl, pads[1].id, pads[1].secret)
    const closed = new Promise((resolve) => big.client.once('close', () => resolve(null)))
    const r = big.rating()
    const payload = JSON.stringify({ ...r, padding: 'x'.repeat(MAX_PAYLOAD_BYTES) })
    big.client.publish(topics.rating(big.id), payload, { qos: 1 })
    await closed
    await big.close()
    expect(await s.app.db.prisma.rating.count({ where: { ratingId: r.id } })).toBe(0)
    const again = pad.rating()
    await pad.send(again)
    await waitFor(() => pad.ackedIds().has(again.id), 'a rating from another pad')
  })
})

// ---------------------------------------------------------------- packets over the broker's limit

describe('packets over MQTT_MAX_PACKET_BYTES', () => {
  let s: TestServer
  let pads: Awaited<ReturnType<typeof seedHall>>['pads']
  const LIMIT = 32 * 1024

  beforeAll(async () => {
    s = await startServer({ MQTT_MAX_PACKET_BYTES: String(LIMIT) })
    pads = (await seedHall(s, { windows: 2 })).pads
  })
  afterAll(async () => s?.close())

  /** Opens a TCP connection, writes these bytes and resolves when the broker closes it. */
  function closedAfter(chunks: Buffer[]): Promise<void> {
    const url = new URL(s.mqttUrl)
    return new Promise((resolve, reject) => {
      const socket = tcpConnect(Number(url.port), url.hostname, () => {
        for (const c of chunks) socket.write(c)
      })
      socket.on('error', () => {}) // a reset is also a close
      socket.on('close', () => resolve())
      socket.setTimeout(60_000, () => reject(new Error('the broker kept an oversize packet open')))
    })
  }

  const connectPacket = (username: string, password: string, clientId = username) =>
    generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId,
      keepalive: 0,
      username,
      password: Buffer.from(password),
    })

  /** A PUBLISH fixed header announcing `length` bytes, and only its first few. */
  function announcedPublish(length: number): Buffer {
    const head = [0x32] // PUBLISH, QoS 1
    let n = length
    do {
      let byte = n % 128
      n = Math.floor(n / 128)
      if (n > 0) byte |= 0x80
      head.push(byte)
    } while (n > 0)
    return Buffer.concat([Buffer.from(head), Buffer.from([0, 3, 0x61, 0x2f, 0x62, 0, 1])])
  }

  it('closes a pad announcing a 200 MB publish as soon as the header is read, before reading it in', async () => {
    await closedAfter([connectPacket(pads[0].id, pads[0].secret), announcedPublish(200 * 1024 * 1024)])
  })

  it('closes a connection whose CONNECT is over the limit, before authenticating it', async () => {
    await closedAfter([connectPacket(pads[0].id, 'x'.repeat(LIMIT + 10))])
  })

  it('still takes a packet just under the limit (refused for its payload, not for its size)', async () => {
    const c = await mqtt.connectAsync(s.mqttUrl, {
      username: pads[1].id,
      password: pads[1].secret,
      clientId: pads[1].id,
      reconnectPeriod: 0,
    })
    // A subscription with a long (refused) topic just under the limit: SUBACK 0x80, still connected.
    await expect(c.subscribeAsync(`rp/v1/${'x'.repeat(LIMIT - 100)}`, { qos: 1 })).rejects.toThrow(
      /Subscribe error/,
    )
    expect(c.connected).toBe(true)
    await c.endAsync()
  })

  it('keeps serving the other pads and the server itself', async () => {
    const pad = await RawPad.connect(s.mqttUrl, pads[1].id, pads[1].secret)
    const r = pad.rating()
    await pad.send(r)
    await waitFor(() => pad.ackedIds().has(r.id), 'ack after the oversize packets')
    await pad.close()
    expect((await fetch(`${s.httpUrl}/health`).then((x) => x.json())).ok).toBe(true)
  })
})
