// A worked session of protocol v1, message by message, for docs/protocol (and /docs/protocol on a
// running server). Every message here is real: test/protocol/examples.test.ts parses each with the
// protocol schema of its topic.
import {
  provisionTopics,
  queueTopics,
  topics,
  type Ack,
  type Birth,
  type Command,
  type Config,
  type Death,
  type PadEvent,
  type ProvisionRequest,
  type ProvisionResponse,
  type QueueReply,
  type QueueRequest,
  type Rating,
} from '../protocol/index.ts'

export type ExampleSchema =
  | 'rating'
  | 'event'
  | 'status'
  | 'ack'
  | 'config'
  | 'command'
  | 'provisionRequest'
  | 'provisionResponse'
  | 'queueRequest'
  | 'queueReply'

export interface ExampleStep {
  title: string
  /** Who sends it. */
  from: 'pad' | 'server' | 'broker' | 'queue system'
  topic: string
  retain?: boolean
  /** How it is sent, when not "publishes to". */
  sent?: string
  /** What happens and why, in a sentence or two. */
  note: string
  schema: ExampleSchema
  message: unknown
}

const PAD = 'pad-0001'
const transaction = {
  id: 'QMS-20260302-0042',
  caseNo: 'BJ-2026-000042',
  ticket: 'A042',
  serviceCode: '11110000000000000X4442112001000',
  serviceName: '居民身份证换领',
  staffNo: 'S1001',
}

const will: Death = { v: 1, state: 'offline', connectCount: 8 }
const birth: Birth = {
  v: 1,
  state: 'online',
  connectCount: 8,
  firmware: '1.4.2',
  model: 'RP-5K',
  capabilities: { keys: [5], display: true, voice: true, reasons: true },
  outboxDepth: 0,
  outboxCapacity: 1000,
  padState: 'idle',
  configVersion: 3,
  staffNo: 'S1001',
  clock: '2026-03-02T09:00:02+08:00',
}
const config: Config = {
  v: 1,
  version: 4,
  hall: { id: 'hall-1', name: '市民服务中心', timeZone: 'Asia/Shanghai' },
  window: { id: 'w12', name: '12号窗口' },
  staff: { staffNo: 'S1001', name: '张敏', photoUrl: null, title: '综合窗口', stars: 5 },
  scale: 5,
  keyLabels: ['非常满意', '满意', '基本满意', '不满意', '非常不满意'],
  reasons: [
    { code: 'attitude', label: '服务态度' },
    { code: 'efficiency', label: '办事效率' },
  ],
  reasonsVersion: 1,
  timeouts: { promptSeconds: 30, reasonSeconds: 20, thanksSeconds: 3 },
  locale: 'zh-CN',
  voice: true,
  openingHours: [{ day: 1, open: '09:00', close: '17:00' }],
}
const prompt: Command = {
  v: 1,
  id: '8c1f5e2a-0c4e-4d1a-9f4b-2f0d6b1e7a31',
  issuedAt: '2026-03-02T01:15:00.120Z',
  type: 'prompt',
  transaction,
}
const rating: Rating = {
  v: 1,
  id: '0m7q2k3a5b1c9d8e7f60a1',
  seq: 42,
  scale: 5,
  key: 2,
  level: 4,
  class: 'good',
  transaction,
  staffNo: 'S1001',
  configVersion: 4,
  promptedAt: '2026-03-02T09:15:00+08:00',
  pressedAt: '2026-03-02T09:15:07+08:00',
  replayed: false,
}
const secondPress: PadEvent = {
  v: 1,
  id: '0m7q2k3b7c2d0e9f8a71b2',
  at: '2026-03-02T09:15:08+08:00',
  type: 'secondPress',
  key: 1,
  ratingId: rating.id,
}
const offlineRating: Rating = {
  ...rating,
  id: '0m7q3a1c0d4e5f6a7b8c93',
  seq: 43,
  key: 4,
  level: 2,
  class: 'bad',
  reasons: ['attitude'],
  transaction: { ...transaction, id: 'QMS-20260302-0051', caseNo: 'BJ-2026-000051', ticket: 'A051' },
  promptedAt: '2026-03-02T09:40:00+08:00',
  pressedAt: '2026-03-02T09:40:05+08:00',
}

