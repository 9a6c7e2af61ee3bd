// Several server instances share one outbox: each claims due rows with a conditional UPDATE, so
// every delivery is sent once, on SQLite and on PostgreSQL, with separate connections racing.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/client.ts'
import { backoff, WebhookDispatcher } from '../../server/webhooks/dispatcher.ts'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'
import { Receiver } from '../helpers/receiver.ts'

const quiet = { warn() {}, error() {} }

describe.each(DATABASES)('webhook outbox on %s', (_name, make) => {
  let testDb: TestDatabase
  let instances: Database[] = []
  let rx: Receiver

  beforeAll(async () => {
    testDb = await make()
    // PostgreSQL: three connection pools, as three server processes would have. SQLite: one
    // connection (better-sqlite3 waits for a lock synchronously, so a second connection in the same
    // process would wait on the first forever); the three dispatchers still interleave between
    // their queries, so two of them find the same due rows and only the UPDATE decides.
    const first = await testDb.open()
    instances = [first]
    for (let i = 1; i < 3; i++) instances.push(first.provider === 'postgres' ? await testDb.open() : first)
    rx = await Receiver.start()
  })
  afterAll(async () => {
    for (const db of new Set(instances)) await db.close()
    await testDb?.drop()
    await rx?.close()
  })

  it('sends each of 300 deliveries exactly once with three instances claiming at the same time', async () => {
    const db = instances[0].prisma
    const now = new Date()
    const webhookId = randomUUID()
    await db.webhook.create({
      data: {
        id: webhookId,
        name: 'race',
        kind: 'webhook',
        url: `${rx.url}/race`,
        secret: 'whsec_race_race_race_race',
        events: '["rating.created"]',
        createdBy: 'test',
        createdAt: now,
        updatedAt: now,
      },
    })
    // Some fail once, so retries race too.
    rx.answer('/race', ...Array.from({ length: 30 }, () => 500))
    const ids = Array.from({ length: 300 }, () => randomUUID())
    await db.webhookDelivery.createMany({
      data: ids.map((id, i) => ({
        id,
        webhookId,
        event: 'rating.created',
        eventKey: `rating.created:${i}`,
        payload: JSON.stringify({ n: i }),
        status: 'pending',
        nextAttemptAt: now,
        createdAt: now,
      })),
    })
    const dispatchers = instances.map(
      (d, i) =>
        new WebhookDispatcher({
          db: d.prisma,
          instance: `instance-${i}`,
          pollMs: 10,
          retryBaseMs: 1,
          maxAttempts: 5,
          // Long enough that no attempt times out after the receiver answered (which would be a
          // legitimate second delivery: receivers drop repeats by x-rp-delivery).
          timeoutMs: 60_000,
          batch: 20,
          log: quiet,
        }),
    )
    const pending = () => db.webhookDelivery.count({ where: { webhookId, status: 'pending' } })
    await Promise.all(
      dispatchers.map(async (d) => {
        // An instance that found nothing free yields, as its poll timer would.
        while ((await pending()) > 0) if (!(await d.round())) await new Promise((r) => setTimeout(r, 10))
      }),
    )
    const ok = rx.at('/race').filter((r) => r.status === 200)
    const sent = ok.map((r) => String(r.headers['x-rp-delivery']))
    expect(sent.sort()).toEqual([...ids].sort())
    expect(await db.webhookDelivery.count({ where: { webhookId, status: 'delivered' } })).toBe(300)
    // Every attempt is in the log, the failed ones included, and more than one instance did work.
    expect(await db.webhookAttempt.count({ where: { deliveryId: { in: ids } } })).toBe(rx.at('/race').length)
    const byInstance = await db.webhookAttempt.groupBy({
      by: ['instance'],
      where: { deliveryId: { in: ids } },
    })
    expect(byInstance.length).toBeGreaterThan(1)
    // Attempts of one delivery never overlap in time: it was never held by two instances at once.
    const attempts = await db.webhookAttempt.findMany({
      where: { deliveryId: { in: ids } },
      orderBy: { at: 'asc' },
    })
    const last = new Map<string, number>()
    for (const a of attempts) {
      const start = a.at.getTime() - a.durationMs
      expect(start).toBeGreaterThanOrEqual(last.get(a.deliveryId) ?? 0)
      last.set(a.deliveryId, a.at.getTime())
    }
  })
})

describe('backoff', () => {
  it('doubles from the base up to an hour, keeping at least half of each step', () => {
    expect(backoff(1, 10_000, () => 1)).toBe(10_000)
    expect(backoff(2, 10_000, () => 1)).toBe(20_000)
    expect(backoff(5, 10_000, () => 0)).toBe(80_000)
    expect(backoff(30, 10_000, () => 1)).toBe(3_600_000)
  })
})
