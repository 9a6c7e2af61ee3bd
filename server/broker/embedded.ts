// The embedded MQTT broker (aedes) for the hall-box default: TCP on MQTT_PORT, and MQTT over
// WebSocket at /mqtt on the HTTP port for browser pads. Pads authenticate with their device id and
// secret and may only touch their own topics.
import { createServer, type Server as NetServer } from 'node:net'
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import type { Server as HttpServer, IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes'
import { indexedRetainedPersistence } from './retained.ts'
import { WebSocketServer, createWebSocketStream } from 'ws'
import { isPadClientId, MAX_PAYLOAD_BYTES } from '../../protocol/index.ts'
import { padMayPublish, padMaySubscribe } from './acl.ts'
import { brokerEmitter } from './mq.ts'
import { clientGrant, isClientUsername, type ClientGrant } from './grants.ts'

export interface EmbeddedBrokerOptions {
  port: number
  host?: string
  /** Checks a pad's credentials: true if the device exists, is not revoked and the secret matches. */
  verifyDevice(deviceId: string, secret: string): Promise<boolean>
  /** Checks a client that is not a pad ($provision, $queue; see grants.ts). */
  verifyClient?(username: string, secret: string, clientId: string): Promise<boolean>
  /** Topics a pad may use besides its protocol topics (drivers for vendor formats). */
  padExtraTopics?(deviceId: string): ClientGrant | null
  log: { info(msg: string): void; warn(obj: object, msg: string): void }
  /** MQTT over TLS (mqtts) on this port too, with this PEM key and certificate. */
  tls?: { port: number; key: Buffer; cert: Buffer }
  /**
   * Largest MQTT packet a client other than the server may send (default 256 KB). A bigger one is
   * refused from its header, before it is buffered: the connection is closed.
   */
  maxPacketBytes?: number
}

export const DEFAULT_MAX_PACKET_BYTES = 256 * 1024

/** The slice of mqtt-packet's parser (aedes's client._parser) that the packet size guard wraps. */
interface PacketParser {
  packet: { length: number; cmd?: string }
  _parseLength(): boolean
  _emitError(err: Error): void
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly variable: string,
  ) {
    super(`port ${port} is already in use: set ${variable} to a free port`)
  }
}

type PadClient = Client & { deviceId?: string; grant?: ClientGrant }

export class EmbeddedBroker {
  readonly aedes: Aedes
  private tcp?: NetServer
  private tlsServer?: TlsServer
  private wss?: WebSocketServer

  private constructor(
    aedes: Aedes,
    private readonly opts: EmbeddedBrokerOptions,
  ) {
    this.aedes = aedes
  }

  static async start(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    const aedes = await Aedes.createBroker({
      drainTimeout: 30_000,
      heartbeatInterval: 60_000,
      mq: brokerEmitter(),
      persistence: indexedRetainedPersistence() as never,
    })
    const broker = new EmbeddedBroker(aedes, opts)
    broker.installHooks()
    await broker.listenTcp()
    if (opts.tls) await broker.listenTls(opts.tls)
    return broker
  }

  get port(): number {
    const a = this.tcp?.address()
    return typeof a === 'object' && a ? a.port : this.opts.port
  }

  /** The mqtts port, or null without TLS. */
  get tlsPort(): number | null {
    const a = this.tlsServer?.address()
    return typeof a === 'object' && a ? a.port : null
  }

  private installHooks() {
    const { aedes, opts } = this
    aedes.authenticate = (client: PadClient, username, password, done) => {
      const fail = (code: number) =>
        done(Object.assign(new Error('not authorized'), { returnCode: code }), false)
      const secret = password?.toString('utf8') ?? ''
      if (!username) return fail(4)
      if (isClientUsername(username)) {
        const grant = clientGrant(username, client.id)
        if (!grant || !opts.verifyClient) return fail(5)
        if (this.wouldDropAnother(client.id, null)) {
          opts.log.warn({ username, clientId: client.id }, 'refused at CONNECT: client id of another client')
          return fail(5)
        }
        return void opts
          .verifyClient(username, secret, client.id)
          .then((ok) => {
            if (!ok) return fail(5)
            client.grant = grant
            done(null, true)
          })
          .catch(() => fail(3))
      }
      // A broker drops the older connection of a client id: only the pad itself may use its own.
      if (!isPadClientId(username, client.id) || this.wouldDropAnother(client.id, username)) {
        opts.log.warn(
          { deviceId: username, clientId: client.id },
          'pad refused at CONNECT: client id is not its device id',
        )
        return fail(5)
      }
      opts
        .verifyDevice(username, secret)
        .then((ok) => {
          if (!ok) {
            opts.log.warn({ deviceId: username }, 'pad refused at CONNECT: unknown device or wrong secret')
            return fail(5)
          }
          client.deviceId = username
          done(null, true)
        })
        .catch(() => fail(3))
    }

    aedes.authorizePublish = (client: PadClient | null, packet: PublishPacket, done) => {
      if (!client) return done(null) // the server's own publishes (aedes.publish in bus.ts)
      const id = client.deviceId
      const bytes = packet.payload.length
      let refused = id ? padMayPublish(id, packet.topic, { retain: packet.retain, bytes }) : 'not a pad'
      const grant = client.grant ?? (id ? opts.padExtraTopics?.(id) : null)
      if (refused && grant?.publish.includes(packet.topic))
        refused =
          bytes > MAX_PAYLOAD_BYTES
            ? `payload of ${bytes} bytes is over the limit of ${MAX_PAYLOAD_BYTES}`
            : packet.retain && client.grant
              ? 'may not retain'
              : null
      done(refused ? new Error(refused) : null)
    }

    aedes.authorizeSubscribe = (client: PadClient, sub: Subscription, done) => {
      const id = client.deviceId
      const grant = client.grant ?? (id ? opts.padExtraTopics?.(id) : null)
      const ok = (id && padMaySubscribe(id, sub.topic)) || grant?.subscribe.includes(sub.topic)
      // Negate instead of erroring: the pad gets SUBACK 0x80 and stays connected.
      done(null, ok ? sub : null)
    }
  }