/** Connect, birth, config, prompt, rating, ack, one rating per prompt, offline, reconnect, replay. */
export const WORKED_SESSION: ExampleStep[] = [
  {
    title: 'Connect, with a Last Will',
    from: 'pad',
    sent: 'connects and sets this as its Last Will, for the broker to publish to',
    topic: topics.status(PAD),
    retain: true,
    note:
      'CONNECT with client id = username = `pad-0001`, password = its secret, and this will (QoS 1, retained). ' +
      '`connectCount` was 7 before: the pad adds one and saves it before connecting. Then it subscribes to ' +
      '`rp/v1/pad-0001/ack`, `…/config` and `…/command` (QoS 1).',
    schema: 'status',
    message: will,
  },
  {
    title: 'Birth',
    from: 'pad',
    topic: topics.status(PAD),
    retain: true,
    note: 'Right after connecting, retained, with the same `connectCount` as the will. It still runs config 3.',
    schema: 'status',
    message: birth,
  },
  {
    title: 'Config',
    from: 'server',
    topic: topics.config(PAD),
    retain: true,
    note:
      'Retained, so the pad gets it on subscribing. It is version 4: the pad applies it (a version not newer ' +
      'than the one it runs is ignored), saves it, and shows the staff card (亮身份).',
    schema: 'config',
    message: config,
  },
  {
    title: 'Config applied and reported',
    from: 'pad',
    topic: topics.status(PAD),
    retain: true,
    note: 'A new birth whenever the applied config version, the staff or the rest view changes.',
    schema: 'status',
    message: { ...birth, configVersion: 4, clock: '2026-03-02T09:00:03+08:00' },
  },
  {
    title: 'Prompt',
    from: 'server',
    topic: topics.command(PAD),
    note:
      'The queue system ended the visit (or the staff pressed 请评价): the pad says “您好，请您对我的工作给予评价” and ' +
      'waits `timeouts.promptSeconds`. A command id seen before is ignored (QoS 1 may deliver twice).',
    schema: 'command',
    message: prompt,
  },
  {
    title: 'Rating',
    from: 'pad',
    topic: topics.rating(PAD),
    note:
      'The first press within the prompt’s time is the rating (key 2 of 5 = level 4, 满意). It is written to the ' +
      'outbox first, then published at QoS 1, and the pad says 谢谢. `seq` is one more than any before.',
    schema: 'rating',
    message: rating,
  },
  {
    title: 'Ack',
    from: 'server',
    topic: topics.ack(PAD),
    note: 'Sent only after the rating is committed. The pad removes the id from its outbox; until then it keeps it.',
    schema: 'ack',
    message: {
      v: 1,
      ids: [rating.id],
      serverTime: '2026-03-02T01:15:07.402Z',
    } satisfies Ack,
  },
  {
    title: 'One rating per prompt',
    from: 'pad',
    topic: topics.event(PAD),
    note: 'Another press in the same prompt is not a rating: it is a `secondPress` event, kept and acked like one.',
    schema: 'event',
    message: secondPress,
  },
  {
    title: 'A rating while offline',
    from: 'pad',
    topic: topics.rating(PAD),
    note:
      'The network dropped at 09:39 (the broker published the will). At 09:40 a citizen rates: the rating goes to ' +
      'the outbox, and the pad says 谢谢 all the same. Nothing is published yet.',
    schema: 'rating',
    message: offlineRating,
  },
  {
    title: 'Reconnect and replay',
    from: 'pad',
    topic: topics.rating(PAD),
    note:
      'On reconnecting (connectCount 9, a new will, a new birth), the pad sends every outbox entry again, ratings ' +
      'with `replayed: true`, in `seq` order. The server stores what it does not have and acks all of them.',
    schema: 'rating',
    message: { ...offlineRating, replayed: true },
  },
  {
    title: 'Ack of the replay',
    from: 'server',
    topic: topics.ack(PAD),
    note: 'A rating the server already had is acked again and not stored twice, so replaying is always safe.',
    schema: 'ack',
    message: { v: 1, ids: [offlineRating.id], serverTime: '2026-03-02T01:41:12.007Z' } satisfies Ack,
  },
  {
    title: 'Replay on request',
    from: 'server',
    topic: topics.command(PAD),
    note: 'The server may ask for everything still in the outbox from a sequence number (after a restore, say).',
    schema: 'command',
    message: {
      v: 1,
      id: '2b7d9e40-5a61-4c3e-8e0f-6d2c1a9b8f70',
      issuedAt: '2026-03-02T01:45:00.000Z',
      type: 'replay',
      fromSeq: 40,
    } satisfies Command,
  },
]

/** Provisioning over MQTT and a queue system on the broker. */
export const INTEGRATION_EXAMPLES: ExampleStep[] = [
  {
    title: 'Provisioning request',
    from: 'pad',
    topic: provisionTopics.request('SN0001'),
    note: 'Connected as `$provision` (password = the hall key, client id `SN0001`), subscribed to its response topic.',
    schema: 'provisionRequest',
    message: {
      v: 1,
      provisionKey: 'rpk_Jq3v0m5Yf2c8T1kQx7bWn4Rz6Hd9Ls0Ae2Gu5Pi8Oy1',
      deviceId: 'tab-SN0001',
      model: 'RP-Tab',
      firmware: '2.0.1',
    } satisfies ProvisionRequest,
  },
  {
    title: 'Provisioning response',
    from: 'server',
    topic: provisionTopics.response('SN0001'),
    note: 'Only client `SN0001` may read this topic. The pad stores the credentials and connects as the device.',
    schema: 'provisionResponse',
    message: {
      v: 1,
      ok: true,
      deviceId: 'tab-SN0001',
      secret: 'm2Zb8x0QeK5vR7tY1uW3sA9dF4gH6jL0',
      hallId: 'hall-1',
    } satisfies ProvisionResponse,
  },
  {
    title: 'Queue system: start a transaction',
    from: 'queue system',
    topic: queueTopics.request('3f6c1a52-7d0e-4b8f-9a21-5c4e6d7f8a90'),
    note: 'Connected as `$queue` with its API token; its client id is the token’s id.',
    schema: 'queueRequest',
    message: {
      v: 1,
      id: 'req-000001',
      type: 'start',
      transaction: {
        id: transaction.id,
        windowId: 'w12',
        caseNo: transaction.caseNo,
        ticket: transaction.ticket,
      },
    } satisfies QueueRequest,
  },
  {
    title: 'Queue system: the reply',
    from: 'server',
    topic: queueTopics.reply('3f6c1a52-7d0e-4b8f-9a21-5c4e6d7f8a90'),
    note: 'The pad at window w12 has been sent the prompt. Ask again with `"type":"status"` to see it rated.',
    schema: 'queueReply',
    message: {
      v: 1,
      requestId: 'req-000001',
      ok: true,
      transaction: {
        id: transaction.id,
        status: 'pending',
        windowId: 'w12',
        deviceId: PAD,
        caseNo: transaction.caseNo,
        ticket: transaction.ticket,
        rating: null,
        padOnline: true,
      },
    } satisfies QueueReply,
  },
]
