// The pad core's rules as pure transitions, driven by a fake clock (plain numbers in the inputs).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  Birth,
  defaultKeyLabels,
  PadEvent,
  Rating,
  type Command,
  type Config,
  type PadEventType,
} from '../../protocol/index.ts'
import {
  createCore,
  nextWake,
  screenOf,
  type CoreContext,
  type Input,
  type Output,
  type PadCoreState,
  type Screen,
} from '../../device/core/index.ts'
import { cmd, DEVICE, makeConfig, prompt, S, T0 } from './helpers.ts'

/** Deeply frozen so a transition that mutates its input state throws. */
function freeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const v of Object.values(o)) freeze(v)
  }
  return o
}

/** A pad core fed by hand. Every message it sends is checked against the protocol schemas. */
class Pad {
  private idNo = 0
  readonly ctx: CoreContext = {
    newId: () => `id-${String(++this.idNo).padStart(6, '0')}`,
    toIso: (ms) => new Date(ms).toISOString(),
    device: DEVICE,
  }
  readonly core = createCore(this.ctx)
  state: PadCoreState
  now = T0
  log: Output[] = []

  constructor(init: { config?: Config | null; capacity?: number; depth?: number; seq?: number } = {}) {
    const config = init.config === undefined ? makeConfig() : init.config
    this.state = freeze(
      this.core.init({
        now: T0,
        settings: {
          config,
          staff: config?.staff ? { ...config.staff } : null,
          seq: init.seq ?? 0,
        },
        outboxCapacity: init.capacity,
        outboxDepth: init.depth,
      }),
    )
  }

  feed(input: Input): Output[] {
    const { state, outputs } = this.core.step(this.state, input)
    this.state = freeze(state)
    for (const o of outputs) {
      if (o.type === 'send') (o.channel === 'rating' ? Rating : PadEvent).parse(o.message)
      if (o.type === 'status') Birth.parse(o.birth)
    }
    this.log.push(...outputs)
    return outputs
  }
  at(ms: number): this {
    this.now = T0 + ms
    return this
  }
  key(key: number | 'rate' | 'pause' | 'resume') {
    return this.feed({ type: 'key', key, now: this.now })
  }
  command(c: Command) {
    return this.feed({ type: 'command', command: c, now: this.now })
  }
  tick() {
    return this.feed({ type: 'tick', now: this.now })
  }
  get screen(): Screen {
    return screenOf(this.state)
  }
  get view() {
    return this.screen.view
  }
}

const sends = (out: Output[]) => out.flatMap((o) => (o.type === 'send' ? [o] : []))
const ratings = (out: Output[]) => sends(out).flatMap((o) => (o.channel === 'rating' ? [o.message] : []))
const events = (out: Output[], type?: PadEventType) =>
  sends(out).flatMap((o) => (o.channel === 'event' && (!type || o.message.type === type) ? [o.message] : []))
const voices = (out: Output[]) => out.flatMap((o) => (o.type === 'voice' ? [o.text] : []))
const screens = (out: Output[]) => out.flatMap((o) => (o.type === 'screen' ? [o.screen] : []))
const persisted = (out: Output[]) => out.flatMap((o) => (o.type === 'persist' ? [o.settings] : []))

