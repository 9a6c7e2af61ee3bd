// One zod schema per protocol message with its inferred type beside it.
// Every message carries `v`, the schema version; a pad or server that sees an unknown `v` rejects it.
import { z } from 'zod'
import { DEVICE_ID_PATTERN } from './topics.ts'
import { classOf, levelForKey, SCALES, type Level } from './scale.ts'

export const SCHEMA_VERSION = 1 as const
const v = z.literal(SCHEMA_VERSION).describe('Schema version of this message')

/** Ids made on the pad: letters, digits, `_` and `-` only, so they are safe anywhere. */
export const MessageId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 characters of A–Z, a–z, 0–9, _ or -')
  .describe('Unique id made on the pad (for example a UUID or ULID)')
export const DeviceId = z
  .string()
  .regex(DEVICE_ID_PATTERN, 'must be 1–64 characters of A–Z, a–z, 0–9, _, . or -')
export const Timestamp = z.iso
  .datetime({ offset: true })
  .describe('ISO 8601 time with offset, by the pad clock')
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const LONE_SURROGATE_MESSAGE = 'must not contain a lone surrogate (not Unicode text)'

/**
 * What is wrong with a string as text to store, or null: NUL (PostgreSQL text cannot hold it) or a
 * lone UTF-16 surrogate (a JSON escape like "\ud800" that is no character; no database driver can
 * write it). Pads' messages and every HTTP request are checked for both where they enter.
 */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL'
  if (LONE_SURROGATE.test(s)) return LONE_SURROGATE_MESSAGE
  return null
}

/** Text from a pad: anything but NUL and lone surrogates (see textProblem). */
const Text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[^\u0000]*$/, 'must not contain NUL')
    .refine((s) => !LONE_SURROGATE.test(s), LONE_SURROGATE_MESSAGE)
export const StaffNo = Text(1, 32).describe('工号, the staff number')
const ShortText = (max: number) => Text(1, max)

/** A count from a pad: a whole number that fits the 32-bit integer columns it is stored in. */
const Count = (min: number) => z.number().int().min(min).max(2_147_483_647)

export const LevelSchema = z.union([z.literal(5), z.literal(4), z.literal(3), z.literal(2), z.literal(1)])
export const ScaleSchema = z.union(
  SCALES.map((s) => z.literal(s)) as [z.ZodLiteral<2>, z.ZodLiteral<3>, z.ZodLiteral<4>, z.ZodLiteral<5>],
)

/** The transaction (办件) a prompt was made for; a rating answers exactly one. */
export const Transaction = z
  .object({
    id: ShortText(64).optional().describe('Transaction id from the queue system or the server'),
    caseNo: ShortText(64).optional().describe('办件编号, the case number'),
    ticket: ShortText(32).optional().describe('Queue ticket number'),
    serviceCode: ShortText(64).optional().describe('Service item code (事项编码)'),
    serviceName: ShortText(200).optional().describe('Service item name (事项名称)'),
    staffNo: StaffNo.optional().describe('Staff who served'),
  })
  .refine((t) => t.id !== undefined || t.caseNo !== undefined, {
    message: 'a transaction needs an id or a caseNo',
  })
export type Transaction = z.infer<typeof Transaction>

