// Protocol v1 messages and topics: valid samples pass, broken ones fail on the field that is wrong.
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import {
  Ack,
  CHANNELS,
  Command,
  Config,
  DeviceId,
  DOWN_CHANNELS,
  MAX_PAYLOAD_BYTES,
  MOSQUITTO_PAD_ACL,
  PadEvent,
  Rating,
  SCALE_LEVELS,
  SCALES,
  Status,
  UP_CHANNELS,
  allPads,
  isDeviceId,
  levelForKey,
  padPublishTopics,
  padSubscribeTopics,
  parseTopic,
  sharedAllPads,
  topicFor,
  topics,
  type Channel,
} from '../../protocol/index.ts'
import {
  COMMAND_TYPES,
  EVENT_TYPES,
  allSamples,
  sampleAck,
  sampleBirth,
  sampleCommand,
  sampleConfig,
  sampleDeath,
  sampleEvent,
  sampleRating,
  sampleTransaction,
} from '../fixtures/messages.ts'

const CHANNEL_LIST: Channel[] = [...UP_CHANNELS, ...DOWN_CHANNELS]

/** The paths (`a.b.0`) of the issues of a failed parse; fails the test when the value is valid. */
function failures(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value)
  expect(result.success, `expected ${JSON.stringify(value)} to be rejected`).toBe(false)
  return result.error!.issues.map((i) => i.path.join('.'))
}

const BAD_IDS = [
  'abc+defgh',
  'abc#defgh',
  'abc/defgh',
  'abc\u0000defgh',
  'abc defgh',
  'short',
  'x'.repeat(65),
  '',
]

describe('valid samples', () => {
  const samples = allSamples()
  it.each(CHANNEL_LIST)('%s samples pass their schema', (channel) => {
    for (const sample of samples[channel]) {
      const result = CHANNELS[channel].schema.safeParse(sample)
      expect(result.error?.issues ?? [], JSON.stringify(sample)).toEqual([])
    }
  })

  it('cover every event and command type', () => {
    expect(EVENT_TYPES.sort()).toEqual(PadEvent.options.map((o) => o.shape.type.value).sort())
    expect(COMMAND_TYPES.sort()).toEqual(Command.options.map((o) => o.shape.type.value).sort())
  })

  it('fit in one payload', () => {
    for (const channel of CHANNEL_LIST)
      for (const sample of samples[channel])
        expect(Buffer.byteLength(JSON.stringify(sample))).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES)
  })

  it('give fresh ids', () => {
    expect(sampleRating().id).not.toBe(sampleRating().id)
  })
})

