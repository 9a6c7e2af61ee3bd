// The conformance kit: plays the server's side of protocol v1 against one pad on a test broker and
// checks the rules a pad must keep, each with the evidence seen. The pad under test connects to the
// broker given; the kit subscribes to everything there, publishes the config, prompts and acks
// itself (so it can hold an ack back), and forces reconnects by taking over the pad's MQTT session
// (same client id: the broker drops the pad, which publishes its will and must come back). Someone
// (a person, or a test driving a simulated pad) presses keys when the kit asks.
import { randomUUID } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'
import {
  CHANNELS,
  parseTopic,
  SCALES,
  SCHEMA_VERSION,
  topics,
  UP_CHANNELS,
  type Ack,
  type Birth,
  type Config,
  type Rating,
  type Scale,
  type Transaction,
} from '../protocol/index.ts'

/** Whoever presses the pad's keys: a person at the counter, or a test. */
export interface Operator {
  /** Press this key now; `expect` is the screen the pad should be showing. */
  press(key: number, expect: 'prompting' | 'thanks' | 'idle'): Promise<void>
  /** Something to tell the person (do not press; wait). */
  say(message: string): void
}

export interface KitOptions {
  broker: string
  deviceId: string
  /** The pad's secret, when the broker checks it: needed to take over its session. */
  secret?: string
  /** The kit's own broker credentials (it subscribes to `#`); none on an open test broker. */
  username?: string
  password?: string
  operator: Operator
  /** How long to wait for the pad each time (default 30 s; a person needs longer). */
  waitMs?: number
  /** The prompt time given in the config (default 5 s, at least 3). */
  promptSeconds?: number
  /** Hall settings to put in the config (from the server where the pad is registered). */
  hall?: { id: string; name: string; timeZone: string; scale: Scale; keyLabels: string[] | null }
}

export type RuleStatus = 'pass' | 'fail' | 'skip'
export interface RuleResult {
  id: string
  title: string
  status: RuleStatus
  evidence: string[]
}

export const RULES = [
  ['schemas', 'Every message the pad publishes passes the protocol schema of its topic'],
  [
    'birth-and-will',
    'Birth after each connect; the Last Will carries the connect count of its birth, which grows',
  ],
  ['config-applied', 'A new config is applied and its version reported in a birth'],
  ['prompt-rating', 'A prompt and a press give one rating answering that transaction'],
  ['one-rating-per-prompt', 'A second press in the same prompt is a secondPress event, never another rating'],
  ['prompt-unrated', 'A prompt with no press ends in an unrated event for that transaction'],
  ['press-without-prompt', 'A press with no prompt is a pressNoPrompt event, never a rating'],
  [
    'duplicate-ack',
    'Acks repeated or naming unknown ids are harmless: the pad goes on, acked ratings are not sent again',
  ],
  ['reconnect-replay', 'A rating not acked is sent again after a reconnect, same id and seq, replayed: true'],
  ['own-topics-only', 'Nothing is published outside the pad’s own up topics; only the status is retained'],
  ['ids-and-seq', 'Every message has an id of its own; rating seq only grows'],
] as const
export type RuleId = (typeof RULES)[number][0]

interface Seen {
  n: number
  topic: string
  payload: string
  retain: boolean
  json: any
  at: number
}

const short = (m: unknown) => {
  const s = JSON.stringify(m)
  return s.length > 160 ? `${s.slice(0, 157)}…` : s
}

