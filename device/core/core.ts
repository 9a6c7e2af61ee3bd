// The pad firmware core: pure transitions step(state, input) → { state, outputs }.
// No clock, no storage, no network here: time comes in with every input, ids from the injected
// context, and everything with an effect leaves as an output for the runtime to carry out.
import {
  classOf,
  defaultKeyLabels,
  levelForKey,
  SCHEMA_VERSION,
  type Birth,
  type Command,
  type Config,
  type PadEvent,
  type PadState,
  type Rating,
  type StaffCard,
  type Transaction,
} from '../../protocol/index.ts'
import { VOICE } from './texts.ts'
import type {
  CoreContext,
  CoreSettings,
  Input,
  OpenPrompt,
  Output,
  PadCoreState,
  PendingPress,
  PromptOrigin,
  Screen,
  StaffOnPad,
  StepResult,
  VoicePrompt,
} from './types.ts'

export const DEFAULT_OUTBOX_CAPACITY = 50_000
/** Used only where a config could be missing; a config always carries its own timeouts. */
export const DEFAULT_TIMEOUTS = { promptSeconds: 10, reasonSeconds: 20, thanksSeconds: 3 } as const
/** Prefix of the transaction id made for a prompt from the staff 请评价 key, so the server can tell. */
export const LOCAL_TRANSACTION_PREFIX = 'pad-'
const RECENT_COMMANDS = 32

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
type EventBody = DistributiveOmit<PadEvent, 'v' | 'id' | 'at'>

/** Collects the outputs of one step; settings to persist are merged into one write. */
interface Acc {
  out: Output[]
  patch: Partial<CoreSettings> | null
}

export interface InitOptions {
  now: number
  settings?: Partial<CoreSettings>
  outboxDepth?: number
  outboxCapacity?: number
}

export interface PadCore {
  init(options: InitOptions): PadCoreState
  step(state: PadCoreState, input: Input): StepResult
}

export function createCore(ctx: CoreContext): PadCore {
  return {
    init: (options) => initialState(options),
    step: (state, input) => step(ctx, state, input),
  }
}

export function initialState(o: InitOptions): PadCoreState {
  const st = o.settings ?? {}
  // A prompt open at a reboot is not restored: the citizen has gone by the time the pad is back.
  return {
    now: o.now,
    config: st.config ?? null,
    staff: st.staff ?? null,
    paused: st.paused ?? false,
    online: false,
    connectCount: null,
    seq: st.seq ?? 0,
    outbox: {
      depth: o.outboxDepth ?? 0,
      capacity: o.outboxCapacity ?? DEFAULT_OUTBOX_CAPACITY,
      fullReported: false,
    },
    phase: { name: 'rest' },
    lastRating: null,
    recentCommands: [],
    lastStatus: null,
  }
}

export function step(ctx: CoreContext, state: PadCoreState, input: Input): StepResult {
  // Fast path: a resting pad has nothing to time out, and 10,000 simulated pads tick a lot.
  if (input.type === 'tick' && state.phase.name === 'rest')
    return { state: { ...state, now: input.now }, outputs: [] }

  const acc: Acc = { out: [], patch: null }
  const before = screenOf(state)
  let s: PadCoreState = { ...state, now: input.now }
  s = advance(ctx, s, acc)
  s = handle(ctx, s, acc, input)
  s = publishStatus(ctx, s, acc)
  const after = screenOf(s)
  if (!sameScreen(before, after)) acc.out.push({ type: 'screen', screen: after })
  const outputs: Output[] = acc.patch ? [{ type: 'persist', settings: acc.patch }, ...acc.out] : acc.out
  return { state: s, outputs }
}

// ---------------------------------------------------------------- views

/** The view when no prompt is open. */
export function restView(s: PadCoreState): PadState {
  if (!s.config || !s.config.window) return 'unconfigured'
  if (s.paused) return 'paused'
  if (!s.staff) return 'no_staff'
  return 'idle'
}

export function viewOf(s: PadCoreState): PadState {
  return s.phase.name === 'rest' ? restView(s) : s.phase.name
}

