// The pad runtime: wires the pure core to the ports. One instance per pad; the simulator runs
// thousands in one process, a tablet page or a Node box runs one.
//
// Inputs are processed one at a time, in arrival order, each stamped with the clock when it came
// in. Outputs are carried out in the order the core gives them: settings saved, then messages put
// in the outbox (durable), and only then the screen and voice, so 谢谢 is never said for a rating
// that a power cut could lose. Messages go out at QoS 1 and leave the outbox only on the server's ack.
import { Ack, Command, Config, parseTopic, SCHEMA_VERSION, topics, type Death } from '../protocol/index.ts'
import {
  createCore,
  nextWake,
  screenOf,
  type CoreContext,
  type Input,
  type Output,
  type PadCore,
  type PadCoreState,
  type Screen,
} from './core/index.ts'
import type {
  Audio,
  Clock,
  Display,
  KeypadInput,
  Keys,
  OutboxEntry,
  PadSettings,
  PadStorage,
  Transport,
} from './ports/index.ts'

export interface Backoff {
  initialMs: number
  maxMs: number
}

export type PadLog = (level: 'info' | 'warn' | 'error', message: string, detail?: unknown) => void

export interface PadOptions {
  /** Also the MQTT client id and, without credentials, the username. */
  deviceId: string
  device: CoreContext['device']
  storage: PadStorage
  transport: Transport
  clock: Clock
  /** Fresh message ids; see device/adapters/ids.ts. Never reused, also across reboots. */
  newId: () => string
  /** Defaults to Date#toISOString. */
  toIso?: (ms: number) => string
  display?: Display
  audio?: Audio
  keys?: Keys
  /** Between connection attempts: doubling with jitter up to maxMs. Default 1 s … 60 s. */
  reconnect?: Partial<Backoff>
  /**
   * How long to wait for an ack before sending an entry again: doubling while no ack comes, back to
   * initialMs once one does. Default 10 s … 5 min. `batch` entries are sent per round of PUBACKs.
   */
  resend?: Partial<Backoff> & { batch?: number }
  /** For reconnect jitter, so a hall's pads do not all reconnect in the same millisecond. */
  random?: () => number
  log?: PadLog
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
type InputBody = DistributiveOmit<Input, 'now'>

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e))

export class PadRuntime {
  readonly deviceId: string
  private readonly core: PadCore
  private state: PadCoreState
  private readonly clock: Clock
  private readonly storage: PadStorage
  private readonly transport: Transport
  private readonly log: PadLog
  private readonly random: () => number
  private readonly reconnect: Backoff
  private readonly resend: Backoff & { batch: number }

  private queue: Promise<void> = Promise.resolve()
  private sending: Promise<void> = Promise.resolve()
  private connected = false
  private stopped = false
  private halted = false
  private connectCount: number
  private readonly credentials: PadSettings['credentials']

  private wakeTimer: unknown = null
  private wakeAt: number | null = null
  private resendTimer: unknown = null
  private resendDelay: number
  private ackedSinceResend = false
  /** Put during this boot and not published yet: the first send of these is not a replay. */
  private readonly fresh = new Set<string>()
  /** When each outbox entry was last published, to resend only those that waited long enough. */
  private readonly lastSent = new Map<string, number>()
  private connectionClosed: (() => void) | null = null
  private sleeping: { timer: unknown; wake: () => void } | null = null
  private loop: Promise<void> | null = null
  private unlistenKeys: (() => void) | null = null

  private constructor(
    private readonly options: PadOptions,
    settings: PadSettings,
    outboxDepth: number,
  ) {
    this.deviceId = options.deviceId
    this.clock = options.clock
    this.storage = options.storage
    this.transport = options.transport
    this.log = options.log ?? (() => {})
    this.random = options.random ?? Math.random
    this.reconnect = { initialMs: 1000, maxMs: 60_000, ...options.reconnect }
    this.resend = { initialMs: 10_000, maxMs: 300_000, batch: 100, ...options.resend }
    this.resendDelay = this.resend.initialMs
    this.connectCount = settings.connectCount
    this.credentials = settings.credentials
    this.core = createCore({
      newId: options.newId,
      toIso: options.toIso ?? ((ms) => new Date(ms).toISOString()),
      device: options.device,
    })
    this.state = this.core.init({
      now: this.clock.now(),
      settings,
      outboxDepth,
      outboxCapacity: this.storage.outbox.capacity,
    })
    this.transport.onMessage((topic, payload) => this.onMessage(topic, payload))
    this.transport.onClose(() => this.connectionClosed?.())
  }

