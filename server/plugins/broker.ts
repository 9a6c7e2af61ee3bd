// External plugin: the MQTT side. With no MQTT_URL, starts the embedded aedes broker (TCP and
// WebSocket) and the bus talks to it in-process; with MQTT_URL, the bus connects as a client.
import { randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import { Bus } from '../broker/bus.ts'
import { EmbeddedBroker } from '../broker/embedded.ts'
import { DeviceRepository } from '../repositories/devices.ts'
import { PadAuthenticator } from '../broker/pad-auth.ts'
import { ClientAuthenticator } from '../broker/grants.ts'
import { loadDrivers, type DriverSet } from '../drivers/registry.ts'
import { ProvisioningKeys } from '../provisioning/keys.ts'
import { TokenRepository } from '../repositories/tokens.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The embedded broker, or null when MQTT_URL points at an external one. */
    broker: EmbeddedBroker | null
    bus: Bus
    padAuth: PadAuthenticator
    clientAuth: ClientAuthenticator
    drivers: DriverSet
  }
}

export default fp(
  async (app) => {
    const { config } = app
    const padAuth = new PadAuthenticator(new DeviceRepository(app.db.prisma))
    app.decorate('padAuth', padAuth)
    // Pads being provisioned and queue systems (grants.ts); drivers add topics for vendor pads.
    const clientAuth = new ClientAuthenticator(
      new ProvisioningKeys(app.db.prisma, new DeviceRepository(app.db.prisma)),
      new TokenRepository(app.db.prisma),
      new DeviceRepository(app.db.prisma),
    )
    app.decorate('clientAuth', clientAuth)
    const drivers = loadDrivers(config)
    app.decorate('drivers', drivers)
    let broker: EmbeddedBroker | null = null
    if (!config.MQTT_URL) {
      broker = await EmbeddedBroker.start({
        port: config.MQTT_PORT,
        host: config.HOST,
        log: { info: (m) => app.log.info(m), warn: (o, m) => app.log.warn(o, m) },
        verifyDevice: (deviceId, secret) => padAuth.verify(deviceId, secret),
        verifyClient: (username, secret, clientId) => clientAuth.verify(username, secret, clientId),
        padExtraTopics: (deviceId) => drivers.topicsFor(deviceId),
        tls: config.tls ? { port: config.MQTT_TLS_PORT, ...config.tls } : undefined,
        maxPacketBytes: config.MQTT_MAX_PACKET_BYTES,
      })
      broker.attachWebSocket(app.server)
      app.log.info(
        { port: broker.port, tlsPort: broker.tlsPort },
        'embedded MQTT broker listening (and MQTT over WebSocket at /mqtt)',
      )
    }
    // Embedded: the server is in the broker's process and needs no connection of its own.
    const bus = broker
      ? Bus.inProcess(broker.aedes)
      : await Bus.connect({
          url: config.MQTT_URL!,
          username: config.MQTT_USERNAME,
          password: config.MQTT_PASSWORD,
          clientId: `rp-server-${randomUUID().slice(0, 8)}`,
        })
    app.decorate('broker', broker)
    app.decorate('bus', bus)
    app.addHook('onClose', async () => {
      await bus.close().catch(() => {})
      await broker?.close()
    })
  },
  { name: 'broker', dependencies: ['config', 'database'] },
)
