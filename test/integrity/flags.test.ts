// Integrity flags end to end: a real server, real MQTT pads, on SQLite and PostgreSQL. Each pad
// publishes ratings crafted to trigger one flag (or to look like one and must not), and the flags
// are read back through the raw ratings API, the flag list and the flags report. The sequence-gap
// scan is run on demand with its clock moved past the grace period.
import { scanSeqGaps } from '../../server/integrity/seq-gaps.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topics, type Rating } from '../../protocol/index.ts'
import { localDayHour } from '../../server/reports/local-time.ts'
import { messageId } from '../../server/drivers/keypad.ts'
import { sampleBirth, sampleEvent, sampleRating } from '../fixtures/messages.ts'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

const HALL = 'hall-1'
/** A Monday in Beijing time; the hall opens 08:00–18:00 every day. */
const bj = (hhmmss: string, day = '2026-03-02') => `${day}T${hhmmss}+08:00`
const DAY_MS = 86_400_000

describe.each(DATABASES)('integrity flags on %s', (_name, make) => {
  let db: TestDatabase
  let s: TestServer
  let pads: Awaited<ReturnType<typeof seedHall>>['pads']
  const connected: RawPad[] = []

  const connect = async (i: number) => {
    const pad = await RawPad.connect(s.mqttUrl, pads[i].id, pads[i].secret)
    connected.push(pad)
    // Ratings carry the staff member signed in at the pad's window, as a real pad's would.
    const rating = pad.rating.bind(pad)
    pad.rating = (o: Partial<Rating> = {}) => rating({ staffNo: pads[i].staffNo, ...o })
    return pad
  }
  /** Sends ratings and waits until the server acked every one (so they are committed). */
  const sendAll = async (pad: RawPad, ratings: Rating[]) => {
    for (const r of ratings) await pad.send(r)
    await waitFor(() => ratings.every((r) => pad.ackedIds().has(r.id)), 'acks')
  }
  const ratingsOf = async (query: string) => {
    const res = await s.api('GET', `/api/v1/ratings?${query}&limit=1000`)
    expect(res.status).toBe(200)
    return res.body.items as {
      ratingId: string
      seq: number
      day: string
      occurredAt: string
      receivedAt: string
      flags: { kind: string; detail: any }[]
    }[]
  }
  const kindsOf = async (padRatingId: string, deviceId: string) =>
    (await ratingsOf(`deviceId=${deviceId}`))
      .find((r) => r.ratingId === padRatingId)!
      .flags.map((f) => f.kind)

  beforeAll(async () => {
    db = await make()
    s = await startServer({
      ...(db.config.provider === 'postgres' ? { DATABASE_URL: db.config.url } : {}),
      SEQ_GAP_SCAN_MS: '0',
    })
    ;({ pads } = await seedHall(s, { hallId: HALL, windows: 6 }))
    const hours = [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, open: '08:00', close: '18:00' }))
    const patched = await s.api('PATCH', `/api/v1/halls/${HALL}`, { openingHours: hours })
    expect(patched.status).toBe(200)
  })
  afterAll(async () => {
    for (const p of connected) await p.close().catch(() => {})
    await s?.close()
    await db?.drop()
  })

  it('flags a press faster than a person, a rating outside opening hours and a press with no prompt; leaves a normal rating alone', async () => {
    const pad = await connect(0)
    const normal = pad.rating({ promptedAt: bj('10:00:00'), pressedAt: bj('10:00:04') })
    const fast = pad.rating({ promptedAt: bj('10:30:00.000'), pressedAt: bj('10:30:00.150') })
    const night = pad.rating({ promptedAt: bj('03:00:00'), pressedAt: bj('03:00:03') })
    const lateButServed = pad.rating({ promptedAt: bj('18:10:00'), pressedAt: bj('18:10:05') }) // within 30 min grace
    await sendAll(pad, [normal, fast, night, lateButServed])
    // A resend of the fast press (the pad missed its ack) stores nothing and flags nothing twice.
    await sendAll(pad, [{ ...fast, replayed: true }])

    expect(await kindsOf(normal.id, pad.id)).toEqual([])
    expect(await kindsOf(lateButServed.id, pad.id)).toEqual([])
    expect(await kindsOf(fast.id, pad.id)).toEqual(['fastPress'])
    const fastFlag = (await ratingsOf(`deviceId=${pad.id}&flag=fastPress`))[0].flags[0]
    expect(fastFlag.detail).toEqual({ reactionMs: 150, thresholdMs: 500 })
    expect(await kindsOf(night.id, pad.id)).toEqual(['outsideHours'])
    expect((await ratingsOf(`deviceId=${pad.id}&flag=fastPress`)).map((r) => r.ratingId)).toEqual([fast.id])

    // A key pressed with no prompt is an event, never a rating: the flag is on the event, against
    // whoever was signed in at the window then.
    const press = sampleEvent('pressNoPrompt', { at: new Date().toISOString(), key: 1 })
    await pad.client.publishAsync(topics.event(pad.id), JSON.stringify(press), { qos: 1 })
    await waitFor(() => pad.ackedIds().has(press.id), 'event ack')
    const list = await s.api('GET', `/api/v1/flags?hallId=${HALL}&kind=noPrompt`)
    expect(list.status).toBe(200)
    expect(list.body.items).toHaveLength(1)
    expect(list.body.items[0]).toMatchObject({
      kind: 'noPrompt',
      deviceId: pad.id,
      windowId: pads[0].windowId,
      staffNo: pads[0].staffNo,
      ratingId: null,
      detail: { key: 1 },
    })
    expect(list.body.items[0].eventId).toEqual(expect.any(String))
  })

  it('flags a burst of presses on one pad by pad time, also across batches, but not an outbox sent at once', async () => {
    const burstPad = await connect(1)
    const at = (i: number) => {
      const pressed = Date.parse(bj('11:00:00')) + i * 1500
      return {
        promptedAt: new Date(pressed - 1000).toISOString(),
        pressedAt: new Date(pressed).toISOString(),
      }
    }
    const burst = [0, 1, 2, 3, 4, 5].map((i) => burstPad.rating(at(i)))
    // The first three are committed (and found clean) before the rest arrive.
    await sendAll(burstPad, burst.slice(0, 3))
    expect((await ratingsOf(`deviceId=${burstPad.id}&flag=any`)).length).toBe(0)
    await sendAll(burstPad, burst.slice(3))
    const flagged = await ratingsOf(`deviceId=${burstPad.id}&flag=burst`)
    expect(flagged.map((r) => r.ratingId).sort()).toEqual(burst.map((r) => r.id).sort())
    // The size of the run as seen when each was flagged (the later ratings may be committed apart).
    for (const r of flagged) {
      expect(r.flags[0].detail).toEqual({ ratings: expect.any(Number), windowMs: 10_000 })
      expect(r.flags[0].detail.ratings).toBeGreaterThanOrEqual(5)
    }
    // The next rating, two minutes on, is not part of it.
    const later = burstPad.rating({
      promptedAt: bj('11:02:00'),
      pressedAt: bj('11:02:03'),
    })
    await sendAll(burstPad, [later])
    expect(await kindsOf(later.id, burstPad.id)).toEqual([])

    // A pad back from a morning offline sends ten ratings at once, pressed minutes apart: no burst.
    const outboxPad = await connect(2)
    const outbox = [...Array(10).keys()].map((i) => {
      const pressed = Date.parse(bj('09:00:00')) + i * 3 * 60_000
      return outboxPad.rating({
        promptedAt: new Date(pressed - 4000).toISOString(),
        pressedAt: new Date(pressed).toISOString(),
        replayed: true,
      })
    })
    await sendAll(outboxPad, outbox)
    expect(await ratingsOf(`deviceId=${outboxPad.id}&flag=any`)).toEqual([])
    expect(await ratingsOf(`deviceId=${outboxPad.id}`)).toHaveLength(10)
  })

  it('flags every rating of a pad whose clock is a day ahead, and counts them on the right day', async () => {
    const pad = await connect(3)
    const ahead = () => new Date(Date.now() + DAY_MS)
    await pad.client.publishAsync(
      topics.status(pad.id),
      JSON.stringify(sampleBirth({ clock: ahead().toISOString() })),
      { qos: 1, retain: true },
    )
    await waitFor(async () => (await s.app.repos.devices.get(pad.id)).status.clockSkewMs, 'birth')
    const ratings = [0, 1].map(() => {
      const pressed = ahead()
      return pad.rating({
        promptedAt: new Date(pressed.getTime() - 3000).toISOString(),
        pressedAt: pressed.toISOString(),
      })
    })
    await sendAll(pad, ratings)
    const stored = await ratingsOf(`deviceId=${pad.id}`)
    expect(stored).toHaveLength(2)
    for (const r of stored) {
      const skew = r.flags.find((f) => f.kind === 'clockSkew')
      expect(skew?.detail.source).toBe('birth')
      expect(Math.abs(skew?.detail.skewMs - DAY_MS)).toBeLessThan(60_000)
      // Counted on the day it happened by the server's clock, not the pad's tomorrow.
      expect(Math.abs(Date.parse(r.occurredAt) - Date.parse(r.receivedAt))).toBeLessThan(60_000)
      expect(r.day).toBe(localDayHour(new Date(r.receivedAt), 'Asia/Shanghai').day)
      expect(r.day).not.toBe(localDayHour(ahead(), 'Asia/Shanghai').day)
    }
    // The pad next to it, with a clock that is right, gets none.
    expect((await ratingsOf(`deviceId=${pads[0].id}&flag=clockSkew`)).length).toBe(0)
  })

  it('flags a sequence gap that is never filled once the grace period has passed, and not one filled in time', async () => {
    const pad = await connect(4)
    const r = [1, 2, 3, 4, 5, 6, 7, 8].map((seq) =>
      pad.rating({ seq, promptedAt: bj(`14:0${seq}:00`), pressedAt: bj(`14:0${seq}:05`) }),
    )
    // seq 3 arrives late (an outbox overtaken by live ratings); seq 6 never does.
    await sendAll(pad, [r[0], r[1], r[3], r[4], r[6], r[7]])
    const gapFlags = async () => (await ratingsOf(`deviceId=${pad.id}&flag=seqGap`)).map((x) => x.seq)

    // Within the grace period nothing is judged.
    await s.app.integrity.scanSeqGaps()
    expect(await gapFlags()).toEqual([])
    await sendAll(pad, [r[2]])

    // A day and more later: seq 6 is missing for good, flagged on seq 7; the late seq 3 is not a gap.
    const later = new Date(Date.now() + 25 * 3_600_000)
    const [a, b] = await Promise.all([s.app.integrity.scanSeqGaps(later), s.app.integrity.scanSeqGaps(later)])
    expect(a.gaps + b.gaps).toBeGreaterThan(0)
    expect(await gapFlags()).toEqual([7])
    const flag = (await ratingsOf(`deviceId=${pad.id}&flag=seqGap`))[0].flags.find((f) => f.kind === 'seqGap')
    expect(flag?.detail).toEqual({ missing: [6], count: 1 })
    // Run again: already judged, nothing new (two instances running it at once wrote one flag).
    expect((await s.app.integrity.scanSeqGaps(later)).gaps).toBe(0)
    const all = await s.api('GET', `/api/v1/flags?deviceId=${pad.id}&kind=seqGap`)
    expect(all.body.items).toHaveLength(1)

    // The scan goes on from where it stopped: a later gap is judged on its own.
    const r10 = pad.rating({ seq: 10, promptedAt: bj('15:00:00'), pressedAt: bj('15:00:04') })
    await sendAll(pad, [r10])
    expect((await s.app.integrity.scanSeqGaps(later)).gaps).toBe(1)
    expect(await gapFlags()).toEqual([10, 7])

    // On demand through the API too (admin only); nothing is left to judge by the real clock.
    const viewer = (await s.app.repos.tokens.create({ name: 'viewer', role: 'viewer' })).token
    expect((await s.api('POST', '/api/v1/integrity/seq-gap-scan', undefined, viewer)).status).toBe(403)
    const run = await s.api('POST', '/api/v1/integrity/seq-gap-scan')
    expect(run.status).toBe(200)
    expect(run.body).toEqual({ devices: expect.any(Number), gaps: 0 })
  })

  it('does not take serials a driver pad spent on events for lost ratings', async () => {
    // A vendor keypad (server/drivers/keypad.ts) numbers every message from one counter: serial 2
    // was a press with no prompt, serial 4 a rating that never came.
    const dev = await s.api('POST', '/api/v1/devices', {
      id: 'kp-1',
      hallId: HALL,
      windowId: pads[4].windowId,
    })
    expect(dev.status).toBe(201)
    const receivedAt = new Date()
    const rating = (serial: number) => ({
      deviceId: 'kp-1',
      receivedAt,
      rating: sampleRating({
        id: messageId('kp-1', serial),
        seq: serial,
        promptedAt: bj(`16:0${serial}:00`),
        pressedAt: bj(`16:0${serial}:04`),
      }),
    })
    const press = {
      deviceId: 'kp-1',
      receivedAt,
      event: sampleEvent('pressNoPrompt', { id: messageId('kp-1', 2), at: bj('16:02:00') }),
    }
    await s.app.repos.ingestStore.commitBatch([rating(1), rating(3), rating(5)], [press], [])
    await s.app.integrity.scanSeqGaps(new Date(Date.now() + 25 * 3_600_000))
    const flagged = await ratingsOf('deviceId=kp-1&flag=seqGap')
    expect(flagged.map((r) => [r.seq, r.flags[0].detail])).toEqual([[5, { missing: [4], count: 1 }]])
  })

  it('reports flag counts per kind, window and staff member over a period', async () => {
    const today = localDayHour(new Date(), 'Asia/Shanghai').day
    const res = await s.api(
      'GET',
      `/api/v1/reports/flags?hallId=${HALL}&period=custom&from=2026-03-01&to=${today > '2026-03-01' ? today : '2026-03-31'}`,
    )
    expect(res.status).toBe(200)
    const { flags, windows, staff } = res.body
    expect(flags).toMatchObject({ fastPress: 1, burst: 6, clockSkew: 2, seqGap: 3, noPrompt: 2 })
    expect(flags.outsideHours).toBeGreaterThanOrEqual(1)
    expect(flags.total).toBe(
      flags.fastPress + flags.burst + flags.outsideHours + flags.clockSkew + flags.seqGap + flags.noPrompt,
    )
    const w2 = windows.find((w: any) => w.windowId === pads[1].windowId)
    expect(w2).toMatchObject({ name: '2号窗口', flags: { burst: 6, total: 6 } })
    const s1 = staff.find((x: any) => x.staffNo === pads[0].staffNo)
    expect(s1.flags).toMatchObject({ fastPress: 1, noPrompt: 1 })
    expect(s1.name).toBe('工作人员1')
    // The outbox pad's window had nothing flagged.
    expect(windows.find((w: any) => w.windowId === pads[2].windowId)).toBeUndefined()

    // One day, one window: the burst day of window 2 only.
    const day = await s.api(
      'GET',
      `/api/v1/reports/flags?hallId=${HALL}&period=day&date=2026-03-02&windowId=${pads[1].windowId}`,
    )
    expect(day.body.flags).toMatchObject({ burst: 6, total: 6 })
    // Another hall's flags are not a manager's business.
    const other = (await s.app.repos.tokens.create({ name: 'm2', role: 'manager', hallIds: ['hall-2'] }))
      .token
    expect(
      (await s.api('GET', `/api/v1/reports/flags?hallId=${HALL}&period=month`, undefined, other)).status,
    ).toBe(403)
    expect((await s.api('GET', `/api/v1/ratings?flag=nonsense`)).status).toBe(400)

    // Per hall, for whoever compares halls: this one against a quiet one.
    expect((await s.api('POST', '/api/v1/halls', { id: 'hall-2', name: '分中心' })).status).toBe(201)
    const range = `period=custom&from=2026-03-01&to=${today > '2026-03-01' ? today : '2026-03-31'}`
    const halls = await s.api('GET', `/api/v1/reports/flags/halls?${range}`)
    expect(halls.status).toBe(200)
    expect(halls.body.rows.map((r: any) => [r.hallId, r.flags.total])).toEqual([
      [HALL, flags.total],
      ['hall-2', 0],
    ])
    const mine = await s.api('GET', `/api/v1/reports/flags/halls?${range}`, undefined, other)
    expect(mine.body.rows.map((r: any) => r.hallId)).toEqual(['hall-2'])
    expect((await s.api('GET', `/api/v1/reports/flags/halls?hallIds=${HALL}`, undefined, other)).status).toBe(
      403,
    )

    // The ratings export carries each rating's flags, and takes the same flag filter.
    const csv = await fetch(
      `${s.httpUrl}/api/v1/exports/ratings?hallId=${HALL}&flag=burst&format=csv&lang=en`,
      { headers: { authorization: `Bearer ${s.adminToken}` } },
    )
    const lines = (await csv.text()).trimEnd().split('\r\n')
    expect(lines[0]).toContain(',Flags,')
    expect(lines).toHaveLength(1 + 6)
    for (const line of lines.slice(1)) expect(line).toContain(',burst,')
  })

  it('judges a long history a slice per pad at a time, and finds every gap once', async () => {
    // A database filled before the scan existed: the scan reads a bounded slice of each pad's seqs
    // per query and goes on from there the next time (here 3 seqs a slice instead of 5,000).
    const pad = await connect(5)
    const seqs = [1, 2, 3, 5, 6, 7, 8, 10, 11, 12]
    await sendAll(
      pad,
      seqs.map((seq) =>
        pad.rating({ seq, promptedAt: bj(`15:${10 + seq}:00`), pressedAt: bj(`15:${10 + seq}:05`) }),
      ),
    )
    const later = new Date(Date.now() + 25 * 3_600_000)
    const scan = () => scanSeqGaps(s.app.db.prisma, { graceMs: 24 * 3_600_000, now: later, seqsPerPad: 3 })
    const first = await scan()
    expect(first.gaps).toBeLessThan(2) // one slice judged, not the whole history
    for (let i = 0; i < 10; i++) await scan()
    const flagged = (await ratingsOf(`deviceId=${pad.id}&flag=seqGap`)).map((x) => x.seq)
    expect(flagged.sort((a, b) => a - b)).toEqual([5, 10])
    const all = await s.api('GET', `/api/v1/flags?deviceId=${pad.id}&kind=seqGap`)
    expect(all.body.items).toHaveLength(2)
  })
})
