// Queue systems already on the broker: one connects as $queue with its API token as password and
// the token's id as client id, publishes QueueRequests to rp/v1/queue/<token id>/request and reads
// the QueueReplies on .../reply. Same repository, same hall scope as the REST routes.
import {
  MessageId,
  parseClientTopic,
  QueueReply,
  QueueRequest,
  queueTopics,
  SCHEMA_VERSION,
} from '../../protocol/index.ts'
import type { Bus } from '../broker/bus.ts'
import { HttpError } from '../errors.ts'
import { describeIssues } from '../ingest/ingest.ts'
import type { TokenRepository } from '../repositories/tokens.ts'
import type { QueueTransactions, TransactionView } from './transactions.ts'

function summary(t: TransactionView, padOnline?: boolean | null): NonNullable<QueueReply['transaction']> {
  return {
    id: t.id,
    status: t.status,
    windowId: t.windowId,
    deviceId: t.deviceId,
    caseNo: t.caseNo,
    ticket: t.ticket,
    rating: t.rating
      ? { level: t.rating.level as 1, class: t.rating.class, ratedAt: t.rating.ratedAt }
      : null,
    ...(padOnline !== undefined ? { padOnline } : {}),
  }
}

export function queueHandler(o: { queue: QueueTransactions; tokens: TokenRepository; bus: Bus }) {
  return async (topic: string, payload: Buffer) => {
    const t = parseClientTopic(topic)
    if (!t || t.kind !== 'queue') return
    let json: unknown = null
    try {
      json = JSON.parse(payload.toString('utf8'))
    } catch {}
    const rawId = (json as { id?: unknown } | null)?.id
    const requestId = MessageId.safeParse(rawId).success ? (rawId as string) : null
    let reply: QueueReply
    try {
      // The broker let only the holder of this token publish here (grants.ts); it may be revoked since.
      const principal = await o.tokens.principalById(t.clientId)
      if (!principal) throw new HttpError(401, 'unknown or revoked token')
      const r = QueueRequest.safeParse(json)
      if (!r.success) throw new HttpError(400, describeIssues(r.error))
      const req = r.data
      const by = `${principal.name} (mqtt)`
      if (req.type === 'start') {
        const s = await o.queue.start(principal, req.transaction, by)
        reply = { v: SCHEMA_VERSION, requestId, ok: true, transaction: summary(s.transaction, s.padOnline) }
      } else if (req.type === 'cancel')
        reply = {
          v: SCHEMA_VERSION,
          requestId,
          ok: true,
          transaction: summary(await o.queue.cancel(principal, req.transactionId, by)),
        }
      else
        reply = {
          v: SCHEMA_VERSION,
          requestId,
          ok: true,
          transaction: summary(await o.queue.get(principal, req.transactionId)),
        }
    } catch (err) {
      reply = {
        v: SCHEMA_VERSION,
        requestId,
        ok: false,
        error: err instanceof HttpError ? err.message : 'internal error',
      }
    }
    await o.bus.publish(queueTopics.reply(t.clientId), JSON.stringify(reply), { qos: 1 }).catch(() => {})
  }
}