describe('pad core', () => {
  let pad: Pad
  beforeEach(() => {
    pad = new Pad()
  })

  describe('views', () => {
    it('is unconfigured before the first config, and a press there is no rating', () => {
      const p = new Pad({ config: null })
      expect(p.view).toBe('unconfigured')
      const out = p.key(1)
      expect(ratings(out)).toEqual([])
      expect(events(out, 'pressNoPrompt')).toMatchObject([{ key: 1 }])
      expect(events(p.command(prompt('tx-1')), 'error')).toMatchObject([{ code: 'promptRefused' }])
      expect(p.view).toBe('unconfigured')
    })

    it('is unconfigured while the config binds no window', () => {
      expect(new Pad({ config: makeConfig({ window: null }) }).view).toBe('unconfigured')
    })

    it('shows the staff card (亮身份) when idle, and the key labels', () => {
      expect(pad.view).toBe('idle')
      expect(pad.screen).toMatchObject({
        staff: { staffNo: 'A001', name: '张三', stars: 4 },
        hall: '市民中心',
        window: '3号窗口',
        countdown: null,
        offline: true,
        outboxFull: false,
      })
      expect(pad.screen.keys.map((k) => [k.key, k.label, k.level, k.class])).toEqual([
        [1, '非常满意', 5, 'good'],
        [2, '满意', 4, 'good'],
        [3, '基本满意', 3, 'good'],
        [4, '不满意', 2, 'bad'],
        [5, '非常不满意', 1, 'bad'],
      ])
    })

    it('is no_staff with nobody signed in', () => {
      expect(new Pad({ config: makeConfig({ staff: null }) }).view).toBe('no_staff')
    })
  })

  describe('prompt and rating (一次一评)', () => {
    it('prompts with voice and a countdown that ticks down', () => {
      const out = pad.command(prompt('tx-1'))
      expect(pad.view).toBe('prompting')
      expect(voices(out)).toEqual(['您好，请您对我的工作给予评价'])
      expect(screens(out)[0]).toMatchObject({
        countdown: 10,
        transaction: { ticket: 'A012', serviceName: '居住证办理' },
      })
      expect(screens(pad.at(1500).tick())[0].countdown).toBe(9)
      expect(pad.at(1700).tick()).toEqual([]) // same second: nothing to redraw
    })

    it('takes the first press within the window as the rating', () => {
      pad.command(prompt('tx-1'))
      const out = pad.at(3 * S).key(2)
      const [r] = ratings(out)
      expect(r).toMatchObject({
        seq: 1,
        scale: 5,
        key: 2,
        level: 4,
        class: 'good',
        transaction: { id: 'tx-1' },
        staffNo: 'A001',
        configVersion: 1,
        promptedAt: '2025-03-03T01:00:00.000Z',
        pressedAt: '2025-03-03T01:00:03.000Z',
        replayed: false,
      })
      expect(r.reasons).toBeUndefined()
      expect(pad.view).toBe('thanks')
      expect(voices(out)).toEqual(['谢谢'])
    })

    it('persists the seq first and stores the rating before saying 谢谢', () => {
      pad.command(prompt('tx-1'))
      const out = pad.at(S).key(1)
      const order = out.map((o) => o.type)
      expect(order[0]).toBe('persist')
      expect(persisted(out)[0]).toEqual({ seq: 1 })
      expect(order.indexOf('send')).toBeLessThan(order.indexOf('voice'))
      expect(sends(out)[0]).toMatchObject({ channel: 'rating', seq: 1, store: true })
    })

    it('records a second press as secondPress, during thanks and until the prompt window ends', () => {
      pad.command(prompt('tx-1'))
      const ratingId = ratings(pad.at(S).key(1))[0].id
      const second = pad.at(2 * S).key(3)
      expect(ratings(second)).toEqual([])
      expect(events(second, 'secondPress')).toMatchObject([{ key: 3, ratingId }])
      pad.at(5 * S).tick()
      expect(pad.view).toBe('idle') // thanks over after 3 s
      expect(events(pad.at(9 * S).key(1), 'secondPress')).toMatchObject([{ ratingId }])
      expect(events(pad.at(10 * S).key(1), 'pressNoPrompt')).toHaveLength(1)
    })

    it('records a press with no prompt as pressNoPrompt, never a rating', () => {
      const out = pad.at(S).key(4)
      expect(ratings(out)).toEqual([])
      expect(events(out)).toMatchObject([{ type: 'pressNoPrompt', key: 4, at: '2025-03-03T01:00:01.000Z' }])
      expect(pad.view).toBe('idle')
    })

    it('ends a prompt with no press as unrated, and a press at the deadline is too late', () => {
      pad.command(prompt('tx-1'))
      expect(nextWake(pad.state)).toBe(T0 + S)
      pad.at(9999).tick()
      expect(pad.view).toBe('prompting')
      const out = pad.at(10 * S).key(1)
      expect(events(out, 'unrated')).toMatchObject([
        {
          transaction: { id: 'tx-1' },
          promptedAt: '2025-03-03T01:00:00.000Z',
          at: '2025-03-03T01:00:10.000Z',
        },
      ])
      expect(ratings(out)).toEqual([])
      expect(events(out, 'pressNoPrompt')).toHaveLength(1)
      expect(pad.view).toBe('idle')
    })

    it('ignores keys the configured scale does not have', () => {
      const p = new Pad({ config: makeConfig({ scale: 3, keyLabels: defaultKeyLabels(3), reasons: [] }) })
      p.command(prompt('tx-1'))
      expect(p.key(4)).toEqual([])
      expect(p.view).toBe('prompting')
      expect(ratings(p.key(3))).toMatchObject([{ scale: 3, key: 3, level: 2, class: 'bad' }])
    })

    it('ends the open prompt as unrated when the next one comes', () => {
      pad.command(prompt('tx-1'))
      const out = pad.at(4 * S).command(prompt('tx-2'))
      expect(events(out, 'unrated')).toMatchObject([{ transaction: { id: 'tx-1' } }])
      expect(pad.screen).toMatchObject({ view: 'prompting', countdown: 10 })
      expect(ratings(pad.at(5 * S).key(1))).toMatchObject([{ transaction: { id: 'tx-2' } }])
    })

    it('ignores a prompt repeated for the open transaction, and refuses one already rated', () => {
      pad.command(prompt('tx-1'))
      expect(events(pad.at(S).command(prompt('tx-1')))).toEqual([])
      pad.at(2 * S).key(1)
      expect(events(pad.at(3 * S).command(prompt('tx-1')), 'error')).toMatchObject([
        { code: 'promptRefused', message: 'alreadyRated: transaction tx-1' },
      ])
    })

    it('ignores a command delivered twice (QoS 1)', () => {
      const c = prompt('tx-1')
      pad.command(c)
      pad.at(S).key(1)
      expect(pad.at(2 * S).command(c)).toEqual([])
    })

    it('cancels a prompt, which leaves the transaction unrated', () => {
      pad.command(prompt('tx-1'))
      expect(pad.command(cmd({ type: 'cancel', transactionId: 'other' }))).toEqual([])
      const out = pad.at(2 * S).command(cmd({ type: 'cancel', transactionId: 'tx-1' }))
      expect(events(out, 'unrated')).toHaveLength(1)
      expect(pad.view).toBe('idle')
    })

    it('numbers ratings with a growing seq that continues after a reboot', () => {
      for (let i = 1; i <= 3; i++) {
        pad.at(i * 100 * S).command(prompt(`tx-${i}`))
        pad.at(i * 100 * S + S).key(1)
      }
      expect(ratings(pad.log).map((r) => r.seq)).toEqual([1, 2, 3])
      const rebooted = new Pad({ seq: 3 })
      rebooted.command(prompt('tx-9'))
      expect(ratings(rebooted.key(1))[0].seq).toBe(4)
    })

    it('asks no voice when the config turns voice off', () => {
      const p = new Pad({ config: makeConfig({ voice: false }) })
      expect(voices(p.command(prompt('tx-1')))).toEqual([])
    })
  })

  describe('the staff 请评价 key', () => {
    it('starts a prompt with a transaction made on the pad, owned by the signed-in staff', () => {
      pad.key('rate')
      expect(pad.view).toBe('prompting')
      const [r] = ratings(pad.at(S).key(1))
      expect(r.transaction).toEqual({ id: expect.stringMatching(/^pad-id-\d{6}$/), staffNo: 'A001' })
    })

    it('leaves an unrated event with that transaction when nobody presses', () => {
      pad.key('rate')
      const [e] = events(pad.at(10 * S).tick(), 'unrated')
      expect(e).toMatchObject({ transaction: { id: expect.stringMatching(/^pad-/), staffNo: 'A001' } })
    })

    it('does nothing while a prompt is open', () => {
      pad.command(prompt('tx-1'))
      expect(sends(pad.at(S).key('rate'))).toEqual([])
      expect(pad.state.phase).toMatchObject({ name: 'prompting', prompt: { transaction: { id: 'tx-1' } } })
    })

    it('is refused with nobody signed in', () => {
      const p = new Pad({ config: makeConfig({ staff: null }) })
      expect(events(p.key('rate'), 'error')).toMatchObject([{ code: 'promptRefused' }])
      expect(p.view).toBe('no_staff')
    })
  })

  describe('差评 reasons', () => {
    it('asks why after a 差评 and sends the rating with the reason picked by key', () => {
      pad.command(prompt('tx-1'))
      const out = pad.at(S).key(5)
      expect(ratings(out)).toEqual([]) // not yet: the reasons belong in the rating
      expect(pad.view).toBe('reasons')
      expect(voices(out)).toEqual(['请问您不满意的原因是什么？'])
      expect(pad.screen.reasons!.slice(4)).toEqual([
        { key: 5, code: 'policy', label: '政策规定' },
        { key: null, code: 'other', label: '其他' }, // no sixth key on a 5-key pad; touch only
      ])
      expect(pad.screen.countdown).toBe(20)
      const [r] = ratings(pad.at(4 * S).key(2))
      expect(r).toMatchObject({ key: 5, level: 1, class: 'bad', reasons: ['efficiency'] })
      expect(r.pressedAt).toBe('2025-03-03T01:00:01.000Z')
      expect(pad.view).toBe('thanks')
    })

    it('takes reasons picked on a touch screen, dropping unknown codes', () => {
      pad.command(prompt('tx-1'))
      pad.at(S).key(4)
      const [r] = ratings(
        pad.feed({ type: 'reasons', codes: ['attitude', 'nonsense', 'other', 'attitude'], now: T0 + 2 * S }),
      )
      expect(r.reasons).toEqual(['attitude', 'other'])
    })

    it('keeps the 差评 with no reasons when the question times out', () => {
      pad.command(prompt('tx-1'))
      pad.at(S).key(5)
      expect(pad.at(20 * S).tick().length).toBeGreaterThan(0)
      expect(pad.view).toBe('reasons')
      const [r] = ratings(pad.at(21 * S).tick())
      expect(r).toMatchObject({ level: 1, reasons: [] })
      expect(events(pad.log, 'unrated')).toEqual([])
    })

    it('does not ask when the config has no reasons, nor after a 好评', () => {
      const p = new Pad({ config: makeConfig({ reasons: [] }) })
      p.command(prompt('tx-1'))
      expect(ratings(p.key(5))).toMatchObject([{ level: 1 }])
      pad.command(prompt('tx-1'))
      expect(ratings(pad.key(3))).toMatchObject([{ level: 3, class: 'good' }])
    })

    it('sends the pending 差评 when a new prompt interrupts the question', () => {
      pad.command(prompt('tx-1'))
      pad.at(S).key(5)
      const out = pad.at(2 * S).command(prompt('tx-2'))
      expect(ratings(out)).toMatchObject([{ transaction: { id: 'tx-1' }, reasons: [] }])
      expect(pad.view).toBe('prompting')
    })
  })

  describe('暂停服务', () => {
    it('pauses and resumes from the keypad or by command', () => {
      pad.key('pause')
      expect(pad.view).toBe('paused')
      pad.key('resume')
      expect(pad.view).toBe('idle')
      expect(persisted(pad.command(cmd({ type: 'pause' }))).at(-1)).toEqual({ paused: true })
      expect(pad.view).toBe('paused')
      pad.command(cmd({ type: 'resume' }))
      expect(pad.view).toBe('idle')
    })

    it('refuses a prompt while paused with an error event', () => {
      pad.key('pause')
      const out = pad.command(prompt('tx-1'))
      expect(events(out)).toMatchObject([
        { type: 'error', code: 'promptRefused', message: 'paused: transaction tx-1' },
      ])
      expect(pad.view).toBe('paused')
      expect(events(pad.key('rate'), 'error')).toHaveLength(1)
      expect(events(pad.key(1), 'pressNoPrompt')).toHaveLength(1)
    })

    it('ends an open prompt as unrated when paused', () => {
      pad.command(prompt('tx-1'))
      expect(events(pad.at(S).key('pause'), 'unrated')).toHaveLength(1)
      expect(pad.view).toBe('paused')
    })
  })

  describe('staff sign in and out', () => {
    it('signs out and in from the keypad with events, using the card the config knows', () => {
      let out = pad.feed({ type: 'staffSignOut', now: T0 })
      expect(events(out)).toMatchObject([{ type: 'staffSignOut', staffNo: 'A001' }])
      expect(persisted(out)).toEqual([{ staff: null, paused: false }])
      expect(pad.view).toBe('no_staff')
      out = pad.feed({ type: 'staffSignIn', staffNo: 'A001', now: T0 })
      expect(events(out)).toMatchObject([{ type: 'staffSignIn', staffNo: 'A001' }])
      expect(pad.screen.staff).toMatchObject({ staffNo: 'A001', name: '张三' })
    })

    it('shows only the 工号 for a staff the config does not know yet', () => {
      pad.feed({ type: 'staffSignIn', staffNo: 'B002', now: T0 })
      expect(pad.screen.staff).toEqual({
        staffNo: 'B002',
        name: null,
        photoUrl: null,
        title: null,
        stars: null,
      })
      expect(events(pad.log).map((e) => [e.type, 'staffNo' in e && e.staffNo])).toEqual([
        ['staffSignOut', 'A001'],
        ['staffSignIn', 'B002'],
      ])
    })

    it('takes the full card from a signIn command', () => {
      const staff = { staffNo: 'C003', name: '李四', photoUrl: 'https://x/p.jpg', title: null, stars: 5 }
      pad.command(cmd({ type: 'signIn', staff }))
      expect(pad.screen.staff).toEqual(staff)
      pad.command(cmd({ type: 'signOut' }))
      expect(pad.view).toBe('no_staff')
    })

    it('rates the staff signed in when the key was pressed', () => {
      pad.feed({ type: 'staffSignIn', staffNo: 'B002', now: T0 })
      pad.command(prompt('tx-1'))
      expect(ratings(pad.at(S).key(1))[0].staffNo).toBe('B002')
    })

    it('ends an open prompt as unrated when the staff signs out', () => {
      pad.command(prompt('tx-1'))
      const out = pad.feed({ type: 'staffSignOut', now: T0 + S })
      expect(events(out).map((e) => e.type)).toEqual(['unrated', 'staffSignOut'])
    })

    it('with nobody signed in, prompts only for a transaction that names its staff', () => {
      const p = new Pad({ config: makeConfig({ staff: null }) })
      expect(events(p.command(prompt('tx-1')), 'error')).toMatchObject([
        { message: 'noStaff: transaction tx-1' },
      ])
      p.command(prompt('tx-2', { staffNo: 'A001' }))
      expect(ratings(p.at(S).key(1))).toMatchObject([{ staffNo: null, transaction: { staffNo: 'A001' } }])
    })
  })

  describe('config', () => {
    it('applies a newer config, persists it and reports its version in the birth', () => {
      pad.feed({ type: 'connection', up: true, connectCount: 1, now: T0 })
      const out = pad.feed({
        type: 'config',
        config: makeConfig({ version: 2, scale: 2, keyLabels: ['满意', '不满意'] }),
        now: T0,
      })
      expect(persisted(out)[0].config!.version).toBe(2)
      expect(out.find((o) => o.type === 'status')).toMatchObject({ birth: { configVersion: 2 } })
      expect(pad.screen.keys.map((k) => k.label)).toEqual(['满意', '不满意'])
    })

    it('ignores a config that is not newer (the retained one on every reconnect)', () => {
      expect(pad.feed({ type: 'config', config: makeConfig({ version: 1, scale: 2 }), now: T0 })).toEqual([])
      expect(pad.state.config!.scale).toBe(5)
    })

    it("keeps a keypad sign-in when a new config did not change the config's staff", () => {
      pad.feed({ type: 'staffSignIn', staffNo: 'B002', now: T0 })
      pad.feed({ type: 'config', config: makeConfig({ version: 2, locale: 'en' }), now: T0 })
      expect(pad.screen.staff!.staffNo).toBe('B002')
      const staff = { staffNo: 'C003', name: '王五', photoUrl: null, title: null, stars: null }
      pad.feed({ type: 'config', config: makeConfig({ version: 3, staff }), now: T0 })
      expect(pad.screen.staff).toEqual(staff)
      expect(events(pad.log).map((e) => e.type)).toEqual(['staffSignOut', 'staffSignIn']) // the server knows
    })

    it('speaks the configured locale', () => {
      const p = new Pad({ config: makeConfig({ locale: 'en' }) })
      expect(voices(p.command(prompt('tx-1')))).toEqual(['Hello, please rate my service'])
    })
  })

  describe('connection, birth and acks', () => {
    it('shows the offline badge until connected, and publishes a birth on each connection', () => {
      expect(pad.screen.offline).toBe(true)
      const out = pad.feed({ type: 'connection', up: true, connectCount: 7, now: T0 })
      expect(screens(out)[0].offline).toBe(false)
      const birth = out.find((o) => o.type === 'status')
      expect(birth).toMatchObject({
        birth: {
          state: 'online',
          connectCount: 7,
          padState: 'idle',
          configVersion: 1,
          staffNo: 'A001',
          outboxDepth: 0,
          outboxCapacity: 50_000,
          firmware: 'test-1.0',
          clock: '2025-03-03T01:00:00.000Z',
        },
      })
      expect(screens(pad.feed({ type: 'connection', up: false, now: T0 }))[0].offline).toBe(true)
      expect(
        pad.feed({ type: 'connection', up: true, connectCount: 8, now: T0 }).some((o) => o.type === 'status'),
      ).toBe(true)
    })

    it('publishes a new birth when the rest state changes, not for every prompt', () => {
      pad.feed({ type: 'connection', up: true, connectCount: 1, now: T0 })
      const statuses = (out: Output[]) => out.flatMap((o) => (o.type === 'status' ? [o.birth] : []))
      expect(statuses(pad.command(prompt('tx-1')))).toEqual([])
      expect(statuses(pad.at(S).key(1))).toEqual([])
      expect(statuses(pad.key('pause'))).toMatchObject([{ padState: 'paused' }])
    })

    it('asks the runtime to remove acked and rejected ids', () => {
      const out = pad.feed({
        type: 'ack',
        ack: {
          v: 1,
          ids: ['id-000001'],
          rejected: [{ id: 'id-000002', reason: 'bad' }],
          serverTime: '2025-03-03T01:00:00Z',
        },
        now: T0,
      })
      expect(out).toEqual([{ type: 'outboxRemove', ids: ['id-000001', 'id-000002'] }])
    })

    it('passes replay and timeSync commands to the runtime', () => {
      expect(pad.command(cmd({ type: 'replay', fromSeq: 5 }))).toEqual([{ type: 'replay', fromSeq: 5 }])
      expect(pad.command(cmd({ type: 'timeSync', serverTime: '2025-03-03T01:00:00Z' }))).toEqual([
        { type: 'timeSync', serverTime: '2025-03-03T01:00:00Z' },
      ])
    })
  })

  describe('outbox full', () => {
    it('reports a full outbox once, in the slot kept for it, and shows the badge', () => {
      const p = new Pad({ capacity: 4 })
      const stored = (out: Output[]) =>
        sends(out).map((o) => [o.channel === 'rating' ? 'rating' : o.message.type, o.store])
      expect(stored(p.key(1))).toEqual([['pressNoPrompt', true]])
      expect(stored(p.key(1))).toEqual([['pressNoPrompt', true]])
      expect(stored(p.key(1))).toEqual([
        ['pressNoPrompt', true],
        ['outboxFull', true],
      ])
      expect(p.state.outbox.depth).toBe(4)
      expect(p.screen.outboxFull).toBe(true)
      expect(stored(p.key(1))).toEqual([['pressNoPrompt', false]]) // published if online, not kept
      expect(events(p.command(prompt('tx-1')), 'error')).toMatchObject([
        { message: 'outboxFull: transaction tx-1' },
      ])
      expect(p.view).toBe('idle')
      // The server acked; the runtime reports the new depth.
      const out = p.feed({ type: 'outbox', depth: 1, now: T0 })
      expect(screens(out)[0].outboxFull).toBe(false)
      p.command(prompt('tx-2'))
      expect(p.view).toBe('prompting')
    })

    it('stores the rating of a prompt opened while there was room', () => {
      const p = new Pad({ capacity: 4, depth: 2 })
      p.command(prompt('tx-1'))
      expect(p.view).toBe('prompting')
      const out = p.at(S).key(1)
      expect(sends(out).map((o) => [o.channel, o.store])).toEqual([
        ['rating', true],
        ['event', true], // outboxFull, in the last slot
      ])
      expect(p.view).toBe('thanks')
    })

    it('drops 谢谢 for a rating the runtime could not store', () => {
      pad.command(prompt('tx-1'))
      const id = ratings(pad.at(S).key(1))[0].id
      const out = pad.feed({ type: 'storeFailed', id, error: 'ENOSPC', now: T0 + S })
      expect(pad.view).toBe('idle')
      expect(sends(out)).toMatchObject([{ store: false, message: { type: 'error', code: 'storeFailed' } }])
    })
  })

  it('wakes the runtime only when something is due', () => {
    expect(nextWake(pad.state)).toBeNull()
    pad.at(200).command(prompt('tx-1'))
    expect(nextWake(pad.state)).toBe(T0 + 1200)
    pad.at(S).key(1)
    expect(nextWake(pad.state)).toBe(T0 + 4 * S)
  })
})

describe('pad core source', () => {
  const dir = join(import.meta.dirname, '../../device/core')
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    it(`${file} touches no clock, randomness, timer or platform`, () => {
      const src = readFileSync(join(dir, file), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')
      for (const m of src.matchAll(/from '([^']+)'/g))
        expect(m[1]).toMatch(/^(\.\/|\.\.\/\.\.\/protocol\/index\.ts$)/)
      expect(src).not.toMatch(
        /\b(Date|Math\.random|setTimeout|setInterval|performance|process|window\.|document|crypto)\b/,
      )
    })
  }
})
