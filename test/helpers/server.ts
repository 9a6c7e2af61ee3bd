// Starts the real server for a test: a SQLite file in a temp folder (or PostgreSQL), the embedded
// aedes broker on a free port, HTTP on a free port. Nothing is mocked.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app.ts'
import { loadConfig } from '../../server/config.ts'

export interface TestServer {
  app: FastifyInstance
  httpUrl: string
  mqttUrl: string
  wsUrl: string
  adminToken: string
  dataDir: string
  /** Calls the REST API as the admin (or with the given token). */
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: T }>
  close(): Promise<void>
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rp-test-'))
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    INGEST_FLUSH_MS: '5',
    ...env,
  })
  const app = await buildApp({ config, logger: { level: env.LOG_LEVEL ?? 'warn' } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const httpUrl = `http://127.0.0.1:${port}`
  const adminToken = (await app.repos.tokens.create({ name: 'test admin', role: 'admin' })).token
  const api = async (method: string, path: string, body?: unknown, token = adminToken) => {
    const res = await fetch(`${httpUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : null }
  }
  return {
    app,
    httpUrl,
    mqttUrl: app.broker ? `mqtt://127.0.0.1:${app.broker.port}` : config.MQTT_URL!,
    wsUrl: `ws://127.0.0.1:${port}/mqtt`,
    adminToken,
    dataDir,
    api,
    async close() {
      await app.close()
      if (!env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A hall with windows, staff and registered pads, made through the REST API as an admin would. */
export async function seedHall(
  s: TestServer,
  opts: { hallId?: string; windows?: number; scale?: 2 | 3 | 4 | 5 } = {},
) {
  const hallId = opts.hallId ?? 'hall-1'
  const n = opts.windows ?? 2
  const hall = await s.api('POST', '/api/v1/halls', {
    id: hallId,
    name: '政务服务大厅',
    scale: opts.scale ?? 5,
  })
  if (hall.status !== 201) throw new Error(`seed hall: ${JSON.stringify(hall.body)}`)
  const pads: { id: string; secret: string; windowId: string; staffNo: string }[] = []
  for (let i = 1; i <= n; i++) {
    const windowId = `${hallId}-w${i}`
    const staffNo = `${hallId}-S${i}`
    await s.api('POST', '/api/v1/windows', { id: windowId, hallId, name: `${i}号窗口` })
    await s.api('POST', '/api/v1/staff', {
      staffNo,
      hallId,
      name: `工作人员${i}`,
      title: '综合受理',
      stars: 4,
    })
    const signIn = await s.api('POST', `/api/v1/windows/${windowId}/sign-in`, { staffNo })
    if (signIn.status !== 200) throw new Error(`seed sign-in: ${JSON.stringify(signIn.body)}`)
    const dev = await s.api('POST', '/api/v1/devices', { id: `${hallId}-pad${i}`, hallId, windowId })
    if (dev.status !== 201) throw new Error(`seed device: ${JSON.stringify(dev.body)}`)
    pads.push({ id: dev.body.id, secret: dev.body.secret, windowId, staffNo })
  }
  return { hallId, pads }
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>

/** Polls until check() returns a truthy value (tests wait on real asynchronous delivery). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 60_000,
): Promise<Truthy<T>> {
  const start = Date.now()
  for (;;) {
    const v = await check()
    if (v) return v as Truthy<T>
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