export function isOutboxFull(s: PadCoreState): boolean {
  return s.outbox.depth >= usableCapacity(s)
}

export function screenOf(s: PadCoreState): Screen {
  const cfg = s.config
  const view = viewOf(s)
  const locale = cfg?.locale ?? 'zh-CN'
  const keys: Screen['keys'] = []
  if (cfg) {
    const fallback = defaultKeyLabels(cfg.scale, locale)
    for (let key = 1; key <= cfg.scale; key++) {
      const level = levelForKey(cfg.scale, key)!
      keys.push({ key, label: cfg.keyLabels[key - 1] ?? fallback[key - 1], level, class: classOf(level) })
    }
  }
  const phase = s.phase
  const open = phase.name === 'prompting' || phase.name === 'reasons' ? phase.prompt : null
  return {
    view,
    offline: !s.online,
    outboxFull: isOutboxFull(s),
    locale,
    hall: cfg?.hall.name ?? null,
    window: cfg?.window?.name ?? null,
    staff: s.staff,
    keys,
    countdown:
      phase.name === 'prompting'
        ? secondsLeft(phase.prompt.deadline, s.now)
        : phase.name === 'reasons'
          ? secondsLeft(phase.until, s.now)
          : null,
    reasons:
      phase.name === 'reasons' && cfg
        ? cfg.reasons.map((r, i) => ({ key: i < cfg.scale ? i + 1 : null, code: r.code, label: r.label }))
        : null,
    transaction: open
      ? { ticket: open.transaction.ticket ?? null, serviceName: open.transaction.serviceName ?? null }
      : null,
  }
}

/**
 * When the runtime should next send a tick: when a countdown second ends or a phase times out.
 * null while resting, so idle pads need no timer at all.
 */
export function nextWake(s: PadCoreState): number | null {
  const p = s.phase
  if (p.name === 'prompting') return nextSecond(p.prompt.deadline, s.now)
  if (p.name === 'reasons') return nextSecond(p.until, s.now)
  if (p.name === 'thanks') return p.until
  return null
}

function secondsLeft(end: number, now: number): number {
  return Math.max(0, Math.ceil((end - now) / 1000))
}

function nextSecond(end: number, now: number): number {
  const left = end - now
  if (left <= 0) return now
  return end - (Math.ceil(left / 1000) - 1) * 1000
}

function sameScreen(a: Screen, b: Screen): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

// ---------------------------------------------------------------- inputs

function handle(ctx: CoreContext, s: PadCoreState, acc: Acc, input: Input): PadCoreState {
  switch (input.type) {
    case 'tick':
      return s
    case 'key':
      if (input.key === 'rate') return rateKey(ctx, s, acc)
      if (input.key === 'pause') return setPaused(ctx, s, acc, true)
      if (input.key === 'resume') return setPaused(ctx, s, acc, false)
      return ratingKey(ctx, s, acc, input.key)
    case 'reasons':
      return touchReasons(ctx, s, acc, input.codes)
    case 'staffSignIn': {
      const known = s.config?.staff
      return signIn(
        ctx,
        s,
        acc,
        known && known.staffNo === input.staffNo ? cardOf(known) : bareCard(input.staffNo),
      )
    }
    case 'staffSignOut':
      return signOut(ctx, s, acc)
    case 'command':
      return command(ctx, s, acc, input.command)
    case 'config':
      return applyConfig(ctx, s, acc, input.config)
    case 'connection':
      // lastStatus is cleared so that every new connection gets its birth.
      return input.up
        ? { ...s, online: true, connectCount: input.connectCount, lastStatus: null }
        : { ...s, online: false, lastStatus: null }
    case 'ack': {
      // Rejected messages are kept by the server; sending them again would only be rejected again.
      const ids = [...input.ack.ids, ...(input.ack.rejected ?? []).map((r) => r.id)]
      if (ids.length > 0) acc.out.push({ type: 'outboxRemove', ids })
      return s
    }
    case 'outbox':
      return noteFull(ctx, { ...s, outbox: { ...s.outbox, depth: input.depth } }, acc)
    case 'storeFailed':
      return storeFailed(ctx, s, acc, input.id, input.error)
  }
}

