// A real local HTTP server that records what webhooks POST to it, and can be told to fail.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'

export interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
  json: any
  status: number
}

export class Receiver {
  readonly received: Received[] = []
  /** Answers for the next requests to a path (default 200), one per request. */
  private readonly scripts = new Map<string, number[]>()
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    let self: Receiver
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        const status = self.scripts.get(req.url ?? '/')?.shift() ?? 200
        let json: unknown = null
        try {
          json = JSON.parse(body)
        } catch {}
        self.received.push({ path: req.url ?? '/', headers: req.headers, body, json, status })
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    self = new Receiver(server, `http://127.0.0.1:${port}`)
    return self
  }

  /** The next requests to this path get these statuses. */
  answer(path: string, ...statuses: number[]) {
    this.scripts.set(path, [...(this.scripts.get(path) ?? []), ...statuses])
  }

  at(path: string) {
    return this.received.filter((r) => r.path === path)
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
