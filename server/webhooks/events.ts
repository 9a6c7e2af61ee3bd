// The events webhooks can subscribe to, and the record of a rating that webhooks and upstream
// exporters are built from.
import { LEVEL_LABELS, type Level } from '../../protocol/index.ts'
import { localDateTime } from '../reports/local-time.ts'

export const WEBHOOK_EVENTS = ['rating.created', 'rating.bad', 'followup.overdue', 'device.offline'] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

export const EVENT_DESCRIPTIONS: Record<WebhookEvent, string> = {
  'rating.created': 'A rating was stored (every rating, once)',
  'rating.bad': 'A 差评 (level 1 or 2) was stored',
  'followup.overdue': 'A 差评 follow-up case passed its due date (回访 or 整改)',
  'device.offline': 'A pad went offline (its Last Will arrived)',
}

/** One thing that happened, before it is fanned out to the webhooks that want it. */
export interface OutboundEvent {
  type: WebhookEvent
  /** Names the occurrence, so it is queued once per webhook however often it is reported. */
  key: string
  hallId: string | null
  at: Date
  data: Record<string, unknown>
  /** A flat record for upstream field mappings (ratings only). */
  record?: RatingRecord
}

/** The body a webhook receives. `id` is the same for every webhook and every retry of one event. */
export interface WebhookEnvelope {
  id: string
  type: WebhookEvent
  createdAt: string
  hallId: string | null
  data: Record<string, unknown>
}

/** A stored rating, flattened: the fields an upstream mapping can use. */
export interface RatingRecord {
  ratingId: string
  padRatingId: string
  deviceId: string
  hallId: string
  hallName: string | null
  windowId: string | null
  windowName: string | null
  staffNo: string | null
  staffName: string | null
  transactionId: string | null
  caseNo: string | null
  ticket: string | null
  serviceCode: string | null
  serviceName: string | null
  level: number
  levelLabel: string
  class: string
  reasons: string[]
  pressedAt: Date
  occurredAt: Date
  receivedAt: Date
  day: string
  /** The hall's time zone, for local times in mappings. */
  timeZone: string
}

export const RECORD_FIELDS = [
  'ratingId',
  'padRatingId',
  'deviceId',
  'hallId',
  'hallName',
  'windowId',
  'windowName',
  'staffNo',
  'staffName',
  'transactionId',
  'caseNo',
  'ticket',
  'serviceCode',
  'serviceName',
  'level',
  'levelLabel',
  'class',
  'reasons',
  'pressedAt',
  'occurredAt',
  'receivedAt',
  'day',
] as const satisfies readonly (keyof RatingRecord)[]
export type RecordField = (typeof RECORD_FIELDS)[number]

export function levelLabel(level: number): string {
  return LEVEL_LABELS[level as Level]?.zh ?? String(level)
}

/** The JSON a webhook receives for a rating (rating.created and rating.bad). */
export function ratingData(r: RatingRecord) {
  return {
    rating: {
      id: r.ratingId,
      padRatingId: r.padRatingId,
      deviceId: r.deviceId,
      hallId: r.hallId,
      windowId: r.windowId,
      staffNo: r.staffNo,
      level: r.level,
      levelLabel: r.levelLabel,
      class: r.class,
      reasons: r.reasons,
      transaction:
        r.transactionId || r.caseNo
          ? {
              id: r.transactionId,
              caseNo: r.caseNo,
              ticket: r.ticket,
              serviceCode: r.serviceCode,
              serviceName: r.serviceName,
            }
          : null,
      pressedAt: r.pressedAt.toISOString(),
      occurredAt: r.occurredAt.toISOString(),
      receivedAt: r.receivedAt.toISOString(),
      localTime: localDateTime(r.occurredAt, r.timeZone),
      day: r.day,
    },
  }
}