/** Times out whatever phase has run out by `now`; every input runs this first. */
function advance(ctx: CoreContext, s: PadCoreState, acc: Acc): PadCoreState {
  const p = s.phase
  if (p.name === 'prompting' && s.now >= p.prompt.deadline) return closePrompt(ctx, s, acc)
  // The citizen pressed 差评 but did not pick a reason: the rating still counts, with no reasons.
  if (p.name === 'reasons' && s.now >= p.until) return sendRating(ctx, s, acc, p.prompt, p.press, [])
  if (p.name === 'thanks' && s.now >= p.until) return { ...s, phase: { name: 'rest' } }
  return s
}

function ratingKey(ctx: CoreContext, s: PadCoreState, acc: Acc, key: number): PadCoreState {
  // The protocol's key range; anything else is a wiring fault, not a citizen's press.
  if (!Number.isInteger(key) || key < 1 || key > 5) return s
  const p = s.phase
  const cfg = s.config
  if (p.name === 'prompting' && cfg) {
    const level = levelForKey(cfg.scale, key)
    if (level === undefined) return s // not a key of this scale
    const press: PendingPress = {
      ratingId: ctx.newId(),
      scale: cfg.scale,
      key,
      level,
      pressedAt: s.now,
      staffNo: s.staff?.staffNo ?? null,
      configVersion: cfg.version,
    }
    if (classOf(level) === 'bad' && cfg.reasons.length > 0) {
      const until = s.now + cfg.timeouts.reasonSeconds * 1000
      s = { ...s, phase: { name: 'reasons', prompt: p.prompt, press, until } }
      voice(s, acc, 'reasons')
      return s
    }
    return sendRating(ctx, s, acc, p.prompt, press, undefined)
  }
  if (p.name === 'reasons' && cfg) {
    const reason = cfg.reasons[key - 1]
    if (!reason) return s
    return sendRating(ctx, s, acc, p.prompt, p.press, [reason.code])
  }
  // 一次一评: a press after this prompt's rating was taken is recorded, never counted.
  if (p.name === 'thanks') return emitEvent(ctx, s, acc, { type: 'secondPress', key, ratingId: p.ratingId })
  if (s.lastRating && s.now < s.lastRating.until)
    return emitEvent(ctx, s, acc, { type: 'secondPress', key, ratingId: s.lastRating.id })
  return emitEvent(ctx, s, acc, { type: 'pressNoPrompt', key })
}

function touchReasons(ctx: CoreContext, s: PadCoreState, acc: Acc, codes: string[]): PadCoreState {
  const p = s.phase
  if (p.name !== 'reasons' || !s.config) return s
  const known = new Set(s.config.reasons.map((r) => r.code))
  const picked = [...new Set(codes)].filter((c) => known.has(c)).slice(0, 10)
  return sendRating(ctx, s, acc, p.prompt, p.press, picked)
}

/** The 请评价 key: staff start a prompt themselves, with a transaction made on the pad. */
function rateKey(ctx: CoreContext, s: PadCoreState, acc: Acc): PadCoreState {
  if (openPrompt(s)) return s // already asking
  const transaction: Transaction = { id: LOCAL_TRANSACTION_PREFIX + ctx.newId() }
  if (s.staff) transaction.staffNo = s.staff.staffNo
  return startPrompt(ctx, s, acc, transaction, 'rateKey')
}