// ---------------------------------------------------------------- rating (pad → server, QoS 1)
export const Rating = z
  .object({
    v,
    id: MessageId,
    seq: Count(1).describe('Per-pad sequence number; only grows, survives reboots'),
    scale: ScaleSchema.describe('Number of keys on the pad'),
    key: z.number().int().min(1).max(5).describe('Key pressed, 1 = best (leftmost)'),
    level: LevelSchema.describe('Five-level value: 5 非常满意 … 1 非常不满意'),
    class: z.enum(['good', 'bad']).describe('好评 (levels 3–5) or 差评 (levels 1–2)'),
    reasons: z.array(ShortText(32)).max(10).optional().describe('Reason codes chosen after a 差评'),
    transaction: Transaction.nullable().describe('The transaction this rating answers, or null'),
    staffNo: StaffNo.nullable().describe('Staff signed in at the pad when the key was pressed'),
    configVersion: Count(0).optional().describe('Config version the pad was running'),
    promptedAt: Timestamp.describe(
      'Pad time of the prompt this rating answers; a press with no prompt is an event, never a rating',
    ),
    pressedAt: Timestamp.describe('Pad time of the key press'),
    replayed: z
      .boolean()
      .describe('True when sent again from the outbox (after reconnect or a replay command)'),
  })
  .superRefine((r, ctx) => {
    const level = levelForKey(r.scale, r.key)
    if (level === undefined)
      ctx.addIssue({ code: 'custom', path: ['key'], message: `key ${r.key} is not on a ${r.scale}-key pad` })
    else if (level !== r.level)
      ctx.addIssue({
        code: 'custom',
        path: ['level'],
        message: `key ${r.key} of a ${r.scale}-key pad is level ${level}`,
      })
    if (r.class !== classOf(r.level as Level))
      ctx.addIssue({
        code: 'custom',
        path: ['class'],
        message: `level ${r.level} is ${classOf(r.level as Level)}`,
      })
  })
export type Rating = z.infer<typeof Rating>

// ---------------------------------------------------------------- ack (server → pad)
export const Ack = z.object({
  v,
  ids: z.array(MessageId).describe('Ratings and events committed to the database (new or already stored)'),
  rejected: z
    .array(z.object({ id: MessageId, reason: z.string() }))
    .optional()
    .describe('Messages kept in the rejected-messages table; the pad must not send them again'),
  serverTime: Timestamp.describe('Server clock, so a pad can see its skew'),
})
export type Ack = z.infer<typeof Ack>

// ---------------------------------------------------------------- status: birth (retained) and death (Last Will)
export const PadState = z.enum([
  'unconfigured',
  'no_staff',
  'idle',
  'paused',
  'prompting',
  'reasons',
  'thanks',
])
export type PadState = z.infer<typeof PadState>

export const Birth = z.object({
  v,
  state: z.literal('online'),
  connectCount: Count(0).describe(
    'Connect counter, persisted on the pad; the will of this connection carries the same value',
  ),
  firmware: ShortText(64),
  model: ShortText(64),
  capabilities: z.object({
    keys: z.array(ScaleSchema).min(1).describe('Scales the pad can show'),
    display: z.boolean(),
    voice: z.boolean(),
    reasons: z.boolean().describe('Can ask for reasons after a 差评'),
  }),
  outboxDepth: Count(0),
  outboxCapacity: Count(1),
  padState: PadState,
  configVersion: Count(0).nullable().describe('Config version applied, null before the first'),
  staffNo: StaffNo.nullable(),
  clock: Timestamp.describe('Pad clock when this was sent'),
})
export type Birth = z.infer<typeof Birth>

export const Death = z.object({
  v,
  state: z.literal('offline'),
  connectCount: Count(0).describe('Same value as the birth of the connection this will belongs to'),
})
export type Death = z.infer<typeof Death>

export const Status = z.discriminatedUnion('state', [Birth, Death])
export type Status = z.infer<typeof Status>

// ---------------------------------------------------------------- config (server → pad, retained)
export const StaffCard = z.object({
  staffNo: StaffNo,
  name: ShortText(64),
  photoUrl: z.string().max(2048).nullable(),
  title: z.string().max(64).nullable(),
  stars: z.number().int().min(0).max(5).nullable().describe('星级 shown on the card'),
})
export type StaffCard = z.infer<typeof StaffCard>

export const Reason = z.object({ code: ShortText(32), label: ShortText(64) })
export type Reason = z.infer<typeof Reason>

export const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
export const OpeningHours = z
  .array(
    z.object({
      day: z.number().int().min(1).max(7).describe('1 = Monday … 7 = Sunday'),
      open: HHMM,
      close: HHMM,
    }),
  )
  .describe('Opening hours in the hall time zone; empty means always open')