describe('rating', () => {
  it.each(SCALES.flatMap((scale) => SCALE_LEVELS[scale].map((level, i) => ({ scale, key: i + 1, level }))))(
    'key $key of a $scale-key pad is level $level',
    ({ scale, key, level }) => {
      const rating = sampleRating({ scale, key })
      expect(rating.level).toBe(level)
      expect(Rating.parse(rating)).toEqual(rating)
    },
  )

  it('refuses a level that is not the level of the key', () => {
    expect(failures(Rating, sampleRating({ scale: 5, key: 1, level: 4, class: 'good' }))).toEqual(['level'])
    expect(failures(Rating, sampleRating({ scale: 2, key: 2, level: 1, class: 'bad' }))).toEqual(['level'])
    // a 2-key pad has no 非常满意
    expect(failures(Rating, sampleRating({ scale: 2, key: 1, level: 5, class: 'good' }))).toEqual(['level'])
  })

  it('refuses a key that is not on the pad', () => {
    expect(levelForKey(3, 4)).toBeUndefined()
    expect(failures(Rating, sampleRating({ scale: 3, key: 4, level: 2, class: 'bad' }))).toEqual(['key'])
    expect(failures(Rating, sampleRating({ scale: 5, key: 6, level: 1, class: 'bad' }))).toContain('key')
    expect(failures(Rating, sampleRating({ scale: 5, key: 0, level: 5 }))).toContain('key')
  })

  it('refuses a class that does not match the level', () => {
    expect(failures(Rating, sampleRating({ scale: 5, key: 3, class: 'bad' }))).toEqual(['class'])
    expect(failures(Rating, sampleRating({ scale: 5, key: 4, class: 'good' }))).toEqual(['class'])
  })

  it.each(BAD_IDS)('refuses the id %j', (id) => {
    expect(failures(Rating, sampleRating({ id }))).toEqual(['id'])
  })

  it('refuses an unknown or missing v', () => {
    expect(failures(Rating, { ...sampleRating(), v: 2 })).toEqual(['v'])
    expect(failures(Rating, { ...sampleRating(), v: '1' })).toEqual(['v'])
    const { v: _, ...noV } = sampleRating()
    expect(failures(Rating, noV)).toEqual(['v'])
  })

  it('refuses a bad seq, scale, time or transaction', () => {
    expect(failures(Rating, sampleRating({ seq: 0 }))).toEqual(['seq'])
    expect(failures(Rating, sampleRating({ seq: 1.5 }))).toEqual(['seq'])
    expect(failures(Rating, { ...sampleRating(), scale: 6 })).toEqual(['scale'])
    expect(failures(Rating, sampleRating({ pressedAt: '2026-03-02T09:15:00' }))).toEqual(['pressedAt'])
    expect(failures(Rating, sampleRating({ pressedAt: 'yesterday' }))).toEqual(['pressedAt'])
    expect(failures(Rating, sampleRating({ transaction: { ticket: 'A042' } }))).toEqual(['transaction'])
    expect(failures(Rating, sampleRating({ transaction: sampleTransaction({ caseNo: '' }) }))).toEqual([
      'transaction.caseNo',
    ])
    expect(failures(Rating, sampleRating({ reasons: Array(11).fill('attitude') }))).toEqual(['reasons'])
  })

  it('accepts a transaction with only an id or only a caseNo, or none', () => {
    expect(Rating.safeParse(sampleRating({ transaction: { id: 'T1' } })).success).toBe(true)
    expect(Rating.safeParse(sampleRating({ transaction: { caseNo: 'C1' } })).success).toBe(true)
    expect(Rating.safeParse(sampleRating({ transaction: null })).success).toBe(true)
  })

  it('accepts an offset or Z time', () => {
    expect(Rating.safeParse(sampleRating({ pressedAt: '2026-03-02T01:15:00.123Z' })).success).toBe(true)
  })

  it('strips unknown properties', () => {
    const parsed = Rating.parse({ ...sampleRating(), extra: 1 })
    expect(parsed).not.toHaveProperty('extra')
  })
})

describe('event', () => {
  it('refuses an unknown type', () => {
    expect(failures(PadEvent, { ...sampleEvent(), type: 'rating' })).toEqual(['type'])
  })

  it('refuses bad fields', () => {
    expect(failures(PadEvent, sampleEvent('pressNoPrompt', { key: 6 }))).toEqual(['key'])
    expect(failures(PadEvent, sampleEvent('secondPress', { ratingId: 'a/b' }))).toEqual(['ratingId'])
    expect(failures(PadEvent, sampleEvent('unrated', { promptedAt: 'now' }))).toEqual(['promptedAt'])
    expect(failures(PadEvent, sampleEvent('outboxFull', { depth: -1 }))).toEqual(['depth'])
    expect(failures(PadEvent, sampleEvent('error', { message: 'x'.repeat(1001) }))).toEqual(['message'])
    expect(failures(PadEvent, { ...sampleEvent(), v: 2 })).toEqual(['v'])
  })

  it.each(BAD_IDS)('refuses the id %j', (id) => {
    expect(failures(PadEvent, sampleEvent('staffSignIn', { id }))).toEqual(['id'])
  })
})

