// App plugin for integrators: queue-system transactions (REST and MQTT), the webhook outbox and its
// dispatcher, provisioning keys (HTTP and MQTT), and the drivers for vendor pads. Ratings are bound
// to transactions and queued for webhooks inside the ingest transaction.
import fp from 'fastify-plugin'
import { provisionTopics, queueTopics } from '../../protocol/index.ts'
import { registerDocsPages } from '../docs-pages.ts'
import { DriverHost } from '../drivers/host.ts'
import { ProvisioningKeys } from '../provisioning/keys.ts'
import { provisionHandler } from '../provisioning/mqtt-handler.ts'
import { queueHandler } from '../queue/mqtt-handler.ts'
import { bindAnswers, QueueTransactions } from '../queue/transactions.ts'
import { PrismaIngestStore } from '../repositories/ratings.ts'
import { WebhookDispatcher } from '../webhooks/dispatcher.ts'
import { OverdueWatcher } from '../webhooks/followup-overdue.ts'
import { enqueue, enqueueOnce, ratingEvents } from '../webhooks/outbox.ts'
import { WebhookRepository } from '../webhooks/repository.ts'

declare module 'fastify' {
  interface FastifyInstance {
    queue: QueueTransactions
    provisioning: ProvisioningKeys
    webhooks: { repo: WebhookRepository; dispatcher: WebhookDispatcher }
  }
}

export default fp(
  async (app) => {
    const { config } = app
    const db = app.db.prisma
    const queue = new QueueTransactions(db, app.bus)
    const dispatcher = new WebhookDispatcher({
      db,
      pollMs: config.WEBHOOK_POLL_MS,
      retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      log: app.log,
    })
    app.decorate('queue', queue)
    registerDocsPages(app)
    const provisioning = new ProvisioningKeys(db, app.repos.devices)
    app.decorate('provisioning', provisioning)
    app.decorate('webhooks', { repo: new WebhookRepository(db), dispatcher })

    let queued = false
    const store = app.repos.ingestStore
    if (store instanceof PrismaIngestStore)
      store.onTransaction(async (tx, rows) => {
        await bindAnswers(tx, rows)
        if (await enqueue(tx, () => ratingEvents(tx, rows.ratings))) queued = true
      })
    app.ingest.onCommitted(() => {
      if (queued) dispatcher.kick()
      queued = false
    })
    app.ingest.onOffline(async (deviceId, death, at) => {
      const d = await db.device.findUnique({ where: { id: deviceId } })
      if (!d) return
      const n = await enqueueOnce(db, [
        {
          type: 'device.offline',
          // One per connection: the retained will read again at the next start is not news.
          key: `device.offline:${deviceId}:${death.connectCount}`,
          hallId: d.hallId,
          at,
          data: {
            device: {
              id: d.id,
              hallId: d.hallId,
              windowId: d.windowId,
              label: d.label,
              connectCount: death.connectCount,
              offlineAt: at.toISOString(),
            },
          },
        },
      ])
      if (n) dispatcher.kick()
    })

    // Provisioning and queue requests on the broker; on an external one, each is handled by one instance.
    const share = (filter: string) =>
      config.MQTT_URL && config.MQTT_SHARE_GROUP ? `$share/${config.MQTT_SHARE_GROUP}/${filter}` : filter
    const onError = (what: string) => (err: unknown) => app.log.error({ err: String(err) }, `${what} failed`)
    const provision = provisionHandler({
      keys: provisioning,
      bus: app.bus,
      padConfig: app.padConfig,
      log: app.log,
    })
    await app.bus.subscribe(
      share(provisionTopics.all),
      (t, p) => void provision(t, p).catch(onError('provisioning')),
    )
    const queueMqtt = queueHandler({ queue, tokens: app.repos.tokens, bus: app.bus })
    await app.bus.subscribe(
      share(queueTopics.all),
      (t, p) => void queueMqtt(t, p).catch(onError('queue request')),
    )
    await new DriverHost({
      drivers: app.drivers,
      bus: app.bus,
      ingest: app.ingest,
      devices: app.repos.devices,
      padConfig: app.padConfig,
      log: app.log,
      shareGroup: config.MQTT_URL ? config.MQTT_SHARE_GROUP || undefined : undefined,
    }).start()

    const overdue = new OverdueWatcher(db)
    let overdueTimer: NodeJS.Timeout | null = null
    const watchOverdue = () => {
      overdueTimer = setTimeout(async () => {
        try {
          if (await overdue.check()) dispatcher.kick()
        } catch (err) {
          app.log.error({ err: String(err) }, 'overdue follow-up check failed')
        }
        if (overdueTimer) watchOverdue()
      }, config.WEBHOOK_POLL_MS * 5)
    }
    app.addHook('onReady', async () => {
      dispatcher.start()
      watchOverdue()
    })
    app.addHook('preClose', async () => {
      if (overdueTimer) clearTimeout(overdueTimer)
      overdueTimer = null
      await dispatcher.stop()
    })
  },
  { name: 'integrations', dependencies: ['ingest', 'repositories', 'broker'] },
)