  /**
   * Hands a connection to aedes, with a cap on the packet size: aedes has none, and would buffer a
   * packet of any announced length (up to 256 MB) before authorizePublish sees it. The check runs
   * when the parser has read a packet's length, so an oversize packet is never read in.
   */
  private handle(stream: Duplex) {
    const client = this.aedes.handle(stream as never) as PadClient & { _parser?: PacketParser }
    const parser = client._parser
    if (!parser || typeof parser._parseLength !== 'function' || typeof parser._emitError !== 'function')
      throw new Error('aedes changed: its packet parser has no _parseLength to cap the packet size')
    const max = this.opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES
    const log = this.opts.log
    const parseLength = parser._parseLength
    parser._parseLength = function (this: PacketParser) {
      const read = parseLength.call(this)
      if (read && this.packet.length > max) {
        const reason = `${this.packet.cmd} packet of ${this.packet.length} bytes is over the limit of ${max}`
        log.warn({ clientId: client.id, deviceId: client.deviceId }, `connection closed: ${reason}`)
        this._emitError(new Error(reason))
        return false
      }
      return read
    }
  }

  private listenTcp(): Promise<void> {
    return new Promise((resolve, reject) => {
      const tcp = createServer((socket) => {
        // Acks are small and latency matters: don't let Nagle hold them back (~40 ms each).
        socket.setNoDelay(true)
        this.handle(socket)
      })
      tcp.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new PortInUseError(this.opts.port, 'MQTT_PORT') : err),
      )
      tcp.listen(this.opts.port, this.opts.host, () => {
        this.tcp = tcp
        resolve()
      })
    })
  }

  private listenTls(tls: { port: number; key: Buffer; cert: Buffer }): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => this.handle(socket))
      // A client that fails the handshake is only that client's problem.
      server.on('tlsClientError', () => {})
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new PortInUseError(tls.port, 'MQTT_TLS_PORT') : err),
      )
      server.listen(tls.port, this.opts.host, () => {
        this.tlsServer = server
        resolve()
      })
    })
  }

  /** MQTT over WebSocket for browser pads, on the HTTP server at /mqtt. */
  attachWebSocket(http: HttpServer, path = '/mqtt') {
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES * 4 })
    this.wss = wss
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== path) return
      wss.handleUpgrade(req, socket, head, (ws) => {
        const stream = createWebSocketStream(ws)
        stream.on('error', () => stream.destroy())
        this.handle(stream as never)
      })
    })
  }

  private get clients(): Record<string, PadClient> {
    return (this.aedes as unknown as { clients: Record<string, PadClient> }).clients
  }

  /**
   * True when connecting with this client id would drop the live connection of another pad (aedes
   * closes the older connection of a client id). A provisioning client id may look like a device id.
   */
  private wouldDropAnother(clientId: string, deviceId: string | null): boolean {
    const holder = Object.hasOwn(this.clients, clientId) ? this.clients[clientId] : undefined
    return Boolean(holder?.deviceId && holder.deviceId !== deviceId)
  }

  /** Disconnects a pad's live connections, for example after its secret is rotated or it is revoked. */
  disconnectDevice(deviceId: string) {
    for (const client of Object.values(this.clients)) {
      if (client.deviceId === deviceId) client.close()
    }
  }

  async close() {
    for (const ws of this.wss?.clients ?? []) ws.terminate()
    this.wss?.close()
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()))
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()))
    await new Promise<void>((resolve) => (this.tlsServer ? this.tlsServer.close(() => resolve()) : resolve()))
  }
}