describe('status', () => {
  it('refuses an unknown state or a bad connectCount', () => {
    expect(failures(Status, { ...sampleDeath(), state: 'sleeping' })).toEqual(['state'])
    expect(failures(Status, sampleDeath({ connectCount: -1 }))).toEqual(['connectCount'])
    const { connectCount: _, ...noCount } = sampleDeath()
    expect(failures(Status, noCount)).toEqual(['connectCount'])
    expect(failures(Status, { ...sampleDeath(), v: 2 })).toEqual(['v'])
  })

  it('refuses a birth without what a birth carries', () => {
    expect(failures(Status, sampleBirth({ padState: 'asleep' as never }))).toEqual(['padState'])
    expect(failures(Status, sampleBirth({ outboxCapacity: 0 }))).toEqual(['outboxCapacity'])
    expect(
      failures(
        Status,
        sampleBirth({ capabilities: { keys: [], display: true, voice: false, reasons: true } }),
      ),
    ).toEqual(['capabilities.keys'])
    expect(failures(Status, { v: 1, state: 'online', connectCount: 1 })).toContain('firmware')
  })
})

describe('ack', () => {
  it('refuses bad ids', () => {
    expect(failures(Ack, sampleAck({ ids: ['sample-0001', 'a+b'] }))).toEqual(['ids.1'])
    expect(failures(Ack, sampleAck({ rejected: [{ id: 'a#b', reason: 'x' }] }))).toEqual(['rejected.0.id'])
    expect(failures(Ack, sampleAck({ serverTime: '' }))).toEqual(['serverTime'])
    expect(failures(Ack, { ...sampleAck(), v: 0 })).toEqual(['v'])
  })
})

describe('config', () => {
  it('refuses bad fields', () => {
    expect(failures(Config, sampleConfig({ version: 0 }))).toEqual(['version'])
    expect(failures(Config, sampleConfig({ keyLabels: ['好'] }))).toEqual(['keyLabels'])
    expect(
      failures(Config, sampleConfig({ openingHours: [{ day: 1, open: '24:00', close: '17:00' }] })),
    ).toEqual(['openingHours.0.open'])
    expect(
      failures(Config, sampleConfig({ openingHours: [{ day: 8, open: '09:00', close: '17:00' }] })),
    ).toEqual(['openingHours.0.day'])
    expect(
      failures(Config, sampleConfig({ timeouts: { promptSeconds: 2, reasonSeconds: 20, thanksSeconds: 3 } })),
    ).toEqual(['timeouts.promptSeconds'])
    expect(failures(Config, sampleConfig({ locale: 'fr' as never }))).toEqual(['locale'])
    expect(failures(Config, { ...sampleConfig(), v: 2 })).toEqual(['v'])
  })
})

describe('command', () => {
  it('refuses an unknown type or bad fields', () => {
    expect(failures(Command, { ...sampleCommand(), type: 'reboot' })).toEqual(['type'])
    const { transaction: _, ...noTransaction } = sampleCommand('prompt')
    expect(failures(Command, noTransaction)).toEqual(['transaction'])
    expect(failures(Command, sampleCommand('replay', { fromSeq: 0 }))).toEqual(['fromSeq'])
    expect(failures(Command, sampleCommand('timeSync', { serverTime: 'now' }))).toEqual(['serverTime'])
    expect(failures(Command, { ...sampleCommand('pause'), v: 2 })).toEqual(['v'])
  })

  it.each(BAD_IDS)('refuses the id %j', (id) => {
    expect(failures(Command, sampleCommand('signOut', { id }))).toEqual(['id'])
  })
})

