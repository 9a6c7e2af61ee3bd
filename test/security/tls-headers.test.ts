// TLS for HTTPS and MQTT (TLS_CERT, TLS_KEY, MQTT_TLS_PORT) with a self-signed certificate made in
// the test, and the security headers every page carries (@fastify/helmet with a CSP that allows what
// the pages need: same-origin scripts, ws/wss to the same host, blob: and data: images).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { Ack, topics } from '../../protocol/index.ts'
import { buildApp } from '../../server/app.ts'
import { loadConfig } from '../../server/config.ts'
import { sampleRating } from '../fixtures/messages.ts'
import { startServer, type TestServer } from '../helpers/server.ts'

const dir = mkdtempSync(join(tmpdir(), 'rp-tls-'))
const certFile = join(dir, 'cert.pem')
const keyFile = join(dir, 'key.pem')
// -subj and -addext keep openssl from asking; clients check the name 127.0.0.1.
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ],
  { stdio: 'ignore' },
)
const ca = readFileSync(certFile)

function get(url: string, o: { ca?: Buffer; token?: string; method?: string; body?: unknown } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(
        url,
        {
          method: o.method ?? 'GET',
          ca: o.ca,
          headers: {
            ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
            ...(o.body ? { 'content-type': 'application/json' } : {}),
          },
        },
        (res) => {
          let body = ''
          res.on('data', (d) => (body += d))
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
        },
      )
      req.on('error', reject)
      req.end(o.body ? JSON.stringify(o.body) : undefined)
    },
  )
}

let app: FastifyInstance
let base: string
let mqttsUrl: string
let token: string
beforeAll(async () => {
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    MQTT_TLS_PORT: '0',
    DATA_DIR: join(dir, 'data'),
    TLS_CERT: certFile,
    TLS_KEY: keyFile,
    LOG_LEVEL: 'warn',
  })
  app = await buildApp({ config, logger: { level: 'warn' } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  base = `https://127.0.0.1:${port}`
  mqttsUrl = `mqtts://127.0.0.1:${app.broker!.tlsPort}`
  token = (await app.repos.tokens.create({ name: 'tls admin', role: 'admin' })).token
})
afterAll(async () => {
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('TLS', () => {
  it('serves the API over HTTPS with the configured certificate, and nothing in clear on that port', async () => {
    expect((await get(`${base}/health`, { ca })).status).toBe(200)
    await expect(get(`${base}/health`)).rejects.toThrow(/self.signed|certificate/i)
    await expect(fetch(`${base.replace('https', 'http')}/health`)).rejects.toThrow()
    const r = await get(`${base}/health`, { ca })
    expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/)
  })

  it('takes a pad over mqtts and over wss, and still refuses a wrong secret', async () => {
    await get(`${base}/api/v1/halls`, { ca, token, method: 'POST', body: { id: 'tls-h', name: '大厅' } })
    await get(`${base}/api/v1/windows`, {
      ca,
      token,
      method: 'POST',
      body: { id: 'tls-w', hallId: 'tls-h', name: '1号窗口' },
    })
    const dev = JSON.parse(
      (
        await get(`${base}/api/v1/devices`, {
          ca,
          token,
          method: 'POST',
          body: { id: 'tls-pad', hallId: 'tls-h', windowId: 'tls-w' },
        })
      ).body,
    ) as { secret: string }
    for (const url of [mqttsUrl, `${base.replace('https', 'wss')}/mqtt`]) {
      const c = await mqtt.connectAsync(url, {
        username: 'tls-pad',
        password: dev.secret,
        clientId: 'tls-pad',
        ca,
        reconnectPeriod: 0,
      })
      await c.subscribeAsync(topics.ack('tls-pad'), { qos: 1 })
      const rating = sampleRating()
      const acked = new Promise<Ack>((resolve) =>
        c.on('message', (_t, p) => {
          const ack = Ack.parse(JSON.parse(p.toString()))
          if (ack.ids.includes(rating.id)) resolve(ack)
        }),
      )
      await c.publishAsync(topics.rating('tls-pad'), JSON.stringify(rating), { qos: 1 })
      expect((await acked).ids).toContain(rating.id)
      await c.endAsync()
    }
    await expect(
      mqtt.connectAsync(mqttsUrl, { username: 'tls-pad', password: 'wrong', ca, reconnectPeriod: 0 }),
    ).rejects.toThrow(/Not authorized|Bad username/i)
    await expect(
      mqtt.connectAsync(mqttsUrl, {
        username: 'tls-pad',
        password: dev.secret,
        reconnectPeriod: 0,
        connectTimeout: 3000,
      }),
    ).rejects.toThrow(/self.signed|certificate/i)
  })

  it('names the missing half of a certificate pair, and an unreadable file', () => {
    expect(() => loadConfig({ TLS_CERT: certFile })).toThrow(/TLS_KEY: needed with TLS_CERT/)
    expect(() => loadConfig({ TLS_CERT: certFile, TLS_KEY: join(dir, 'missing.pem') })).toThrow(
      /TLS_KEY: cannot read/,
    )
  })
})

describe('security headers', () => {
  let plain: TestServer
  beforeAll(async () => {
    plain = await startServer()
  })
  afterAll(async () => plain?.close())

  it('puts a CSP and the usual headers on the web pages, the docs and the API', async () => {
    for (const path of ['/app/pad/', '/app/dashboard/', '/docs', '/health']) {
      const res = await fetch(`${plain.httpUrl}${path}`)
      expect(res.status, path).toBeLessThan(400)
      const csp = res.headers.get('content-security-policy') ?? ''
      const host = new URL(plain.httpUrl).host
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toMatch(/script-src[^;]*unsafe/)
      expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`)
      expect(csp).toContain("img-src 'self' data: blob:")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("object-src 'none'")
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
      // Plain HTTP on a hall's intranet: no HSTS promise the server cannot keep.
      expect(res.headers.get('strict-transport-security')).toBeNull()
    }
  })
})