function command(ctx: CoreContext, s: PadCoreState, acc: Acc, cmd: Command): PadCoreState {
  // QoS 1 delivers at least once: a repeated prompt must not end the open one as unrated.
  if (s.recentCommands.includes(cmd.id)) return s
  s = { ...s, recentCommands: [...s.recentCommands.slice(-(RECENT_COMMANDS - 1)), cmd.id] }
  switch (cmd.type) {
    case 'prompt':
      return startPrompt(ctx, s, acc, cmd.transaction, 'command')
    case 'cancel': {
      const open = openPrompt(s)
      if (open && (cmd.transactionId === undefined || cmd.transactionId === open.transaction.id))
        return closePrompt(ctx, s, acc)
      return s
    }
    case 'signIn':
      return signIn(ctx, s, acc, cardOf(cmd.staff))
    case 'signOut':
      return signOut(ctx, s, acc)
    case 'pause':
      return setPaused(ctx, s, acc, true)
    case 'resume':
      return setPaused(ctx, s, acc, false)
    case 'timeSync':
      acc.out.push({ type: 'timeSync', serverTime: cmd.serverTime })
      return s
    case 'replay':
      acc.out.push({ type: 'replay', fromSeq: cmd.fromSeq })
      return s
  }
}

// ---------------------------------------------------------------- prompts and ratings

function openPrompt(s: PadCoreState): OpenPrompt | null {
  return s.phase.name === 'prompting' || s.phase.name === 'reasons' ? s.phase.prompt : null
}

function transactionKey(t: Transaction): string {
  return t.id ?? `caseNo:${t.caseNo}`
}

function startPrompt(
  ctx: CoreContext,
  s: PadCoreState,
  acc: Acc,
  transaction: Transaction,
  origin: PromptOrigin,
): PadCoreState {
  const key = transactionKey(transaction)
  const open = openPrompt(s)
  if (open && transactionKey(open.transaction) === key) return s
  const refuse = (why: string, st: PadCoreState) =>
    emitEvent(ctx, st, acc, { type: 'error', code: 'promptRefused', message: `${why}: transaction ${key}` })
  if (s.lastRating?.transactionId === key) return refuse('alreadyRated', s) // 一次一评
  const rest = restView(s)
  if (rest === 'unconfigured') return refuse('unconfigured', s)
  // 暂停服务: nobody is being served, so a prompt now would only invite a rating for no one.
  if (rest === 'paused') return refuse('paused', s)
  // A rating belongs to who served; with nobody signed in, only the queue system can say who.
  if (!s.staff && !transaction.staffNo) return refuse('noStaff', s)
  // The previous citizen left without pressing.
  s = closePrompt(ctx, s, acc)
  if (isOutboxFull(s)) return refuse('outboxFull', s)
  const promptedAt = s.now
  const deadline = promptedAt + s.config!.timeouts.promptSeconds * 1000
  s = { ...s, phase: { name: 'prompting', prompt: { transaction, origin, promptedAt, deadline } } }
  voice(s, acc, 'prompt')
  return s
}

/** Ends an open prompt: with no press it is unrated; a 差评 waiting for reasons is sent without them. */
function closePrompt(ctx: CoreContext, s: PadCoreState, acc: Acc): PadCoreState {
  const p = s.phase
  if (p.name === 'prompting') {
    // Rest first: the unrated event uses the outbox slot the open prompt had reserved.
    s = { ...s, phase: { name: 'rest' } }
    return emitEvent(ctx, s, acc, {
      type: 'unrated',
      transaction: p.prompt.transaction,
      promptedAt: ctx.toIso(p.prompt.promptedAt),
    })
  }
  if (p.name === 'reasons') return sendRating(ctx, s, acc, p.prompt, p.press, [])
  return s
}

/**
 * Sends the rating and says 谢谢. The runtime stores it durably before the voice runs.
 * reasons: undefined when the question was not asked, [] when asked and not answered.
 */
