// One simulated pad: the real PadRuntime (device core and runtime, never a copy) over sim adapters —
// a MemoryDisk (or a file directory) that survives reboots, the shared clock seen through the pad's
// own skew, and the real MQTT transport with fault switches. It keeps what a test needs to check the
// database afterwards: the ids of the ratings the citizen saw accepted (谢谢), and counters.
import { join } from 'node:path'
import { SCHEMA_VERSION, type Command, type Transaction } from '../protocol/index.ts'
import { randomId } from '../device/adapters/ids.ts'
import { MemoryDisk, openMemoryStorage } from '../device/adapters/sim/memory-outbox.ts'
import { openFileStorage } from '../device/adapters/node/file-outbox.ts'
import { PadRuntime, type Backoff, type PadLog } from '../device/pad.ts'
import type { Screen } from '../device/core/index.ts'
import type { KeypadInput, PadStorage } from '../device/ports/index.ts'
import type { PadClock, SimClock } from './clock.ts'
import type { StaffProfile } from './profiles.ts'
import type { Random } from './random.ts'
import { SimTransport, type TransportCounters } from './transport.ts'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

export const SIM_DEVICE = {
  firmware: 'rp-sim-1.0',
  model: 'rp-sim',
  capabilities: { keys: [2, 3, 4, 5] as (2 | 3 | 4 | 5)[], display: true, voice: true, reasons: true },
}

export interface PadSpec {
  index: number
  id: string
  secret: string
  hallId: string
  windowId: string
  staffNo: string
  staffName: string
  profile: StaffProfile
}

export interface PadEnv {
  broker: string
  clock: SimClock
  /** Per-pad random source for reconnect jitter and duplicate faults (not the citizens'). */
  random: Random
  transportCounters: TransportCounters
  /** Memory (default) or a directory per pad under this folder (node file storage, fsynced). */
  dataDir?: string
  outboxCapacity?: number
  reconnect?: Partial<Backoff>
  resend?: Partial<Backoff> & { batch?: number }
  keepSentLog: boolean
  log?: PadLog
  /** Told of every input given to the pad, so simulated time waits for it to be carried out. */
  track?: (work: Promise<void>) => Promise<void>
}

export class SimPad {
  readonly disk = new MemoryDisk()
  readonly clock: PadClock
  transport!: SimTransport
  runtime!: PadRuntime
  private storage!: PadStorage
  /** Ids of ratings the citizen saw accepted (谢谢 shown: stored durably on the pad), in order. */
  readonly sentLog: string[] | null
  /** Sent and not yet acked. */
  readonly unacked = new Set<string>()
  ratingsSent = 0
  ratingsAcked = 0
  unratedEvents = 0
  prompts = 0
  boots = 0
  private duplicateShare = 0
  private powered = false

  constructor(
    readonly spec: PadSpec,
    private readonly env: PadEnv,
  ) {
    this.clock = env.clock.forPad()
    this.sentLog = env.keepSentLog ? [] : null
  }

  get id(): string {
    return this.spec.id
  }

  get on(): boolean {
    return this.powered
  }

  get online(): boolean {
    return this.powered && this.runtime.online
  }

  get screen(): Screen {
    return this.runtime.screen
  }

  /** Messages (ratings and events) waiting in the outbox for the server's ack. */
  get outboxDepth(): number {
    return this.runtime.coreState.outbox.depth
  }

  /** Power on: opens the storage (what survived), the runtime, and connects. */
  async boot(): Promise<void> {
    if (this.powered) return
    this.boots++
    const storage = this.env.dataDir
      ? await openFileStorage(join(this.env.dataDir, this.id), { capacity: this.env.outboxCapacity })
      : openMemoryStorage(this.disk, { capacity: this.env.outboxCapacity })
    await storage.settings.save({ credentials: { username: this.id, password: this.spec.secret } })
    this.storage = this.instrument(storage)
    this.transport = new SimTransport(
      this.env.broker,
      this.env.clock,
      this.env.random,
      this.env.transportCounters,
      {
        keepalive: 60,
        // Generous: a server verifying a reconnect storm of secrets answers late, and giving up early
        // only makes the storm worse.
        connectTimeout: 30_000,
      },
    )
    this.transport.duplicateShare = this.duplicateShare
    let runtime: PadRuntime | null = null
    runtime = await PadRuntime.open({
      deviceId: this.id,
      device: SIM_DEVICE,
      storage: this.storage,
      transport: this.transport,
      clock: this.clock,
      newId: () => randomId(this.clock.now()),
      display: { show: (screen) => runtime && this.shown(runtime, screen) },
      random: this.env.random,
      reconnect: this.env.reconnect,
      resend: this.env.resend,
      log: this.env.log,
    })
    this.runtime = runtime
    this.powered = true
    runtime.start()
  }

