// The pad runtime over fake ports: a scripted transport, a manual clock and the memory outbox.
import { afterEach, describe, expect, it } from 'vitest'
import { Birth, Death, PadEvent, Rating, topics, type Ack } from '../../protocol/index.ts'
import { MemoryDisk, openMemoryStorage } from '../../device/adapters/sim/memory-outbox.ts'
import { ManualClock } from '../../device/adapters/sim/manual-clock.ts'
import { PadRuntime, type PadOptions } from '../../device/pad.ts'
import type { ConnectOptions, PadStorage, PublishOptions, Transport } from '../../device/ports/index.ts'
import type { Screen } from '../../device/core/index.ts'
import { DEVICE, makeConfig, prompt, S, T0 } from './helpers.ts'

const ID = 'pad-w3'

/** A broker stand-in: records what the pad does and lets the test deliver messages or cut the line. */
class FakeTransport implements Transport {
  connects: ConnectOptions[] = []
  published: { topic: string; payload: string; options: PublishOptions }[] = []
  subscribed: string[][] = []
  connected = false
  failConnects = 0
  private onMsg: ((topic: string, payload: string) => void)[] = []
  private onClosed: (() => void)[] = []
  constructor(private readonly trace?: string[]) {}

  async connect(o: ConnectOptions) {
    this.connects.push(o)
    if (this.failConnects > 0) {
      this.failConnects--
      throw new Error('ECONNREFUSED')
    }
    this.connected = true
  }
  async publish(topic: string, payload: string, options: PublishOptions) {
    if (!this.connected) throw new Error('not connected')
    this.trace?.push(`publish ${topic.split('/').at(-1)}`)
    this.published.push({ topic, payload, options })
  }
  async subscribe(t: string[]) {
    this.subscribed.push(t)
  }
  onMessage(h: (topic: string, payload: string) => void) {
    this.onMsg.push(h)
  }
  onClose(h: () => void) {
    this.onClosed.push(h)
  }
  async end() {
    this.connected = false
  }
  deliver(topic: string, payload: unknown) {
    for (const h of this.onMsg) h(topic, typeof payload === 'string' ? payload : JSON.stringify(payload))
  }
  drop() {
    this.connected = false
    for (const h of this.onClosed) h()
  }
  on(channel: 'rating' | 'event' | 'status') {
    return this.published.filter((p) => p.topic === topics[channel](ID)).map((p) => JSON.parse(p.payload))
  }
  ratings(): Rating[] {
    return this.on('rating').map((r) => Rating.parse(r))
  }
  events(): PadEvent[] {
    return this.on('event').map((e) => PadEvent.parse(e))
  }
}

class Rig {
  clock = new ManualClock(T0)
  disk = new MemoryDisk()
  trace: string[] = []
  transport = new FakeTransport(this.trace)
  screens: Screen[] = []
  voices: string[] = []
  storage!: PadStorage
  pad!: PadRuntime
  private n = 0

  async boot(over: Partial<PadOptions> = {}, capacity?: number) {
    this.storage = openMemoryStorage(this.disk, { capacity })
    const put = this.storage.outbox.put.bind(this.storage.outbox)
    this.storage.outbox.put = async (e) => {
      await put(e)
      this.trace.push(`put ${e.channel}`)
    }
    this.pad = await PadRuntime.open({
      deviceId: ID,
      device: DEVICE,
      storage: this.storage,
      transport: this.transport,
      clock: this.clock,
      newId: () => `id-${this.disk.settings.connectCount}-${String(++this.n).padStart(5, '0')}`,
      display: { show: (s) => this.screens.push(s) },
      audio: {
        say: (_v, text) => {
          this.voices.push(text)
          this.trace.push(`say ${text}`)
        },
      },
      random: () => 0.5,
      resend: { initialMs: 1000, maxMs: 4000 },
      reconnect: { initialMs: 1000, maxMs: 8000 },
      ...over,
    })
    this.pad.start()
    await this.settle()
    return this
  }
  settle = async () => {
    for (let i = 0; i < 3; i++) {
      await this.pad.idle()
      await new Promise((r) => setImmediate(r))
    }
  }
  async advance(ms: number) {
    await this.clock.advance(ms, this.settle)
  }
  async deliver(channel: 'config' | 'command' | 'ack', payload: unknown) {
    this.transport.deliver(topics[channel](ID), payload)
    await this.settle()
  }
  async key(key: number | 'rate' | 'pause' | 'resume') {
    await this.pad.input({ type: 'key', key })
    await this.settle()
  }
  ack(ids: string[], rejected?: Ack['rejected']): Ack {
    return {
      v: 1,
      ids,
      ...(rejected ? { rejected } : {}),
      serverTime: new Date(this.clock.now()).toISOString(),
    }
  }
  async configured() {
    await this.deliver('config', makeConfig())
    return this
  }
}