function sendRating(
  ctx: CoreContext,
  s: PadCoreState,
  acc: Acc,
  prompt: OpenPrompt,
  press: PendingPress,
  reasons: string[] | undefined,
): PadCoreState {
  // The seq is taken at sending, not at the press, so that seq order is outbox order.
  const seq = s.seq + 1
  const message: Rating = {
    v: SCHEMA_VERSION,
    id: press.ratingId,
    seq,
    scale: press.scale,
    key: press.key,
    level: press.level,
    class: classOf(press.level),
    ...(reasons ? { reasons } : {}),
    transaction: prompt.transaction,
    staffNo: press.staffNo,
    configVersion: press.configVersion,
    promptedAt: ctx.toIso(prompt.promptedAt),
    pressedAt: ctx.toIso(press.pressedAt),
    replayed: false,
  }
  persist(acc, { seq })
  acc.out.push({ type: 'send', channel: 'rating', message, seq, store: true })
  const thanksSeconds = s.config?.timeouts.thanksSeconds ?? DEFAULT_TIMEOUTS.thanksSeconds
  s = {
    ...s,
    seq,
    outbox: { ...s.outbox, depth: s.outbox.depth + 1 },
    lastRating: { id: message.id, transactionId: transactionKey(prompt.transaction), until: prompt.deadline },
    phase: { name: 'thanks', until: s.now + thanksSeconds * 1000, ratingId: message.id },
  }
  voice(s, acc, 'thanks')
  return noteFull(ctx, s, acc)
}

function storeFailed(ctx: CoreContext, s: PadCoreState, acc: Acc, id: string, error: string): PadCoreState {
  s = { ...s, outbox: { ...s.outbox, depth: Math.max(0, s.outbox.depth - 1) } }
  // The runtime did not say 谢谢 for a rating it could not store; do not pretend it was taken.
  if (s.phase.name === 'thanks' && s.phase.ratingId === id)
    s = { ...s, phase: { name: 'rest' }, lastRating: null }
  acc.out.push({
    type: 'send',
    channel: 'event',
    message: event(ctx, s, { type: 'error', code: 'storeFailed', message: `${id}: ${error}`.slice(0, 1000) }),
    seq: s.seq,
    store: false,
  })
  return s
}

// ---------------------------------------------------------------- staff, pause, config

function cardOf(c: StaffCard): StaffOnPad {
  return { staffNo: c.staffNo, name: c.name, photoUrl: c.photoUrl, title: c.title, stars: c.stars }
}

function bareCard(staffNo: string): StaffOnPad {
  return { staffNo, name: null, photoUrl: null, title: null, stars: null }
}

function signIn(ctx: CoreContext, s: PadCoreState, acc: Acc, card: StaffOnPad): PadCoreState {
  if (s.staff?.staffNo === card.staffNo) {
    // Same person: keep the fuller card (a keypad sign-in knows only the 工号).
    if (card.name === null) return s
    persist(acc, { staff: card })
    return { ...s, staff: card }
  }
  // The citizen at the window saw the previous staff's card; that prompt ends with them.
  s = closePrompt(ctx, s, acc)
  if (s.staff) s = emitEvent(ctx, s, acc, { type: 'staffSignOut', staffNo: s.staff.staffNo })
  s = { ...s, staff: card }
  persist(acc, { staff: card })
  return emitEvent(ctx, s, acc, { type: 'staffSignIn', staffNo: card.staffNo })
}

function signOut(ctx: CoreContext, s: PadCoreState, acc: Acc): PadCoreState {
  if (!s.staff) return s
  s = closePrompt(ctx, s, acc)
  const staffNo = s.staff!.staffNo
  // A window with nobody signed in shows no_staff, not 暂停服务.
  s = { ...s, staff: null, paused: false }
  persist(acc, { staff: null, paused: false })
  return emitEvent(ctx, s, acc, { type: 'staffSignOut', staffNo })
}

function setPaused(ctx: CoreContext, s: PadCoreState, acc: Acc, paused: boolean): PadCoreState {
  if (s.paused === paused) return s
  if (paused) s = closePrompt(ctx, s, acc)
  persist(acc, { paused })
  return { ...s, paused }
}

