// The pad's ports: what the runtime needs from the platform (simulator, browser, Node box).
// Types only, plus the outbox error; adapters live in device/adapters/.
import type { PadEvent, Rating } from '../../protocol/index.ts'
import type { CoreSettings, Input, Screen, VoicePrompt } from '../core/index.ts'

// ---------------------------------------------------------------- clock

export interface Clock {
  /** Milliseconds since the epoch, by the pad clock. */
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  /** Optional: correct the pad clock by this many ms (from the server's time). */
  adjust?(deltaMs: number): void
}

// ---------------------------------------------------------------- storage

/**
 * A message waiting for the server's ack. `seq` orders the outbox: a rating's own seq, and for an
 * event the seq of the last rating before it (so ties keep put order).
 */
export type OutboxEntry =
  | { id: string; seq: number; channel: 'rating'; message: Rating }
  | { id: string; seq: number; channel: 'event'; message: PadEvent }

export class OutboxFullError extends Error {
  constructor(readonly capacity: number) {
    super(`outbox full (${capacity} entries)`)
    this.name = 'OutboxFullError'
  }
}

/**
 * Durable queue of unacked messages, in the spirit of MQTT.js's IStore.
 * Entries leave only by remove() (the server's ack), never by age or overflow.
 */
export interface Outbox {
  readonly capacity: number
  /**
   * Resolves once the entry survives a crash or power cut. Rejects with OutboxFullError at capacity.
   * Putting an id already present is a no-op (the first entry stays).
   */
  put(entry: OutboxEntry): Promise<void>
  /** Entries in seq order (ties in put order), optionally from a seq and at most `limit`. */
  list(options?: { fromSeq?: number; limit?: number }): Promise<OutboxEntry[]>
  /** Removes the ids present and returns how many were removed; unknown ids are ignored. */
  remove(ids: readonly string[]): Promise<number>
  size(): Promise<number>
  /** Highest seq ever put, also of removed entries where the store still knows it; 0 when empty. */
  maxSeq(): Promise<number>
  close(): Promise<void>
}

/** Settings that survive reboots: the core's (seq, config, staff, paused) and the runtime's. */
export interface PadSettings extends CoreSettings {
  /** Connections made so far; a birth and its will carry the same value. */
  connectCount: number
  credentials: { username: string; password: string } | null
}

export const DEFAULT_SETTINGS: PadSettings = {
  seq: 0,
  config: null,
  staff: null,
  paused: false,
  connectCount: 0,
  credentials: null,
}

export interface SettingsStore {
  load(): Promise<PadSettings>
  /** Merges the patch; resolves once it survives a crash. A seq is saved before it is used. */
  save(patch: Partial<PadSettings>): Promise<void>
}

export interface PadStorage {
  outbox: Outbox
  settings: SettingsStore
  close(): Promise<void>
}

// ---------------------------------------------------------------- transport (MQTT)

export interface PublishOptions {
  qos: 0 | 1
  retain: boolean
}

export interface ConnectOptions {
  clientId: string
  username?: string
  password?: string
  /** Last Will: the death, retained on the status topic. */
  will: { topic: string; payload: string; qos: 0 | 1; retain: boolean }
}

/**
 * One MQTT connection at a time. It does not reconnect by itself: the runtime does, because every
 * connection needs a new will (its connectCount).
 */
export interface Transport {
  /** Resolves when connected (CONNACK); rejects if the attempt failed. */
  connect(options: ConnectOptions): Promise<void>
  /** Resolves on PUBACK for QoS 1; rejects when the connection is lost first. */
  publish(topic: string, payload: string, options: PublishOptions): Promise<void>
  subscribe(topics: string[], qos: 0 | 1): Promise<void>
  /** Called for each incoming message; payload is UTF-8 text. */
  onMessage(handler: (topic: string, payload: string) => void): void
  /** Called once when a connection made by connect() is lost. */
  onClose(handler: () => void): void
  /** Graceful close: the will is not published. */
  end(): Promise<void>
}

// ---------------------------------------------------------------- people

export interface Display {
  show(screen: Screen): void
}

export interface Audio {
  say(voice: VoicePrompt, text: string): void
}

/** What the keypad (or touch screen) produces; the runtime adds `now`. */
export type KeypadInput = DistributiveOmit<
  Extract<Input, { type: 'key' | 'reasons' | 'staffSignIn' | 'staffSignOut' }>,
  'now'
>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

export interface Keys {
  /** Returns a function that stops listening. */
  listen(handler: (input: KeypadInput) => void): () => void
}