export type OpeningHours = z.infer<typeof OpeningHours>

export const Locale = z.enum(['zh-CN', 'en'])
export type Locale = z.infer<typeof Locale>

export const Config = z.object({
  v,
  version: z
    .number()
    .int()
    .min(1)
    .describe('Grows with every change; the pad reports the version it applied'),
  hall: z.object({ id: ShortText(64), name: ShortText(128), timeZone: ShortText(64) }),
  window: z
    .object({ id: ShortText(64), name: ShortText(64) })
    .nullable()
    .describe('null while the pad is not bound'),
  staff: StaffCard.nullable().describe('Staff signed in at the window (亮身份), or null'),
  scale: ScaleSchema,
  keyLabels: z.array(ShortText(32)).min(2).max(5).describe('One label per key, best first'),
  reasons: z.array(Reason).max(12).describe('Reasons offered after a 差评; empty to skip the question'),
  reasonsVersion: z.number().int().min(0),
  timeouts: z.object({
    promptSeconds: z
      .number()
      .int()
      .min(3)
      .max(600)
      .describe('Only the first press within this window counts'),
    reasonSeconds: z.number().int().min(3).max(120),
    thanksSeconds: z.number().int().min(1).max(30),
  }),
  locale: Locale,
  voice: z.boolean(),
  openingHours: OpeningHours,
})
export type Config = z.infer<typeof Config>

// ---------------------------------------------------------------- command (server → pad)
const commandBase = { v, id: MessageId, issuedAt: Timestamp }
export const Command = z.discriminatedUnion('type', [
  z
    .object({ ...commandBase, type: z.literal('prompt'), transaction: Transaction })
    .describe('Ask the citizen to rate this transaction'),
  z.object({ ...commandBase, type: z.literal('cancel'), transactionId: ShortText(64).optional() }),
  z.object({ ...commandBase, type: z.literal('signIn'), staff: StaffCard }),
  z.object({ ...commandBase, type: z.literal('signOut') }),
  z.object({ ...commandBase, type: z.literal('pause') }).describe('暂停服务'),
  z.object({ ...commandBase, type: z.literal('resume') }),
  z.object({ ...commandBase, type: z.literal('timeSync'), serverTime: Timestamp }),
  z
    .object({ ...commandBase, type: z.literal('replay'), fromSeq: z.number().int().min(1) })
    .describe('Send again every rating from this sequence number still in the outbox'),
])
export type Command = z.infer<typeof Command>
export type CommandType = Command['type']

// ---------------------------------------------------------------- event (pad → server, QoS 1, acked like ratings)
const eventBase = { v, id: MessageId, at: Timestamp.describe('Pad time of the event') }
export const PadEvent = z.discriminatedUnion('type', [
  z
    .object({ ...eventBase, type: z.literal('unrated'), transaction: Transaction, promptedAt: Timestamp })
    .describe('A prompt ended with no press: the transaction stays unrated'),
  z
    .object({ ...eventBase, type: z.literal('pressNoPrompt'), key: z.number().int().min(1).max(5) })
    .describe('A key pressed with no prompt: never a rating'),
  z
    .object({
      ...eventBase,
      type: z.literal('secondPress'),
      key: z.number().int().min(1).max(5),
      ratingId: MessageId,
    })
    .describe('Another press after the rating of this prompt was taken (一次一评)'),
  z.object({ ...eventBase, type: z.literal('staffSignIn'), staffNo: StaffNo }),
  z.object({ ...eventBase, type: z.literal('staffSignOut'), staffNo: StaffNo }),
  z.object({ ...eventBase, type: z.literal('outboxFull'), depth: Count(0) }),
  z.object({ ...eventBase, type: z.literal('error'), code: ShortText(64), message: Text(0, 1000) }),
])
export type PadEvent = z.infer<typeof PadEvent>
export type PadEventType = PadEvent['type']