function applyConfig(ctx: CoreContext, s: PadCoreState, acc: Acc, config: Config): PadCoreState {
  const prev = s.config
  // Retained configs come again on every reconnect; versions only grow, so an old one is stale.
  if (prev && config.version <= prev.version) return s
  // The config's staff wins only when the server changed it; otherwise a keypad sign-in made while
  // offline would be undone by the retained config that arrives before the sign-in event is sent.
  let staff = s.staff
  const configStaffChanged = (prev?.staff?.staffNo ?? null) !== (config.staff?.staffNo ?? null)
  if (configStaffChanged) staff = config.staff ? cardOf(config.staff) : null
  else if (config.staff && staff?.staffNo === config.staff.staffNo) staff = cardOf(config.staff)
  if ((staff?.staffNo ?? null) !== (s.staff?.staffNo ?? null) || !config.window) s = closePrompt(ctx, s, acc)
  const paused = staff ? s.paused : false
  persist(acc, { config, staff, paused })
  return { ...s, config, staff, paused }
}

// ---------------------------------------------------------------- outbox room and events

/** One slot is kept for the outboxFull event itself, so that the server learns of it. */
function usableCapacity(s: PadCoreState): number {
  return s.outbox.capacity - 1
}

/** An open prompt has one slot reserved for its rating or unrated event. */
function roomForEvent(s: PadCoreState): boolean {
  return s.outbox.depth + (openPrompt(s) ? 1 : 0) < usableCapacity(s)
}

function event(ctx: CoreContext, s: PadCoreState, body: EventBody): PadEvent {
  return { v: SCHEMA_VERSION, id: ctx.newId(), at: ctx.toIso(s.now), ...body } as PadEvent
}

function emitEvent(ctx: CoreContext, s: PadCoreState, acc: Acc, body: EventBody): PadCoreState {
  const store = roomForEvent(s)
  acc.out.push({ type: 'send', channel: 'event', message: event(ctx, s, body), seq: s.seq, store })
  if (store) s = { ...s, outbox: { ...s.outbox, depth: s.outbox.depth + 1 } }
  return noteFull(ctx, s, acc)
}

/** Reports a full outbox once per filling, into the slot kept for it. */
function noteFull(ctx: CoreContext, s: PadCoreState, acc: Acc): PadCoreState {
  if (!isOutboxFull(s))
    return s.outbox.fullReported ? { ...s, outbox: { ...s.outbox, fullReported: false } } : s
  if (s.outbox.fullReported) return s
  const store = s.outbox.depth < s.outbox.capacity
  const message = event(ctx, s, { type: 'outboxFull', depth: s.outbox.depth })
  acc.out.push({ type: 'send', channel: 'event', message, seq: s.seq, store })
  return { ...s, outbox: { ...s.outbox, depth: s.outbox.depth + (store ? 1 : 0), fullReported: true } }
}

// ---------------------------------------------------------------- effects

function persist(acc: Acc, patch: Partial<CoreSettings>): void {
  acc.patch = { ...acc.patch, ...patch }
}

function voice(s: PadCoreState, acc: Acc, v: VoicePrompt): void {
  if (!s.config || !s.config.voice) return
  acc.out.push({ type: 'voice', voice: v, text: VOICE[s.config.locale][v] })
}

function statusSignature(s: PadCoreState): string {
  return `${restView(s)}|${s.config?.version ?? ''}|${s.staff?.staffNo ?? ''}`
}

/**
 * The birth goes out on every connection and again when what it says changes. It reports the
 * rest view, not prompting/thanks, so a retained birth is not stale seconds after it is sent.
 */
function publishStatus(ctx: CoreContext, s: PadCoreState, acc: Acc): PadCoreState {
  if (!s.online || s.connectCount === null) return s
  const sig = statusSignature(s)
  if (sig === s.lastStatus) return s
  acc.out.push({ type: 'status', birth: birthOf(ctx, s) })
  return { ...s, lastStatus: sig }
}

export function birthOf(ctx: CoreContext, s: PadCoreState): Birth {
  return {
    v: SCHEMA_VERSION,
    state: 'online',
    connectCount: s.connectCount ?? 0,
    firmware: ctx.device.firmware,
    model: ctx.device.model,
    capabilities: ctx.device.capabilities,
    outboxDepth: s.outbox.depth,
    outboxCapacity: s.outbox.capacity,
    padState: restView(s),
    configVersion: s.config?.version ?? null,
    staffNo: s.staff?.staffNo ?? null,
    clock: ctx.toIso(s.now),
  }
}
