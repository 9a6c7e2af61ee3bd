// App plugin: subscribes to every pad's up channels and runs the ingest.
import fp from 'fastify-plugin'
import { allPads, sharedAllPads, UP_CHANNELS } from '../../protocol/index.ts'
import { Ingest } from '../ingest/ingest.ts'

declare module 'fastify' {
  interface FastifyInstance {
    ingest: Ingest
  }
}

export default fp(
  async (app) => {
    const { config, repos } = app
    const ingest = new Ingest({
      store: repos.ingestStore,
      devices: repos.devices,
      windows: repos.windows,
      padConfig: app.padConfig,
      bus: app.bus,
      log: app.log,
      batchSize: config.INGEST_BATCH_SIZE,
      flushMs: config.INGEST_FLUSH_MS,
    })
    app.decorate('ingest', ingest)
    // On an external broker several instances share the pads' messages; aedes has no $share.
    const shared = Boolean(config.MQTT_URL && config.MQTT_SHARE_GROUP)
    for (const channel of UP_CHANNELS) {
      // Status is retained and small: every instance reads it, so device state is never stale.
      const filter =
        shared && channel !== 'status' ? sharedAllPads(config.MQTT_SHARE_GROUP, channel) : allPads(channel)
      await app.bus.subscribe(filter, (topic, payload) => ingest.handle(topic, payload))
    }
    app.addHook('preClose', async () => ingest.stop())
  },
  { name: 'ingest', dependencies: ['repositories', 'broker'] },
)