  /** Power cut: the runtime stops dead, the TCP connection drops (the broker publishes the will). */
  async halt(): Promise<void> {
    if (!this.powered) return
    this.powered = false
    this.runtime.halt()
    this.transport.cut(0)
    if (this.env.dataDir) await this.storage.close().catch(() => {})
  }

  /** Power cut, then power on again after `offMs` of simulated time (0: at once). */
  async restart(offMs = 0): Promise<void> {
    await this.halt()
    if (offMs <= 0) return this.boot()
    await new Promise<void>((resolve) => this.env.clock.setTimeout(resolve, offMs))
    await this.boot()
  }

  /** Orderly stop: queued work done, death published, disconnected. */
  async stop(): Promise<void> {
    if (!this.powered) return
    this.powered = false
    await this.runtime.stop()
    await this.storage.close()
  }

  // ---------------------------------------------------------------- what people and systems do

  /** The queue system's prompt for a finished transaction: a command input, as if it came over MQTT. */
  prompt(transaction: Transaction): Promise<void> {
    if (!this.powered) return Promise.resolve()
    this.prompts++
    return this.command({ type: 'prompt', transaction })
  }

  /** Any command (prompt, cancel, pause, signIn …) given to the pad directly. */
  command(body: DistributiveOmit<Command, 'v' | 'id' | 'issuedAt'>): Promise<void> {
    if (!this.powered) return Promise.resolve()
    const command = {
      v: SCHEMA_VERSION,
      id: randomId(this.clock.now()),
      issuedAt: new Date(this.env.clock.now()).toISOString(),
      ...body,
    } as Command
    return this.tracked(this.runtime.command(command))
  }

  /** A key, the 请评价 key, pause/resume, sign-in or touch reasons, as pressed on the pad. */
  input(k: KeypadInput): Promise<void> {
    if (!this.powered) return Promise.resolve()
    if (k.type === 'key' && k.key === 'rate') this.prompts++
    return this.tracked(this.runtime.input(k))
  }

  private tracked(work: Promise<void>): Promise<void> {
    return this.env.track ? this.env.track(work) : work
  }

  press(key: number | 'rate' | 'pause' | 'resume'): Promise<void> {
    return this.input({ type: 'key', key })
  }

  // ---------------------------------------------------------------- fault switches

  /** Drops the connection; reconnecting fails for `ms` of simulated time. */
  dropConnection(ms: number): void {
    if (this.powered) this.transport.cut(ms)
  }

  /** Lets a dropped pad reconnect now (on its next attempt). */
  restoreConnection(): void {
    this.transport?.restore()
  }

  /** Shifts this pad's clock (a timeSync from the server may correct it). */
  skewClock(ms: number): void {
    this.clock.skewMs += ms
  }

  /** Share of ratings and events published twice (0 … 1). */
  setDuplicates(share: number): void {
    this.duplicateShare = share
    if (this.transport) this.transport.duplicateShare = share
  }

  // ---------------------------------------------------------------- bookkeeping

  private shown(runtime: PadRuntime, screen: Screen): void {
    if (screen.view !== 'thanks' || runtime !== this.runtime) return
    // 谢谢 is shown only once the rating is in the outbox: the citizen saw it accepted.
    const phase = runtime.coreState.phase
    if (phase.name !== 'thanks') return
    this.ratingsSent++
    this.unacked.add(phase.ratingId)
    this.sentLog?.push(phase.ratingId)
  }

  private instrument(storage: PadStorage): PadStorage {
    const outbox = storage.outbox
    const put = outbox.put.bind(outbox)
    const remove = outbox.remove.bind(outbox)
    outbox.put = async (entry) => {
      await put(entry)
      if (entry.channel === 'event' && entry.message.type === 'unrated') this.unratedEvents++
    }
    outbox.remove = async (ids) => {
      for (const id of ids) if (this.unacked.delete(id)) this.ratingsAcked++
      return remove(ids)
    }
    return storage
  }
}
