// External plugin: the MQTT side. With no MQTT_URL, starts the embedded aedes broker (TCP and
// WebSocket); either way, connects the server's own client (the bus) to the broker.
import { randomBytes, randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import { Bus } from '../broker/bus.ts'
import { EmbeddedBroker, SERVER_USERNAME } from '../broker/embedded.ts'
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
    let busUrl: string
    let username = config.MQTT_USERNAME
    let password = config.MQTT_PASSWORD
    if (!config.MQTT_URL) {
      password = randomBytes(24).toString('base64url')
      username = SERVER_USERNAME
      broker = await EmbeddedBroker.start({
        port: config.MQTT_PORT,
        host: config.HOST,
        serverPassword: password,
        log: { info: (m) => app.log.info(m), warn: (o, m) => app.log.warn(o, m) },
        verifyDevice: (deviceId, secret) => padAuth.verify(deviceId, secret),
        verifyClient: (username, secret, clientId) => clientAuth.verify(username, secret, clientId),
        padExtraTopics: (deviceId) => drivers.topicsFor(deviceId),
        tls: config.tls ? { port: config.MQTT_TLS_PORT, ...config.tls } : undefined,
        maxPacketBytes: config.MQTT_MAX_PACKET_BYTES,
      })
      broker.attachWebSocket(app.server)
      busUrl = `mqtt://127.0.0.1:${broker.port}`
      app.log.info(
        { port: broker.port, tlsPort: broker.tlsPort },
        'embedded MQTT broker listening (and MQTT over WebSocket at /mqtt)',
      )
    } else {
      busUrl = config.MQTT_URL
    }
    const bus = await Bus.connect({
      url: busUrl,
      username,
      password,
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