describe('topics', () => {
  const GOOD_IDS = ['pad-0001', 'P', '0', 'hall1.win12', 'a_b-c.d', 'x'.repeat(64)]
  const BAD_DEVICE_IDS = [
    '',
    'a+b',
    'a#b',
    'a/b',
    'a\u0000b',
    'a b',
    '+',
    '#',
    '-pad',
    '.pad',
    'x'.repeat(65),
    'pad\n',
  ]

  it.each(GOOD_IDS)('topicFor and parseTopic round trip for %j', (deviceId) => {
    expect(isDeviceId(deviceId)).toBe(true)
    expect(DeviceId.safeParse(deviceId).success).toBe(true)
    for (const channel of CHANNEL_LIST) {
      const topic = topicFor(deviceId, channel)
      expect(topic).toBe(`rp/v1/${deviceId}/${channel}`)
      expect(topics[channel](deviceId)).toBe(topic)
      expect(parseTopic(topic)).toEqual({ deviceId, channel })
    }
  })

  it.each(BAD_DEVICE_IDS)('refuses the device id %j', (deviceId) => {
    expect(isDeviceId(deviceId)).toBe(false)
    expect(DeviceId.safeParse(deviceId).success).toBe(false)
    for (const channel of CHANNEL_LIST) {
      expect(() => topicFor(deviceId, channel)).toThrow(/invalid device id/)
      expect(parseTopic(`rp/v1/${deviceId}/${channel}`)).toBeNull()
    }
    expect(() => padPublishTopics(deviceId)).toThrow()
    expect(() => padSubscribeTopics(deviceId)).toThrow()
  })

  it.each([
    'rp/v2/pad-0001/rating',
    'rp/v1/pad-0001/unknown',
    'rp/v1/pad-0001/rating/extra',
    'rp/v1/pad-0001',
    '/rp/v1/pad-0001/rating',
    'rp/v1/+/rating',
    'rp/v1/#',
    'rp/v1//rating',
    'rp/v1/pad-0001/constructor',
    '',
  ])('parseTopic(%j) is null', (topic) => {
    expect(parseTopic(topic)).toBeNull()
  })

  it('allPads and sharedAllPads are the wildcard filters of the up channels', () => {
    for (const channel of UP_CHANNELS) {
      expect(allPads(channel)).toBe(`rp/v1/+/${channel}`)
      expect(sharedAllPads('rating-server', channel)).toBe(`$share/rating-server/rp/v1/+/${channel}`)
    }
    expect(sharedAllPads('g1', 'rating')).toBe('$share/g1/rp/v1/+/rating')
    for (const group of ['', 'a/b', 'a+b', 'a#b', 'a b'])
      expect(() => sharedAllPads(group, 'rating')).toThrow()
  })

  it('a pad publishes its up channels and subscribes to its down channels', () => {
    expect(padPublishTopics('pad-0001')).toEqual([
      'rp/v1/pad-0001/rating',
      'rp/v1/pad-0001/event',
      'rp/v1/pad-0001/status',
    ])
    expect(padSubscribeTopics('pad-0001')).toEqual([
      'rp/v1/pad-0001/ack',
      'rp/v1/pad-0001/config',
      'rp/v1/pad-0001/command',
    ])
    expect(MOSQUITTO_PAD_ACL).toEqual([
      'pattern write rp/v1/%u/rating',
      'pattern write rp/v1/%u/event',
      'pattern write rp/v1/%u/status',
      'pattern read rp/v1/%u/ack',
      'pattern read rp/v1/%u/config',
      'pattern read rp/v1/%u/command',
    ])
  })

  it('the channel map agrees with the topic layout', () => {
    expect(Object.keys(CHANNELS).sort()).toEqual([...CHANNEL_LIST].sort())
    for (const channel of UP_CHANNELS) expect(CHANNELS[channel].direction).toBe('up')
    for (const channel of DOWN_CHANNELS) expect(CHANNELS[channel].direction).toBe('down')
    expect(CHANNELS.status.retain).toBe(true)
    expect(CHANNELS.config.retain).toBe(true)
  })
})

describe('config for an English hall', () => {
  it('accepts the default English labels of every scale', async () => {
    const { Config, defaultKeyLabels, SCALES } = await import('../../protocol/index.ts')
    const { sampleConfig } = await import('../fixtures/messages.ts')
    for (const scale of SCALES) {
      const r = Config.safeParse(
        sampleConfig({ scale, keyLabels: defaultKeyLabels(scale, 'en'), locale: 'en' }),
      )
      expect(r.success, `scale ${scale}`).toBe(true)
    }
  })
})