  /** Loads settings and the outbox; call start() to show the screen and connect. */
  static async open(options: PadOptions): Promise<PadRuntime> {
    const settings = await options.storage.settings.load()
    const depth = await options.storage.outbox.size()
    // The seq is saved before each use; the outbox is a second witness should settings be lost.
    const seq = Math.max(settings.seq, await options.storage.outbox.maxSeq())
    return new PadRuntime(options, { ...settings, seq }, depth)
  }

  start(): void {
    if (this.loop || this.stopped) return
    this.options.display?.show(screenOf(this.state))
    this.unlistenKeys = this.options.keys?.listen((k) => void this.input(k)) ?? null
    this.loop = this.connectLoop()
  }

  /** A key, touch or staff sign-in/out, for pads that do not use the Keys port. */
  input(k: KeypadInput): Promise<void> {
    return this.feed(k)
  }

  /** A command handed over locally instead of over MQTT (a queue system wired to the pad, the simulator). */
  command(command: Command): Promise<void> {
    return this.feed({ type: 'command', command })
  }

  get coreState(): PadCoreState {
    return this.state
  }

  get screen(): Screen {
    return screenOf(this.state)
  }

  get online(): boolean {
    return this.connected
  }

  /** Resolves once every queued input and send has been carried out (tests, simulator). */
  async idle(): Promise<void> {
    for (;;) {
      const q = this.queue
      const s = this.sending
      await q
      await s
      if (q === this.queue && s === this.sending) return
    }
  }

  /** Orderly shutdown: finish queued work, publish the death, disconnect. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.unlistenKeys?.()
    this.clearTimers()
    await this.idle()
    if (this.connected) {
      const death: Death = { v: SCHEMA_VERSION, state: 'offline', connectCount: this.connectCount }
      await this.transport
        .publish(topics.status(this.deviceId), JSON.stringify(death), { qos: 1, retain: true })
        .catch((e) => this.log('warn', 'death not published', e))
    }
    await this.transport.end().catch((e) => this.log('warn', 'disconnect failed', e))
    this.connected = false
    this.connectionClosed?.()
    await this.loop
  }

  /** A power cut: everything stops now, nothing is said to the broker (which then publishes the will). */
  halt(): void {
    this.stopped = true
    this.halted = true
    this.connected = false
    this.unlistenKeys?.()
    this.clearTimers()
  }

  // ---------------------------------------------------------------- inputs

  private feed(body: InputBody | KeypadInput): Promise<void> {
    if (this.stopped) return Promise.resolve()
    const input = { ...body, now: this.clock.now() } as Input
    this.queue = this.queue
      .then(() => this.process(input))
      .catch((e) => this.log('error', `input ${input.type} failed`, e))
    return this.queue
  }

  private async process(input: Input): Promise<void> {
    if (this.halted) return
    const { state, outputs } = this.core.step(this.state, input)
    this.state = state
    await this.perform(outputs)
    this.scheduleWake()
  }

  private onMessage(topic: string, payload: string): void {
    const t = parseTopic(topic)
    if (!t || t.deviceId !== this.deviceId || payload === '') return // '' clears a retained message
    let json: unknown
    try {
      json = JSON.parse(payload)
    } catch {
      this.log('warn', `not JSON on ${topic}`)
      return
    }
    // Anything that does not match protocol v1 is ignored: a pad must not act on a half-understood order.
    if (t.channel === 'config') {
      const r = Config.safeParse(json)
      if (r.success) void this.feed({ type: 'config', config: r.data })
      else this.log('warn', 'invalid config ignored', r.error.issues)
    } else if (t.channel === 'command') {
      const r = Command.safeParse(json)
      if (r.success) void this.feed({ type: 'command', command: r.data })
      else this.log('warn', 'invalid command ignored', r.error.issues)
    } else if (t.channel === 'ack') {
      const r = Ack.safeParse(json)
      if (r.success) void this.feed({ type: 'ack', ack: r.data })
      else this.log('warn', 'invalid ack ignored', r.error.issues)
    }
  }

  // ---------------------------------------------------------------- outputs