describe('pad runtime', () => {
  let rig: Rig
  afterEach(async () => {
    await rig?.pad.stop()
  })

  describe('connection', () => {
    it('connects with a retained death as will, subscribes to its topics and publishes a birth', async () => {
      rig = await new Rig().boot()
      const [c] = rig.transport.connects
      expect(c.clientId).toBe(ID)
      expect(c.username).toBe(ID)
      expect(c.will).toMatchObject({ topic: topics.status(ID), qos: 1, retain: true })
      expect(Death.parse(JSON.parse(c.will.payload))).toEqual({ v: 1, state: 'offline', connectCount: 1 })
      expect(rig.disk.settings.connectCount).toBe(1)
      expect(rig.transport.subscribed).toEqual([[topics.ack(ID), topics.config(ID), topics.command(ID)]])
      const status = rig.transport.published.filter((p) => p.topic === topics.status(ID))
      expect(status).toHaveLength(1)
      expect(status[0].options).toEqual({ qos: 1, retain: true })
      expect(Birth.parse(JSON.parse(status[0].payload))).toMatchObject({
        connectCount: 1,
        padState: 'unconfigured',
        configVersion: null,
      })
      expect(rig.screens[0]).toMatchObject({ view: 'unconfigured', offline: true })
      expect(rig.screens.at(-1)!.offline).toBe(false)
    })

    it('uses the saved credentials', async () => {
      rig = new Rig()
      rig.disk.settings.credentials = { username: ID, password: 's3cret' }
      await rig.boot()
      expect(rig.transport.connects[0]).toMatchObject({ username: ID, password: 's3cret' })
    })

    it('reconnects with backoff, each connection with a new connectCount in will and birth', async () => {
      rig = await new Rig().boot()
      rig.transport.failConnects = 2
      rig.transport.drop()
      await rig.settle()
      expect(rig.pad.screen.offline).toBe(true)
      // Retries after ~1 s, 1 s, 2 s (jitter takes 3/4 with random 0.5): at 750, 1500 and 3000 ms.
      await rig.advance(700)
      expect(rig.transport.connects).toHaveLength(1)
      await rig.advance(100)
      expect(rig.transport.connects).toHaveLength(2) // fails
      await rig.advance(650)
      expect(rig.transport.connects).toHaveLength(2)
      await rig.advance(100)
      expect(rig.transport.connects).toHaveLength(3) // fails, and the wait doubles
      await rig.advance(1400)
      expect(rig.transport.connects).toHaveLength(3)
      await rig.advance(100)
      expect(rig.transport.connects).toHaveLength(4)
      const counts = rig.transport.connects.map((c) => JSON.parse(c.will.payload).connectCount)
      expect(counts).toEqual([1, 2, 3, 4])
      expect(rig.transport.on('status').map((b) => b.connectCount)).toEqual([1, 4])
      expect(rig.disk.settings.connectCount).toBe(4)
      expect(rig.pad.screen.offline).toBe(false)
    })

    it('publishes the death itself on an orderly stop', async () => {
      rig = await new Rig().boot()
      await rig.pad.stop()
      const last = rig.transport.published.at(-1)!
      expect(last.topic).toBe(topics.status(ID))
      expect(JSON.parse(last.payload)).toEqual({ v: 1, state: 'offline', connectCount: 1 })
      expect(rig.transport.connected).toBe(false)
    })
  })

  describe('incoming messages', () => {
    it('applies a valid config and publishes a new birth with its version', async () => {
      rig = await (await new Rig().boot()).configured()
      expect(rig.pad.screen).toMatchObject({ view: 'idle', staff: { name: '张三' } })
      expect(rig.transport.on('status').at(-1)).toMatchObject({ configVersion: 1, padState: 'idle' })
      expect(rig.disk.settings.config?.version).toBe(1)
    })

    it('ignores invalid configs, commands and acks, non-JSON, and other pads’ topics', async () => {
      rig = await new Rig().boot()
      await rig.deliver('config', { ...makeConfig(), scale: 7 })
      await rig.deliver('config', { ...makeConfig(), v: 2 })
      await rig.deliver('config', '{not json')
      await rig.deliver('config', '')
      await rig.deliver('command', { v: 1, id: 'cmd-x0000001', issuedAt: 'yesterday', type: 'pause' })
      await rig.deliver('ack', { v: 1, ids: 'all' })
      rig.transport.deliver(topics.config('other-pad'), makeConfig())
      await rig.settle()
      expect(rig.pad.screen.view).toBe('unconfigured')
      expect(rig.transport.on('event')).toEqual([])
    })
  })

  describe('ratings', () => {
    it('stores the rating before it is published and before 谢谢 is said', async () => {
      rig = await (await new Rig().boot()).configured()
      await rig.deliver('command', prompt('tx-1'))
      expect(rig.voices).toEqual(['您好，请您对我的工作给予评价'])
      rig.trace.length = 0
      await rig.key(1)
      expect(rig.trace).toEqual(['put rating', 'publish rating', 'say 谢谢'])
      const [r] = rig.transport.ratings()
      expect(r).toMatchObject({ seq: 1, key: 1, level: 5, replayed: false, transaction: { id: 'tx-1' } })
      expect(rig.transport.published.find((p) => p.topic === topics.rating(ID))!.options).toEqual({
        qos: 1,
        retain: false,
      })
      expect(rig.disk.settings.seq).toBe(1)
      expect(await rig.storage.outbox.size()).toBe(1)
    })

    it('removes from the outbox on ack only, rejected ones included', async () => {
      rig = await (await new Rig().boot()).configured()
      await rig.key(1) // pressNoPrompt event
      await rig.deliver('command', prompt('tx-1'))
      await rig.key(2)
      const [r] = rig.transport.ratings()
      const [e] = rig.transport.events()
      expect(await rig.storage.outbox.size()).toBe(2)
      await rig.deliver('ack', rig.ack([r.id]))
      expect((await rig.storage.outbox.list()).map((x) => x.id)).toEqual([e.id])
      await rig.deliver('ack', rig.ack([], [{ id: e.id, reason: 'duplicate' }]))
      expect(await rig.storage.outbox.size()).toBe(0)
      expect(rig.pad.coreState.outbox.depth).toBe(0)
    })

    it('times a prompt out by itself (unrated) and counts down on screen', async () => {
      rig = await (await new Rig().boot()).configured()
      await rig.deliver('command', prompt('tx-1'))
      await rig.advance(3 * S)
      expect(rig.pad.screen.countdown).toBe(7)
      expect(rig.screens.map((s) => s.countdown).filter((c) => c !== null)).toEqual([10, 9, 8, 7])
      await rig.advance(7 * S)
      expect(rig.transport.events()).toMatchObject([{ type: 'unrated', transaction: { id: 'tx-1' } }])
      expect(rig.pad.screen.view).toBe('idle')
      expect(rig.clock.pending).toBe(1) // only the resend timer: an idle pad needs no tick
    })

    it('keeps ratings made offline and sends them on connect, not marked replayed', async () => {
      rig = await (await new Rig().boot()).configured()
      rig.transport.failConnects = 100
      rig.transport.drop()
      await rig.settle()
      await rig.deliver('command', prompt('tx-1')) // not delivered while offline in reality, but the queue system may be local
      await rig.key(1)
      expect(rig.voices.at(-1)).toBe('谢谢')
      expect(rig.transport.ratings()).toEqual([])
      expect(rig.pad.screen.offline).toBe(true)
      rig.transport.failConnects = 0
      await rig.advance(2 * S)
      expect(rig.transport.ratings()[0]).toMatchObject({ transaction: { id: 'tx-1' }, replayed: false })
    })

    it('resends unacked entries as replayed, backing off while no ack comes', async () => {
      rig = await (await new Rig().boot()).configured()
      await rig.deliver('command', prompt('tx-1'))
      await rig.key(1)
      const sentAt = () => rig.transport.published.filter((p) => p.topic === topics.rating(ID)).length
      expect(sentAt()).toBe(1)
      await rig.advance(1 * S)
      expect(sentAt()).toBe(2)
      expect(rig.transport.ratings()[1].replayed).toBe(true)
      await rig.advance(1 * S)
      expect(sentAt()).toBe(2)
      await rig.advance(1 * S) // 2 s after the first resend
      expect(sentAt()).toBe(3)
      await rig.advance(4 * S)
      expect(sentAt()).toBe(4)
      await rig.advance(4 * S) // capped at 4 s
      expect(sentAt()).toBe(5)
      await rig.deliver('ack', rig.ack([rig.transport.ratings()[0].id]))
      await rig.advance(20 * S)
      expect(sentAt()).toBe(5)
    })

    it('sends again, replayed, what a previous boot left in the outbox', async () => {
      rig = await (await new Rig().boot()).configured()
      await rig.deliver('command', prompt('tx-1'))
      await rig.key(1)
      rig.pad.halt()
      rig.transport.drop()
      // Reboot over the same disk.
      rig.transport = new FakeTransport(rig.trace)
      await rig.boot()
      expect(rig.transport.ratings()).toMatchObject([{ seq: 1, replayed: true }])
      expect(rig.pad.screen.view).toBe('idle') // config and staff came back from settings
      await rig.deliver('command', prompt('tx-2'))
      await rig.key(1)
      expect(rig.transport.ratings().map((r) => r.seq)).toEqual([1, 2])
      expect(JSON.parse(rig.transport.connects[0].will.payload).connectCount).toBe(2)
    })

    it('answers a replay command with the ratings from that seq', async () => {
      rig = await (await new Rig().boot()).configured()
      for (let i = 1; i <= 3; i++) {
        await rig.deliver('command', prompt(`tx-${i}`))
        await rig.key(1)
      }
      await rig.key(1) // a secondPress event, not replayed
      const before = rig.transport.published.length
      await rig.deliver('command', {
        v: 1,
        id: 'cmd-replay01',
        issuedAt: '2025-03-03T01:00:00Z',
        type: 'replay',
        fromSeq: 2,
      })
      const again = rig.transport.published.slice(before).map((p) => JSON.parse(p.payload))
      expect(again.map((m) => [m.seq, m.replayed])).toEqual([
        [2, true],
        [3, true],
      ])
    })

    it('says no 谢谢 when the rating could not be stored, and still publishes it', async () => {
      rig = await (await new Rig().boot()).configured()
      rig.storage.outbox.put = async () => {
        throw new Error('ENOSPC')
      }
      await rig.deliver('command', prompt('tx-1'))
      await rig.key(1)
      expect(rig.voices).not.toContain('谢谢')
      expect(rig.pad.screen.view).toBe('idle')
      expect(rig.screens.some((s) => s.view === 'thanks')).toBe(false)
      expect(rig.transport.ratings()).toHaveLength(1)
      expect(rig.transport.events()).toMatchObject([{ type: 'error', code: 'storeFailed' }])
    })

    it('reports a full outbox and refuses prompts until acks make room', async () => {
      rig = await (await new Rig().boot({}, 3)).configured()
      await rig.key(1)
      await rig.key(1)
      expect(rig.pad.screen.outboxFull).toBe(true)
      expect(rig.transport.events().map((e) => e.type)).toEqual([
        'pressNoPrompt',
        'pressNoPrompt',
        'outboxFull',
      ])
      await rig.deliver('command', prompt('tx-1'))
      expect(rig.pad.screen.view).toBe('idle')
      await rig.deliver('ack', rig.ack(rig.transport.events().map((e) => e.id)))
      expect(rig.pad.screen.outboxFull).toBe(false)
      await rig.deliver('command', prompt('tx-2'))
      expect(rig.pad.screen.view).toBe('prompting')
    })
  })

  it('corrects its clock on a timeSync command', async () => {
    rig = await (await new Rig().boot()).configured()
    const serverTime = new Date(T0 + 60 * S).toISOString()
    await rig.deliver('command', {
      v: 1,
      id: 'cmd-sync0001',
      issuedAt: serverTime,
      type: 'timeSync',
      serverTime,
    })
    expect(rig.clock.now()).toBe(T0 + 60 * S)
  })
})