export async function runConformance(o: KitOptions): Promise<RuleResult[]> {
  const id = o.deviceId
  const waitMs = o.waitMs ?? 30_000
  const promptSeconds = Math.max(3, o.promptSeconds ?? 5)
  const evidence = new Map<RuleId, string[]>(RULES.map(([r]) => [r, []]))
  const failed = new Set<RuleId>()
  const skipped = new Set<RuleId>()
  const note = (r: RuleId, line: string) => evidence.get(r)!.push(line)
  const fail = (r: RuleId, line: string) => {
    failed.add(r)
    note(r, `✗ ${line}`)
  }

  const seen: Seen[] = []
  const mine = new Set<string>() // topic + payload of what the kit published
  const observer: MqttClient = await mqtt.connectAsync(o.broker, {
    clientId: `rp-conformance-${randomUUID().slice(0, 8)}`,
    username: o.username,
    password: o.password,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  })
  observer.on('message', (topic, payload, packet) => {
    if (topic.startsWith('$')) return
    const text = payload.toString('utf8')
    let json: unknown = null
    try {
      json = JSON.parse(text)
    } catch {}
    seen.push({ n: seen.length, topic, payload: text, retain: packet.retain, json, at: Date.now() })
  })
  await observer.subscribeAsync('#', { qos: 1 })

  const publish = async (topic: string, body: object, retain = false) => {
    const payload = JSON.stringify(body)
    mine.add(`${topic}\u0000${payload}`)
    await observer.publishAsync(topic, payload, { qos: 1, retain })
  }
  const ack = (ids: string[]) =>
    publish(topics.ack(id), { v: SCHEMA_VERSION, ids, serverTime: new Date().toISOString() } satisfies Ack)
  const command = (body: object) =>
    publish(topics.command(id), {
      v: SCHEMA_VERSION,
      id: randomUUID(),
      issuedAt: new Date().toISOString(),
      ...body,
    })

  const padMessages = (channel: 'rating' | 'event' | 'status', from = 0) =>
    seen.filter((m) => m.n >= from && m.topic === topics[channel](id) && m.payload.length > 0)
  async function waitFor<T>(find: () => T | undefined, ms = waitMs): Promise<T | undefined> {
    const end = Date.now() + ms
    for (;;) {
      const v = find()
      if (v !== undefined) return v
      if (Date.now() > end) return undefined
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  const births = (from = 0) => padMessages('status', from).filter((m) => m.json?.state === 'online')
  const ratingFor = (tx: string, from = 0) =>
    padMessages('rating', from).find((m) => m.json?.transaction?.id === tx)
  const eventOf = (type: string, pred: (e: any) => boolean, from = 0) =>
    padMessages('event', from).find((m) => m.json?.type === type && pred(m.json))
  /** Acks every rating and event as it comes; ratings not while holding (the replay rule). */
  let holding = false
  let acked = 0
  const ackLoop = setInterval(() => {
    const fresh = seen
      .slice(acked)
      .filter((m) => (m.topic === topics.rating(id) || m.topic === topics.event(id)) && m.json?.id)
    acked = seen.length
    const ids = [
      ...new Set(
        fresh.filter((m) => !(holding && m.topic === topics.rating(id))).map((m) => m.json.id as string),
      ),
    ]
    if (ids.length) void ack(ids).catch(() => {})
  }, 100)

  /** Takes over the pad's session (same client id), so the broker drops it; then lets it come back. */
  async function forceReconnect(): Promise<number> {
    const mark = seen.length
    const intruder = await mqtt.connectAsync(o.broker, {
      clientId: id,
      username: id,
      password: o.secret,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      clean: true,
    })
    await intruder.endAsync()
    return mark
  }

  try {
    // ------------------------------------------------------------ connect: will and birth
    o.operator.say(`Switch the pad ${id} on, pointed at ${o.broker}.`)
    const first = await waitFor(() => births().at(-1))
    if (!first) {
      fail('birth-and-will', `no birth on ${topics.status(id)} within ${waitMs} ms`)
      throw new Error('the pad is not there')
    }
    note('birth-and-will', `birth seen: ${short(first.json)}`)
    const before = first.json.connectCount as number
    const mark = await forceReconnect()
    const will = await waitFor(() => padMessages('status', mark).find((m) => m.json?.state === 'offline'))
    if (!will) fail('birth-and-will', 'no Last Will published when the connection was taken over')
    else if (will.json.connectCount !== before)
      fail('birth-and-will', `will carries connectCount ${will.json.connectCount}, its birth had ${before}`)
    else note('birth-and-will', `will on a dropped connection: ${short(will.json)}`)
    const again = await waitFor(() => births(mark)[0])
    if (!again) fail('birth-and-will', 'no birth after reconnecting')
    else if (!(again.json.connectCount > before))
      fail('birth-and-will', `connectCount did not grow: ${before} then ${again.json.connectCount}`)
    else
      note(
        'birth-and-will',
        `new birth after reconnect with connectCount ${before} → ${again.json.connectCount}`,
      )

    // ------------------------------------------------------------ config
    const birth = (again ?? first).json as Birth
    const keys = birth.capabilities?.keys ?? [5]
    const scale =
      o.hall?.scale ?? (Math.max(...keys.filter((k) => (SCALES as readonly number[]).includes(k))) as Scale)
    const version = (birth.configVersion ?? 0) + 1
    const config: Config = {
      v: SCHEMA_VERSION,
      version,
      hall: o.hall
        ? { id: o.hall.id, name: o.hall.name, timeZone: o.hall.timeZone }
        : { id: 'conformance', name: '测试大厅', timeZone: 'Asia/Shanghai' },
      window: { id: 'w1', name: '1号窗口' },
      staff: { staffNo: 'T0001', name: '测试员', photoUrl: null, title: null, stars: null },
      scale,
      keyLabels: o.hall?.keyLabels ?? Array.from({ length: scale }, (_, i) => `键${i + 1}`),
      reasons: [],
      reasonsVersion: 1,
      // Thanks as long as the prompt, so a second press lands in the same prompt even on a slow machine.
      timeouts: { promptSeconds, reasonSeconds: 5, thanksSeconds: Math.min(30, promptSeconds) },
      locale: 'zh-CN',
      voice: false,
      openingHours: [],
    }
    const cfgMark = seen.length
    await publish(topics.config(id), config, true)
    const applied = await waitFor(() => births(cfgMark).find((m) => m.json.configVersion === version))
    if (applied)
      note('config-applied', `config ${version} sent (retained); birth reports configVersion ${version}`)
    else
      fail(
        'config-applied',
        `config ${version} sent; no birth reported configVersion ${version} within ${waitMs} ms`,
      )

    const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms))
    const transaction = (n: string): Transaction => ({
      id: `CT-${n}-${randomUUID().slice(0, 8)}`,
      ticket: `T${n}`,
      staffNo: 'T0001',
    })

    // ------------------------------------------------------------ prompt → rating, second press
    const t1 = transaction('1')
    let m1 = seen.length
    await command({ type: 'prompt', transaction: t1 })
    await o.operator.press(1, 'prompting')
    const r1 = await waitFor(() => ratingFor(t1.id!, m1))
    if (!r1) fail('prompt-rating', `prompt ${t1.id}, key 1 pressed: no rating within ${waitMs} ms`)
    else {
      const r = r1.json as Rating
      if (r.key !== 1) fail('prompt-rating', `key 1 pressed, rating says key ${r.key}`)
      else
        note(
          'prompt-rating',
          `prompt ${t1.id} → rating ${r.id} (key ${r.key}, level ${r.level}, seq ${r.seq})`,
        )
    }
    await o.operator.press(2, 'thanks')
    const second = await waitFor(() => eventOf('secondPress', () => true, m1))
    await quiet(500)
    const extra = padMessages('rating', m1).filter(
      (m) => m.json?.transaction?.id === t1.id && m.json.id !== r1?.json.id,
    )
    if (extra.length)
      fail(
        'one-rating-per-prompt',
        `prompt ${t1.id} gave ${extra.length + 1} ratings: ${extra.map((m) => short(m.json)).join('; ')}`,
      )
    if (!second) fail('one-rating-per-prompt', 'a second press in the same prompt gave no secondPress event')
    else if (r1 && second.json.ratingId !== r1.json.id)
      fail('one-rating-per-prompt', `secondPress names rating ${second.json.ratingId}, not ${r1.json.id}`)
    else note('one-rating-per-prompt', `second press → ${short(second.json)}`)

    // ------------------------------------------------------------ prompt → unrated
    const t2 = transaction('2')
    const m2 = seen.length
    o.operator.say(`Do not press anything for ${promptSeconds} seconds.`)
    await command({ type: 'prompt', transaction: t2 })
    const unrated = await waitFor(
      () => eventOf('unrated', (e) => e.transaction?.id === t2.id, m2),
      promptSeconds * 1000 + waitMs,
    )
    if (!unrated) fail('prompt-unrated', `prompt ${t2.id} with no press: no unrated event`)
    else note('prompt-unrated', `prompt ${t2.id}, no press → ${short(unrated.json)}`)
    if (ratingFor(t2.id!, m2)) fail('prompt-unrated', `a rating was sent for ${t2.id} though nobody pressed`)

    // ------------------------------------------------------------ press without prompt
    const m3 = seen.length
    await o.operator.press(1, 'idle')
    const noPrompt = await waitFor(() => eventOf('pressNoPrompt', () => true, m3))
    await quiet(500)
    const stray = padMessages('rating', m3)
    if (stray.length)
      fail('press-without-prompt', `a press with no prompt gave a rating: ${short(stray[0].json)}`)
    if (!noPrompt) fail('press-without-prompt', 'a press with no prompt gave no pressNoPrompt event')
    else note('press-without-prompt', `press with no prompt → ${short(noPrompt.json)}`)

    // ------------------------------------------------------------ duplicate ack
    const t3 = transaction('3')
    const m4 = seen.length
    await command({ type: 'prompt', transaction: t3 })
    await o.operator.press(1, 'prompting')
    const r3 = await waitFor(() => ratingFor(t3.id!, m4))
    if (!r3) fail('duplicate-ack', `no rating for ${t3.id}`)
    else {
      await ack([r3.json.id])
      await ack([r3.json.id, 'conformance-unknown-0001'])
      note('duplicate-ack', `rating ${r3.json.id} acked three times, once with an unknown id`)
      const t4 = transaction('4')
      const m5 = seen.length
      await quiet(1000) // the thanks screen ends before the next prompt
      await command({ type: 'prompt', transaction: t4 })
      await o.operator.press(1, 'prompting')
      const r4 = await waitFor(() => ratingFor(t4.id!, m5))
      if (!r4) fail('duplicate-ack', `after the repeated acks the pad gave no rating for ${t4.id}`)
      else note('duplicate-ack', `the pad went on: rating ${r4.json.id} for ${t4.id}`)
    }

    // ------------------------------------------------------------ reconnect replays what is not acked
    const t5 = transaction('5')
    const m6 = seen.length
    await quiet(1000)
    // Hold back the ack of whatever answers this prompt.
    holding = true
    await command({ type: 'prompt', transaction: t5 })
    await o.operator.press(1, 'prompting')
    const r5 = await waitFor(() => ratingFor(t5.id!, m6))
    await quiet(300)
    if (!r5) fail('reconnect-replay', `no rating for ${t5.id}`)
    else {
      note('reconnect-replay', `rating ${r5.json.id} (seq ${r5.json.seq}) not acked; session taken over`)
      const m7 = await forceReconnect()
      const replay = await waitFor(() => padMessages('rating', m7).find((m) => m.json?.id === r5.json.id))
      if (!replay) fail('reconnect-replay', `after reconnecting the pad did not send ${r5.json.id} again`)
      else {
        const r = replay.json as Rating
        if (r.seq !== r5.json.seq || r.replayed !== true)
          fail(
            'reconnect-replay',
            `sent again with seq ${r.seq} (was ${r5.json.seq}), replayed ${r.replayed}`,
          )
        else note('reconnect-replay', `sent again after reconnect: seq ${r.seq}, replayed: true`)
        const ackedBefore = [r1, r3].filter(Boolean).map((m) => m!.json.id)
        const resent = padMessages('rating', m7).filter((m) => ackedBefore.includes(m.json?.id))
        if (resent.length)
          fail('duplicate-ack', `acked rating ${resent[0].json.id} was sent again after reconnect`)
        else note('duplicate-ack', 'no acked rating was sent again after the reconnect')
      }
      await ack(padMessages('rating', m6).map((m) => m.json.id))
    }
    holding = false
    await quiet(500)
    // Retained messages show only to a new subscription: only the status may be one.
    const probeMark = seen.length
    await observer.unsubscribeAsync('#')
    await observer.subscribeAsync([topics.rating(id), topics.event(id), topics.status(id)], { qos: 1 })
    await quiet(500)
    for (const m of seen.slice(probeMark))
      if (m.retain && m.topic !== topics.status(id) && m.payload.length)
        fail('own-topics-only', `a retained message stays on ${m.topic}: ${m.payload.slice(0, 120)}`)
    const status = seen.slice(probeMark).find((m) => m.retain && m.topic === topics.status(id))
    if (!status) fail('birth-and-will', `nothing retained on ${topics.status(id)}`)
    else note('birth-and-will', `retained on ${topics.status(id)}: ${short(status.json)}`)
  } catch (e) {
    if ((e as Error).message !== 'the pad is not there') throw e
  } finally {
    clearInterval(ackLoop)
    await observer.endAsync().catch(() => {})
  }

  // ------------------------------------------------------------ over the whole run
  const up = new Set(UP_CHANNELS.map((c) => topics[c](id)))
  let checked = 0
  for (const m of seen) {
    // A retained message delivered on subscribing was published before this run (or is the probe's).
    if (m.retain) continue
    if (mine.has(`${m.topic}\u0000${m.payload}`)) continue
    const t = parseTopic(m.topic)
    if (!up.has(m.topic)) {
      fail('own-topics-only', `published to ${m.topic}: ${m.payload.slice(0, 120)}`)
      continue
    }
    if (!m.payload.length) continue
    checked++
    const r = CHANNELS[t!.channel].schema.safeParse(m.json)
    if (!r.success)
      fail(
        'schemas',
        `${m.topic}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      )
  }
  if (!failed.has('own-topics-only'))
    note(
      'own-topics-only',
      `${seen.length} messages seen on the broker, all on the pad’s own topics or the kit’s`,
    )
  if (!failed.has('schemas')) note('schemas', `${checked} messages from the pad, all valid`)

  // Ids: one message per id (a resend must be the same message), seq growing over first sends.
  const byId = new Map<string, string>()
  let lastSeq = 0
  for (const m of [...padMessages('rating'), ...padMessages('event')].sort((a, b) => a.n - b.n)) {
    const msgId = m.json?.id
    if (typeof msgId !== 'string') continue
    const { replayed: _r, ...body } = m.json
    const sig = JSON.stringify(body)
    const prior = byId.get(msgId)
    if (prior === undefined) {
      byId.set(msgId, sig)
      if (m.topic === topics.rating(id)) {
        if (m.json.seq <= lastSeq)
          fail('ids-and-seq', `rating ${msgId} has seq ${m.json.seq} after seq ${lastSeq}`)
        lastSeq = Math.max(lastSeq, m.json.seq)
      }
    } else if (prior !== sig) fail('ids-and-seq', `id ${msgId} used for two different messages`)
  }
  if (!failed.has('ids-and-seq'))
    note('ids-and-seq', `${byId.size} ids, each for one message; rating seq grew to ${lastSeq}`)

  return RULES.map(([rule, title]) => ({
    id: rule,
    title,
    status: failed.has(rule)
      ? 'fail'
      : skipped.has(rule) || evidence.get(rule)!.length === 0
        ? 'skip'
        : 'pass',
    evidence: evidence.get(rule)!,
  }))
}

/** The report a person reads: one line per rule, then its evidence. */
export function formatReport(results: RuleResult[]): string {
  const mark = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' }
  const lines = results.flatMap((r) => [
    `${mark[r.status]}  ${r.id}: ${r.title}`,
    ...r.evidence.map((e) => `      ${e}`),
  ])
  const n = (s: RuleStatus) => results.filter((r) => r.status === s).length
  lines.push('', `${n('pass')} passed, ${n('fail')} failed${n('skip') ? `, ${n('skip')} skipped` : ''}`)
  return lines.join('\n')
}