/** Largest payload a pad may publish; the broker refuses bigger ones. */
export const MAX_PAYLOAD_BYTES = 16 * 1024

// ---------------------------------------------------------------- provisioning (pad ⇄ server, on its client's topics)
export const ProvisionRequest = z
  .object({
    v,
    provisionKey: z.string().min(16).max(256).describe('The hall provisioning key'),
    deviceId: DeviceId.optional().describe(
      'Device id wanted (for example made from the serial number); made when missing',
    ),
    model: ShortText(64).optional(),
    firmware: ShortText(64).optional(),
    label: ShortText(128).optional().describe('Shown in the registry, for example the serial number'),
  })
  .describe('A pad asks for its own credentials with a hall provisioning key')
export type ProvisionRequest = z.infer<typeof ProvisionRequest>

export const ProvisionResponse = z
  .discriminatedUnion('ok', [
    z.object({
      v,
      ok: z.literal(true),
      deviceId: DeviceId.describe('MQTT username from now on'),
      secret: z.string().describe('MQTT password from now on; shown only in this answer'),
      hallId: ShortText(64),
    }),
    z.object({
      v,
      ok: z.literal(false),
      error: z.string().describe('Why not, for example "device id taken"'),
    }),
  ])
  .describe('The pad’s credentials, or why there are none')
export type ProvisionResponse = z.infer<typeof ProvisionResponse>

// ---------------------------------------------------------------- queue systems (排队叫号 ⇄ server, on its client's topics)
export const TransactionId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1–64 characters of A–Z, a–z, 0–9, _, ., : or -')
export const QueueTransactionStart = z.object({
  id: TransactionId.optional().describe(
    'The queue system’s own id; starting the same id again returns the existing transaction',
  ),
  windowId: ShortText(64).describe('Window where the visit ended'),
  caseNo: ShortText(64).optional().describe('办件编号, the case number'),
  ticket: ShortText(32).optional().describe('Queue ticket number'),
  serviceCode: ShortText(64).optional().describe('Service item code (事项编码)'),
  serviceName: ShortText(200).optional().describe('Service item name (事项名称)'),
  staffNo: StaffNo.optional().describe('工号 of the staff who served'),
})
export type QueueTransactionStart = z.infer<typeof QueueTransactionStart>

const queueBase = { v, id: MessageId.describe('Request id, echoed in the reply') }
export const QueueRequest = z.discriminatedUnion('type', [
  z
    .object({ ...queueBase, type: z.literal('start'), transaction: QueueTransactionStart })
    .describe('Start a transaction at a window: its pad asks the citizen to rate it'),
  z.object({ ...queueBase, type: z.literal('cancel'), transactionId: TransactionId }).describe('Cancel it'),
  z
    .object({ ...queueBase, type: z.literal('status'), transactionId: TransactionId })
    .describe('Ask its status'),
])
export type QueueRequest = z.infer<typeof QueueRequest>

export const QueueTransactionStatus = z.enum(['pending', 'rated', 'unrated', 'cancelled'])
export const QueueReply = z
  .object({
    v,
    requestId: MessageId.nullable().describe('The request answered; null when it had no readable id'),
    ok: z.boolean(),
    error: z.string().optional().describe('Why not, when ok is false'),
    transaction: z
      .object({
        id: TransactionId,
        status: QueueTransactionStatus,
        windowId: z.string(),
        deviceId: z.string(),
        caseNo: z.string().nullable(),
        ticket: z.string().nullable(),
        rating: z
          .object({ level: LevelSchema, class: z.enum(['good', 'bad']), ratedAt: Timestamp })
          .nullable(),
        padOnline: z
          .boolean()
          .nullable()
          .optional()
          .describe('On start: whether the prompt reached an online pad'),
      })
      .optional(),
  })
  .describe('The answer to a queue request')
export type QueueReply = z.infer<typeof QueueReply>