  private async perform(outputs: Output[]): Promise<void> {
    let persistError: unknown = null
    let ratingNotStored = false
    const failed: { id: string; error: string }[] = []
    for (const o of outputs) {
      switch (o.type) {
        case 'persist':
          try {
            await this.storage.settings.save(o.settings)
          } catch (e) {
            persistError = e
            this.log('error', 'settings not saved', e)
          }
          break
        case 'send': {
          const entry = {
            id: o.message.id,
            seq: o.seq,
            channel: o.channel,
            message: o.message,
          } as OutboxEntry
          if (o.store) {
            try {
              // A seq that could not be saved might be used again after a reboot: do not keep the rating.
              if (persistError) throw persistError
              await this.storage.outbox.put(entry)
              this.fresh.add(entry.id)
            } catch (e) {
              failed.push({ id: entry.id, error: errorText(e) })
              if (o.channel === 'rating') ratingNotStored = true
              this.log('error', `${o.channel} ${entry.id} not stored`, e)
            }
          }
          // Published even when not stored: better the server has it once than not at all.
          void this.publishEntry(entry, false, o.store && !failed.some((f) => f.id === entry.id))
          break
        }
        case 'screen':
          if (!ratingNotStored) this.options.display?.show(o.screen)
          break
        case 'voice':
          if (!ratingNotStored) this.options.audio?.say(o.voice, o.text)
          break
        case 'status':
          if (this.connected)
            this.transport
              .publish(topics.status(this.deviceId), JSON.stringify(o.birth), { qos: 1, retain: true })
              .catch((e) => this.log('warn', 'birth not published', e))
          break
        case 'outboxRemove': {
          const removed = await this.storage.outbox.remove(o.ids)
          for (const id of o.ids) {
            this.fresh.delete(id)
            this.lastSent.delete(id)
          }
          if (removed > 0) {
            this.ackedSinceResend = true
            // Inline, not queued: inputs queued meanwhile may put entries the core has already counted.
            await this.process({
              type: 'outbox',
              depth: await this.storage.outbox.size(),
              now: this.clock.now(),
            })
          }
          break
        }
        case 'replay':
          this.send(async () => {
            const entries = await this.storage.outbox.list({ fromSeq: o.fromSeq })
            await this.sendBatches(
              entries.filter((e) => e.channel === 'rating'),
              () => true,
            )
          })
          break
        case 'timeSync': {
          const serverTime = Date.parse(o.serverTime)
          const delta = serverTime - this.clock.now()
          if (Number.isFinite(delta) && Math.abs(delta) > 2000 && this.clock.adjust) {
            this.log('info', `clock adjusted by ${delta} ms`)
            this.clock.adjust(delta)
          }
          break
        }
      }
    }
    for (const f of failed) await this.process({ type: 'storeFailed', ...f, now: this.clock.now() })
  }

  private publishEntry(entry: OutboxEntry, replayed: boolean, tracked = true): Promise<void> {
    if (!this.connected) return Promise.resolve()
    const message =
      replayed && entry.channel === 'rating' ? { ...entry.message, replayed: true } : entry.message
    const topic = entry.channel === 'rating' ? topics.rating(this.deviceId) : topics.event(this.deviceId)
    if (tracked) {
      this.fresh.delete(entry.id)
      this.lastSent.set(entry.id, this.clock.now())
      this.armResend()
    }
    return this.transport
      .publish(topic, JSON.stringify(message), { qos: 1, retain: false })
      .catch((e) => this.log('warn', `publish of ${entry.id} failed`, e))
  }

  /** Resends run one at a time, so a reconnect flush, a replay and a timer resend do not interleave. */
  private send(work: () => Promise<void>): void {
    this.sending = this.sending.then(work).catch((e) => this.log('error', 'resend failed', e))
  }

  /** A batch at a time, waiting for its PUBACKs, so 50,000 waiting entries do not flood the link. */
  private async sendBatches(entries: OutboxEntry[], replayed: (e: OutboxEntry) => boolean): Promise<void> {
    for (let i = 0; i < entries.length; i += this.resend.batch) {
      if (!this.connected || this.halted) return
      await Promise.all(entries.slice(i, i + this.resend.batch).map((e) => this.publishEntry(e, replayed(e))))
    }
  }

  private armResend(): void {
    if (this.resendTimer !== null || !this.connected || this.stopped) return
    const waited = this.resendDelay
    this.resendTimer = this.clock.setTimeout(() => {
      this.resendTimer = null
      this.send(() => this.resendUnacked(waited))
    }, waited)
  }

