// Types of the pad core: what goes in, what comes out, and the state in between.
// The core imports nothing but protocol types, so it runs unchanged in the simulator, a browser and a Node box.
import type {
  Ack,
  Birth,
  Command,
  Config,
  Level,
  Locale,
  PadEvent,
  PadState,
  Rating,
  RatingClass,
  Scale,
  Transaction,
} from '../../protocol/index.ts'

/** Everything the core cannot do purely: make ids, format times, describe the hardware. */
export interface CoreContext {
  /** A fresh MessageId ([A-Za-z0-9_-]{8,60}); never reused, also across reboots. */
  newId(): string
  /** Milliseconds since the epoch → ISO 8601 with offset; injected so the core never touches Date. */
  toIso(ms: number): string
  device: {
    firmware: string
    model: string
    capabilities: Birth['capabilities']
  }
}

/** The staff shown on the card (亮身份). A keypad sign-in knows only the 工号 until the server sends the card. */
export interface StaffOnPad {
  staffNo: string
  name: string | null
  photoUrl: string | null
  title: string | null
  stars: number | null
}

/** What the core asks the runtime to keep across reboots (durably, before acting on the step). */
export interface CoreSettings {
  /** Last rating seq used; the next rating gets seq + 1. */
  seq: number
  config: Config | null
  staff: StaffOnPad | null
  paused: boolean
}

/**
 * Keys a staff member uses: 'rate' is the 请评价 key (starts a prompt with no transaction from the
 * queue system), 'pause' / 'resume' are 暂停服务 and back.
 */
export type StaffKey = 'rate' | 'pause' | 'resume'

/** Every input carries `now` (ms epoch from the injected clock), so the core never reads a clock. */
export type Input =
  | { type: 'key'; key: number | StaffKey; now: number }
  /** Reasons picked on a touch screen (a keyed pad picks one reason with a key instead). */
  | { type: 'reasons'; codes: string[]; now: number }
  | { type: 'staffSignIn'; staffNo: string; now: number }
  | { type: 'staffSignOut'; now: number }
  | { type: 'command'; command: Command; now: number }
  | { type: 'config'; config: Config; now: number }
  /** connectCount is the value the runtime persisted and put in this connection's will. */
  | { type: 'connection'; up: true; connectCount: number; now: number }
  | { type: 'connection'; up: false; now: number }
  | { type: 'tick'; now: number }
  | { type: 'ack'; ack: Ack; now: number }
  /** The outbox depth after the runtime removed acked entries (authoritative). */
  | { type: 'outbox'; depth: number; now: number }
  /** The runtime could not store a message the core sent (disk error, full outbox). */
  | { type: 'storeFailed'; id: string; error: string; now: number }

export type VoicePrompt = 'prompt' | 'thanks' | 'reasons'

export interface ScreenKey {
  key: number
  label: string
  level: Level
  class: RatingClass
}

/** A description of the screen; the Display port draws it however the hardware can. */
export interface Screen {
  view: PadState
  /** Badge: not connected to the server (ratings are kept in the outbox meanwhile). */
  offline: boolean
  /** Badge: the outbox cannot take more ratings; prompts are refused until the server acks. */
  outboxFull: boolean
  locale: Locale
  hall: string | null
  window: string | null
  staff: StaffOnPad | null
  /** Rating keys, best first, as configured; empty while unconfigured. */
  keys: ScreenKey[]
  /** Whole seconds left to press (prompting) or to pick a reason (reasons); null otherwise. */
  countdown: number | null
  /** The 差评 reasons offered; `key` is the pad key that picks it, null when only touch can. */
  reasons: { key: number | null; code: string; label: string }[] | null
  /** What the citizen is rating, when the queue system said. */
  transaction: { ticket: string | null; serviceName: string | null } | null
}

/**
 * What the runtime must do, in the order given. `persist` comes first and `send` with store=true
 * must be durable before the outputs after it run: the pad says 谢谢 only once the rating is on disk.
 */
export type Output =
  | { type: 'persist'; settings: Partial<CoreSettings> }
  | { type: 'send'; channel: 'rating'; message: Rating; seq: number; store: true }
  /** store=false: the outbox has no room, publish if online and forget. */
  | { type: 'send'; channel: 'event'; message: PadEvent; seq: number; store: boolean }
  | { type: 'screen'; screen: Screen }
  | { type: 'voice'; voice: VoicePrompt; text: string }
  /** Publish as the retained birth on the status topic. */
  | { type: 'status'; birth: Birth }
  /** Remove these ids from the outbox (acked or rejected by the server), then report the depth. */
  | { type: 'outboxRemove'; ids: string[] }
  /** Send again every rating still in the outbox with seq ≥ fromSeq, replayed=true. */
  | { type: 'replay'; fromSeq: number }
  /** The server told the time; a runtime with an adjustable clock may correct itself. */
  | { type: 'timeSync'; serverTime: string }

export interface StepResult {
  state: PadCoreState
  outputs: Output[]
}

export type PromptOrigin = 'command' | 'rateKey'

export interface OpenPrompt {
  transaction: Transaction
  origin: PromptOrigin
  promptedAt: number
  /** End of the prompt window: only the first press before it counts. */
  deadline: number
}

/** A 差评 pressed while the reasons question is open; it becomes a rating when reasons are picked. */
export interface PendingPress {
  ratingId: string
  scale: Scale
  key: number
  level: Level
  pressedAt: number
  staffNo: string | null
  configVersion: number
}

export type Phase =
  | { name: 'rest' }
  | { name: 'prompting'; prompt: OpenPrompt }
  | { name: 'reasons'; prompt: OpenPrompt; press: PendingPress; until: number }
  | { name: 'thanks'; until: number; ratingId: string }

export interface PadCoreState {
  now: number
  config: Config | null
  staff: StaffOnPad | null
  paused: boolean
  online: boolean
  /** Of the current connection; null before the first. */
  connectCount: number | null
  seq: number
  outbox: { depth: number; capacity: number; fullReported: boolean }
  phase: Phase
  /** The last rating taken: presses before `until` (the end of its prompt window) are second presses. */
  lastRating: { id: string; transactionId: string; until: number } | null
  /** Ids of recent commands, because QoS 1 may deliver one twice. */
  recentCommands: string[]
  /** What the last published birth said, so a new one goes out only when it would differ. */
  lastStatus: string | null
}