  /** Sends again what waited `waited` ms without an ack; backs off while the server stays silent. */
  private async resendUnacked(waited: number): Promise<void> {
    if (!this.connected || this.stopped) return
    const entries = await this.storage.outbox.list()
    if (entries.length === 0) {
      this.resendDelay = this.resend.initialMs
      return
    }
    this.resendDelay = this.ackedSinceResend
      ? this.resend.initialMs
      : Math.min(this.resendDelay * 2, this.resend.maxMs)
    this.ackedSinceResend = false
    const now = this.clock.now()
    const due = entries.filter((e) => now - (this.lastSent.get(e.id) ?? -Infinity) >= waited)
    await this.sendBatches(due, () => true)
    this.armResend()
  }

  private scheduleWake(): void {
    const at = nextWake(this.state)
    if (at === this.wakeAt || this.stopped) return
    if (this.wakeTimer !== null) this.clock.clearTimeout(this.wakeTimer)
    this.wakeTimer = null
    this.wakeAt = at
    if (at === null) return
    this.wakeTimer = this.clock.setTimeout(
      () => {
        this.wakeTimer = null
        this.wakeAt = null
        void this.feed({ type: 'tick' })
      },
      Math.max(0, at - this.clock.now()),
    )
  }

  private clearTimers(): void {
    if (this.wakeTimer !== null) this.clock.clearTimeout(this.wakeTimer)
    if (this.resendTimer !== null) this.clock.clearTimeout(this.resendTimer)
    this.wakeTimer = this.resendTimer = null
    this.wakeAt = null
    if (this.sleeping) {
      this.clock.clearTimeout(this.sleeping.timer)
      this.sleeping.wake()
      this.sleeping = null
    }
  }

  // ---------------------------------------------------------------- connection

  private async connectLoop(): Promise<void> {
    let delay = this.reconnect.initialMs
    while (!this.stopped) {
      // Saved before connecting: the will names this count, and no later birth may reuse it.
      const connectCount = this.connectCount + 1
      try {
        await this.storage.settings.save({ connectCount })
      } catch (e) {
        this.log('error', 'connectCount not saved; not connecting', e)
        await this.sleep(delay)
        continue
      }
      this.connectCount = connectCount
      const closed = new Promise<void>((resolve) => (this.connectionClosed = resolve))
      const death: Death = { v: SCHEMA_VERSION, state: 'offline', connectCount }
      try {
        await this.transport.connect({
          clientId: this.deviceId,
          username: this.credentials?.username ?? this.deviceId,
          password: this.credentials?.password,
          will: { topic: topics.status(this.deviceId), payload: JSON.stringify(death), qos: 1, retain: true },
        })
        if (this.stopped) {
          await this.transport.end().catch(() => {})
          break
        }
        await this.transport.subscribe(
          [topics.ack(this.deviceId), topics.config(this.deviceId), topics.command(this.deviceId)],
          1,
        )
      } catch (e) {
        this.connectionClosed = null
        if (this.stopped) break
        this.log('warn', `connect failed, again in about ${delay} ms`, e)
        await this.transport.end().catch(() => {})
        await this.sleep(this.jitter(delay))
        delay = Math.min(delay * 2, this.reconnect.maxMs)
        continue
      }
      delay = this.reconnect.initialMs
      this.connected = true
      this.resendDelay = this.resend.initialMs
      this.log('info', `connected (#${connectCount})`)
      await this.feed({ type: 'connection', up: true, connectCount })
      // Everything waiting goes out again; entries put while offline were never sent, so not replayed.
      this.send(async () => {
        const entries = await this.storage.outbox.list()
        await this.sendBatches(entries, (e) => !this.fresh.has(e.id))
      })
      await closed
      this.connectionClosed = null
      if (this.halted) return
      this.connected = false
      if (this.resendTimer !== null) this.clock.clearTimeout(this.resendTimer)
      this.resendTimer = null
      if (this.stopped) break
      this.log('warn', 'connection lost')
      await this.feed({ type: 'connection', up: false })
      await this.sleep(this.jitter(delay))
    }
  }

  private jitter(ms: number): number {
    return Math.round(ms / 2 + (this.random() * ms) / 2)
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve()
    return new Promise((resolve) => {
      const wake = () => {
        this.sleeping = null
        resolve()
      }
      this.sleeping = { timer: this.clock.setTimeout(wake, ms), wake }
    })
  }
}
